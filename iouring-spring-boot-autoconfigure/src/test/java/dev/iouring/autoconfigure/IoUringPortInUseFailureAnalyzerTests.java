package dev.iouring.autoconfigure;

import java.io.IOException;

import org.junit.jupiter.api.Test;

import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.mock.env.MockEnvironment;

import dev.iouring.server.PortInUseException;
import dev.iouring.server.UnixSocket;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@link IoUringPortInUseFailureAnalyzer} tells the user.
 */
class IoUringPortInUseFailureAnalyzerTests {

	private final MockEnvironment environment = new MockEnvironment();

	@Test
	void describesThePortAndTheListener() {
		FailureAnalysis analysis = analyze(new PortInUseException("default", 7000, new IOException("EADDRINUSE")));
		assertThat(analysis.getDescription())
			.isEqualTo("The io_uring server's listener 'default' could not start: port 7000 is already in use. "
					+ "Unless reuse-port is true, a listener owns its port alone, and refuses to share it also with "
					+ "a socket that sets SO_REUSEPORT.");
		assertThat(analysis.getCause()).isInstanceOf(PortInUseException.class);
	}

	@Test
	void defaultListenerPointsAtTheServerPortProperty() {
		FailureAnalysis analysis = analyze(new PortInUseException("default", 7000, new IOException("EADDRINUSE")));
		assertThat(analysis.getAction()).isEqualTo("Identify and stop the process that is listening on port 7000 "
				+ "(for example with 'ss -ltnp'), or choose another port for the listener by setting "
				+ "iouring.server.port (0 lets the system choose a free one), or, if the listener is meant to share "
				+ "the port with the other process (which must set SO_REUSEPORT too; the kernel then spreads new "
				+ "connections between them), set iouring.server.reuse-port to true.");
	}

	@Test
	void listenerWithItsOwnReusePortPointsAtTheListenerReusePortProperty() {
		this.environment.setProperty("iouring.server.listeners.redis.reuse-port", "false");
		FailureAnalysis analysis = analyze(new PortInUseException("redis", 6380, new IOException("EADDRINUSE")));
		assertThat(analysis.getAction()).contains("set iouring.server.listeners.redis.reuse-port to true.")
			.contains("by setting iouring.server.port (0 lets");
	}

	@Test
	void listenerWithItsOwnPortPointsAtTheListenerPortProperty() {
		this.environment.setProperty("iouring.server.listeners.redis.port", "6380");
		FailureAnalysis analysis = analyze(new PortInUseException("redis", 6380, new IOException("EADDRINUSE")));
		assertThat(analysis.getAction()).contains("by setting iouring.server.listeners.redis.port (0 lets");
	}

	@Test
	void listenerThatInheritsTheServerPortPointsAtTheServerPortProperty() {
		this.environment.setProperty("iouring.server.listeners.redis.backlog", "8");
		FailureAnalysis analysis = analyze(new PortInUseException("redis", 7000, new IOException("EADDRINUSE")));
		assertThat(analysis.getAction()).contains("by setting iouring.server.port (0 lets");
	}

	@Test
	void aUnixListenerNamesItsSocketAndTheAddressProperty() {
		this.environment.setProperty("iouring.server.listeners.local.address", "unix:/run/app.sock");
		UnixSocket socket = UnixSocket.parse("unix:/run/app.sock", UnixSocket.DEFAULT_PERMISSIONS);
		FailureAnalysis analysis = analyze(new PortInUseException("local", socket, "a live process accepts connections on it", null));
		assertThat(analysis.getDescription()).startsWith("The io_uring server's listener 'local' could not start: Unix socket "
				+ "listener 'local' could not bind unix:/run/app.sock: the socket is already in use (a live process accepts "
				+ "connections on it)");
		assertThat(analysis.getAction()).isEqualTo("Identify and stop the process that is listening on unix:/run/app.sock "
				+ "(for example with 'ss -lxp | grep /run/app.sock'), or choose another socket for the listener by setting "
				+ "iouring.server.listeners.local.address (for example to unix:/run/app/local.sock).");
	}

	@Test
	void worksWithoutAnEnvironment() {
		FailureAnalysis analysis = new IoUringPortInUseFailureAnalyzer(null)
			.analyze(new PortInUseException("echo", 7000, new IOException("EADDRINUSE")));
		assertThat(analysis.getAction()).contains("iouring.server.port");
	}

	private FailureAnalysis analyze(PortInUseException failure) {
		FailureAnalysis analysis = new IoUringPortInUseFailureAnalyzer(this.environment)
			.analyze(new IllegalStateException("Failed to start bean 'ioUringServerStartStopLifecycle'", failure));
		assertThat(analysis).isNotNull();
		return analysis;
	}

}
