package dev.iouring.autoconfigure;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.iouring.server.Connection;
import dev.iouring.server.TcpHandler;
import dev.iouring.server.TcpServer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's "Testing" example, as written there, on whichever transport this machine offers: two
 * listeners on port 0, the first one's port through {@link LocalIoUringServerPort}, the other's through
 * {@code local.iouring.server.<name>.port}.
 */
@SpringBootTest(properties = { "iouring.server.listeners.echo.port=0", "iouring.server.listeners.chat.port=0",
		"iouring.server.event-loops=1", "iouring.ring.entries=64", "iouring.ring.cq-entries=256",
		"iouring.buffers.count=64" })
class ReadmeTestingExampleTests {

	@LocalIoUringServerPort
	int echoPort;

	@Value("${local.iouring.server.chat.port}")
	int chatPort;

	@Test
	void echoes() throws IOException {
		try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), this.echoPort)) {
			socket.setSoTimeout(30_000);
			socket.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
			assertThat(socket.getInputStream().readNBytes(4)).isEqualTo("ping".getBytes(StandardCharsets.US_ASCII));
		}
	}

	@Test
	void thePortsAreTheOnesEachListenerBound(@Autowired TcpServer server) {
		assertThat(server.ports()).containsEntry("echo", this.echoPort).containsEntry("chat", this.chatPort);
		assertThat(this.echoPort).isNotEqualTo(this.chatPort).isPositive();
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration(IoUringServerAutoConfiguration.class)
	static class EchoApplication {

		@Bean
		TcpHandler echo() {
			return Connection::write;
		}

	}

}
