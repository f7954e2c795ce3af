package dev.iouring.autoconfigure;

import org.junit.jupiter.api.Test;

import org.springframework.boot.diagnostics.FailureAnalysis;

import dev.iouring.ring.IoUringUnavailableException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@link IoUringUnavailableFailureAnalyzer} tells the user.
 */
class IoUringUnavailableFailureAnalyzerTests {

	private static final String CAUSE = "io_uring_setup failed: EPERM (blocked by a seccomp profile or by "
			+ "kernel.io_uring_disabled)";

	private final FailureAnalysis analysis = new IoUringUnavailableFailureAnalyzer().analyze(
			new IllegalStateException("Failed to start bean", new IoUringUnavailableException(CAUSE, null)));

	@Test
	void descriptionIsTheProbesExplanation() {
		assertThat(this.analysis.getDescription())
			.isEqualTo("The io_uring server could not start because io_uring is unavailable: " + CAUSE);
		assertThat(this.analysis.getCause()).isInstanceOf(IoUringUnavailableException.class);
	}

	@Test
	void actionListsEveryFix() {
		assertThat(this.analysis.getAction()).contains("Linux 6.1 or later")
			.contains("sysctl kernel.io_uring_disabled=0")
			.contains("--security-opt seccomp=unconfined")
			.contains("ulimit -l")
			.contains("--ulimit memlock=-1")
			.contains("iouring.server.transport=nio")
			.contains("iouring.server.enabled=false");
	}

}
