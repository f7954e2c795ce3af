package dev.iouring.autoconfigure;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.iouring.ring.IoUring;
import dev.iouring.server.Connection;
import dev.iouring.server.IoUringServer;
import dev.iouring.server.TcpHandler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * How an application's test finds the port of a server started on port 0: {@link LocalIoUringServerPort}.
 */
@SpringBootTest(properties = { "iouring.server.port=0", "iouring.server.event-loops=1", "iouring.ring.entries=64",
		"iouring.ring.cq-entries=256", "iouring.buffers.count=64" })
class LocalIoUringServerPortTests {

	@LocalIoUringServerPort
	private int port;

	@BeforeAll
	static void ioUringIsAvailable() {
		assumeThat(IoUring.isAvailable()).as(() -> "io_uring is unavailable: " + IoUring.availability().cause())
			.isTrue();
	}

	@Test
	void injectedPortIsTheOneTheServerBound(@Autowired IoUringServer server) throws IOException {
		assertThat(this.port).isPositive().isEqualTo(server.port());
		try (Socket client = new Socket(InetAddress.getLoopbackAddress(), this.port)) {
			client.setSoTimeout(30_000);
			client.getOutputStream().write('p');
			assertThat(client.getInputStream().read()).as("the echo of a byte sent to that port").isEqualTo('p');
		}
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
