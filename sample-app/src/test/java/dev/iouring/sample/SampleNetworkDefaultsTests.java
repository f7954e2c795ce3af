package dev.iouring.sample;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import dev.iouring.ring.IoUring;
import dev.iouring.server.ListenerSettings;
import dev.iouring.server.TcpServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The sample's network defaults from {@code application.yml}, over real sockets: every listener and
 * Actuator listen on loopback only unless {@code sample.bind-address} (environment variable
 * {@code SAMPLE_BIND_ADDRESS}) opens them, and every listener closes idle connections after
 * {@code sample.idle-timeout}.
 *
 * <p>Loopback-only is told apart from all-interfaces without leaving the machine: the whole of
 * 127.0.0.0/8 reaches the loopback interface, so a socket bound to every interface accepts a connection
 * to 127.0.0.2, and one bound to 127.0.0.1 refuses it.
 */
class SampleNetworkDefaultsTests {

	private static final InetAddress OTHER_LOOPBACK_ADDRESS = address(new byte[] { 127, 0, 0, 2 });

	@BeforeAll
	static void assumeIoUring() {
		assumeTrue(IoUring.isAvailable(), () -> "io_uring unavailable: " + IoUring.availability().cause());
	}

	@Nested
	@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = { "iouring.server.listeners.echo.port=0", "iouring.server.listeners.resp.port=0",
					"iouring.server.listeners.line.port=0",
					"iouring.server.listeners.resp-tls.port=0", "iouring.server.listeners.echo-tls.port=0" })
	class Defaults {

		@Autowired
		TcpServer server;

		@LocalServerPort
		int httpPort;

		@Test
		void everyListenerAndActuatorListenOnLoopbackOnly() throws IOException {
			for (Map.Entry<String, Integer> port : ports(this.server, this.httpPort).entrySet()) {
				try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port.getValue())) {
					assertThat(socket.isConnected()).as("%s on 127.0.0.1", port.getKey()).isTrue();
				}
				assertThatExceptionOfType(ConnectException.class).as("%s on 127.0.0.2", port.getKey())
					.isThrownBy(() -> connect(OTHER_LOOPBACK_ADDRESS, port.getValue()).close());
			}
		}

		@Test
		void everyListenerHasAnIdleTimeoutOfFiveMinutes() {
			List<ListenerSettings> listeners = this.server.settings().listeners();
			assertThat(listeners).extracting(ListenerSettings::name).containsExactlyInAnyOrder("echo", "resp", "line",
					"resp-tls", "echo-tls");
			assertThat(listeners).allSatisfy((listener) -> assertThat(listener.idleTimeout()).as(listener.name())
				.isEqualTo(Duration.ofMinutes(5)));
		}

		@Test
		void theLineListenerClosesPeersWhoseLineTakesLongerThanTenSeconds() {
			ListenerSettings line = this.server.settings().listener("line");
			assertThat(line.framing()).isNotNull();
			assertThat(line.frameTimeout()).isEqualTo(Duration.ofSeconds(10));
		}

	}

	@Nested
	@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = { "iouring.server.listeners.echo.port=0", "iouring.server.listeners.resp.port=0",
					"iouring.server.listeners.line.port=0",
					"iouring.server.listeners.resp-tls.port=0", "iouring.server.listeners.echo-tls.port=0",
					"sample.bind-address=0.0.0.0",
					"sample.idle-timeout=300ms" })
	class Opened {

		@Autowired
		TcpServer server;

		@LocalServerPort
		int httpPort;

		@Value("${local.iouring.server.resp.port}")
		int respPort;

		@Test
		void everyListenerAndActuatorAcceptOnEveryInterfaceWhenOpened() throws IOException {
			for (Map.Entry<String, Integer> port : ports(this.server, this.httpPort).entrySet()) {
				try (Socket socket = connect(OTHER_LOOPBACK_ADDRESS, port.getValue())) {
					assertThat(socket.isConnected()).as("%s on 127.0.0.2", port.getKey()).isTrue();
				}
			}
		}

		@Test
		void everyListenerClosesAnIdleConnection() throws IOException {
			for (String listener : List.of("echo", "resp", "line", "resp-tls", "echo-tls")) {
				try (Socket socket = connect(InetAddress.getLoopbackAddress(), this.server.port(listener))) {
					// The deadline: far past the 300 ms timeout and the sweep that enforces it.
					socket.setSoTimeout(15_000);
					assertThat(readUntilClosed(socket.getInputStream())).as("%s closed the idle connection", listener)
						.isTrue();
				}
			}
		}

	}

	private static Map<String, Integer> ports(TcpServer server, int httpPort) {
		return Map.of("echo", server.port("echo"), "resp", server.port("resp"), "line", server.port("line"),
				"resp-tls", server.port("resp-tls"), "echo-tls", server.port("echo-tls"), "actuator", httpPort);
	}

	private static Socket connect(InetAddress address, int port) throws IOException {
		Socket socket = new Socket();
		try {
			socket.connect(new InetSocketAddress(address, port), 5_000);
			return socket;
		}
		catch (IOException ex) {
			socket.close();
			throw ex;
		}
	}

	/** Returns true once the peer closed (end of stream or reset), false if the read timed out. */
	private static boolean readUntilClosed(InputStream in) throws IOException {
		try {
			while (in.read() >= 0) {
				// An idle connection gets nothing; keep reading until the close.
			}
			return true;
		}
		catch (SocketTimeoutException ex) {
			return false;
		}
		catch (SocketException ex) {
			return true;
		}
	}

	private static InetAddress address(byte[] bytes) {
		try {
			return InetAddress.getByAddress(bytes);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
