package dev.iouring.autoconfigure;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.boot.diagnostics.FailureAnalysis;

import dev.iouring.ring.IoUring.Reason;
import dev.iouring.ring.IoUringUnavailableException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@link IoUringUnavailableFailureAnalyzer} tells the user: the probe's one cause, and that cause's
 * one fix, never the fixes of the other causes.
 */
class IoUringUnavailableFailureAnalyzerTests {

	/** A phrase only the fix of each reason contains. */
	private static final Map<Reason, String> FIXES = Map.of(Reason.NOT_LINUX, "run the application on Linux",
			Reason.NATIVE_ACCESS_DENIED, "--enable-native-access=ALL-UNNAMED", Reason.DISABLED_BY_SYSCTL,
			"sysctl -w kernel.io_uring_disabled=0", Reason.BLOCKED_BY_SECCOMP, "--security-opt seccomp=",
			Reason.LOCKED_MEMORY_LIMIT, "ulimit -l unlimited", Reason.KERNEL_TOO_OLD, "CONFIG_IO_URING=y");

	/** Causes worded as the probe words them. */
	private static final Map<Reason, String> CAUSES = Map.of(Reason.NOT_LINUX,
			"io_uring exists only on Linux and this is Mac OS X", Reason.NATIVE_ACCESS_DENIED,
			"native access is not enabled for the class path (the unnamed module); the JVM refused it with "
					+ "java.lang.IllegalCallerException: Illegal native access from an unnamed module",
			Reason.DISABLED_BY_SYSCTL,
			"io_uring_setup failed with EPERM: kernel.io_uring_disabled is 2, which turns io_uring off [kernel 6.18]",
			Reason.BLOCKED_BY_SECCOMP,
			"io_uring_setup failed with EPERM: a seccomp profile refuses io_uring to this process, as Docker's "
					+ "default profile does [kernel 6.18]",
			Reason.LOCKED_MEMORY_LIMIT,
			"io_uring_setup failed with ENOMEM: the locked-memory limit (ulimit -l) is too low for the rings "
					+ "[kernel 5.10]",
			Reason.KERNEL_TOO_OLD, "io_uring_setup failed with ENOSYS: the kernel has no io_uring system calls "
					+ "[kernel 4.19]");

	private final IoUringUnavailableFailureAnalyzer analyzer = new IoUringUnavailableFailureAnalyzer();

	@ParameterizedTest
	@EnumSource(mode = EnumSource.Mode.EXCLUDE, names = { "NONE", "UNKNOWN" })
	void eachKnownCauseGetsItsOwnFixAndNoOther(Reason reason) {
		FailureAnalysis analysis = analyze(reason, "io_uring is not available: " + CAUSES.get(reason));
		assertThat(analysis.getDescription()).isEqualTo("io_uring is not available: " + CAUSES.get(reason) + ".")
			.doesNotContain("unavailable");
		assertThat(analysis.getAction()).startsWith("To use io_uring, ")
			.contains(FIXES.get(reason))
			.endsWith(" Or set iouring.server.transport=auto to serve over NIO where io_uring is not available.");
		FIXES.forEach((other, fix) -> {
			if (other != reason) {
				assertThat(analysis.getAction()).as("the fix for %s", other).doesNotContain(fix);
			}
		});
		assertThat(analysis.getCause()).isInstanceOf(IoUringUnavailableException.class);
	}

	@Test
	void aCauseThatIsNotKnownGetsOnlyTheFallbackToNio() {
		FailureAnalysis analysis = analyze(Reason.UNKNOWN, "io_uring is not available: io_uring_setup failed with EBADF");
		assertThat(analysis.getAction())
			.isEqualTo("Set iouring.server.transport=auto to serve over NIO where io_uring is not available.");
	}

	@Test
	void anExceptionMadeWithoutAReasonCountsAsUnknown() {
		FailureAnalysis analysis = this.analyzer.analyze(new IllegalStateException("Failed to start bean",
				new IoUringUnavailableException("io_uring is not available: something", null)));
		assertThat(analysis.getAction()).startsWith("Set iouring.server.transport=auto");
	}

	private FailureAnalysis analyze(Reason reason, String message) {
		return this.analyzer.analyze(
				new IllegalStateException("Failed to start bean", new IoUringUnavailableException(reason, message)));
	}

}
