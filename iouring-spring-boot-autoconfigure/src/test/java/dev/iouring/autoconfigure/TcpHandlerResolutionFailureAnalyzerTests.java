package dev.iouring.autoconfigure;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.boot.diagnostics.FailureAnalysis;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@link TcpHandlerResolutionFailureAnalyzer} tells the user.
 */
class TcpHandlerResolutionFailureAnalyzerTests {

	@Test
	void splitsTheProblemFromTheFix() {
		TcpHandlerResolutionException failure = new TcpHandlerResolutionException("default", "iouring.server.handler",
				List.of("echo", "resp"), "Listener 'default' does not name its handler.",
				"Set iouring.server.handler to the name of one of them.");
		FailureAnalysis analysis = new TcpHandlerResolutionFailureAnalyzer()
			.analyze(new IllegalStateException("wrapped", failure));
		assertThat(analysis.getDescription()).isEqualTo("Listener 'default' does not name its handler.");
		assertThat(analysis.getAction()).isEqualTo("Set iouring.server.handler to the name of one of them.");
		assertThat(failure).hasMessage(
				"Listener 'default' does not name its handler. Set iouring.server.handler to the name of one of them.");
	}

}
