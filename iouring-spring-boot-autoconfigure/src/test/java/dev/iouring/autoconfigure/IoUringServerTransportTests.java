package dev.iouring.autoconfigure;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.iouring.ring.IoUring;
import dev.iouring.ring.IoUringAssumptions;
import dev.iouring.ring.IoUringUnavailableException;
import dev.iouring.server.TcpHandler;
import dev.iouring.server.TcpServer;
import dev.iouring.server.Transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * {@code iouring.server.transport} picks what carries the server. The contexts here start for real, on
 * port 0, and each test checks the server answers.
 */
class IoUringServerTransportTests {

	private static final TcpHandler ECHO = (connection, data) -> connection.write(data);

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(IoUringServerAutoConfiguration.class))
		.withBean("echo", TcpHandler.class, () -> ECHO)
		.withPropertyValues("iouring.server.port=0", "iouring.server.event-loops=1", "iouring.ring.entries=64",
				"iouring.ring.cq-entries=256", "iouring.buffers.count=64", "iouring.buffers.size=4KB");

	@Test
	void transportIsAutoByDefault() {
		this.contextRunner.run((context) -> assertThat(context.getBean(IoUringProperties.class).getServer()
			.getTransport()).isEqualTo(Transport.AUTO));
	}

	@Test
	void nioTransportServesOverNioEvenWhereIoUringWorks() {
		this.contextRunner.withPropertyValues("iouring.server.transport=nio")
			.run((context) -> assertServesOver(context, "nio"));
	}

	@Test
	void autoTransportServesOverIoUringWhereItIsAvailable() {
		IoUringAssumptions.assumeIoUring();
		this.contextRunner.withPropertyValues("iouring.server.transport=auto")
			.run((context) -> assertServesOver(context, "io_uring"));
	}

	@Test
	void autoTransportServesOverNioWhereIoUringIsUnavailable() {
		assumeFalse(IoUring.isAvailable(), "io_uring is available here; NioFallbackTests refuses it to a child JVM");
		this.contextRunner.run((context) -> assertServesOver(context, "nio"));
	}

	@Test
	void ioUringTransportServesOverIoUringWhereItIsAvailable() {
		IoUringAssumptions.assumeIoUring();
		this.contextRunner.withPropertyValues("iouring.server.transport=io-uring")
			.run((context) -> assertServesOver(context, "io_uring"));
	}

	@Test
	void ioUringTransportFailsStartupWithAnAnalysisWhereIoUringIsUnavailable() {
		assumeFalse(IoUring.isAvailable(), "io_uring is available here; TcpServersTests covers the refusal");
		this.contextRunner.withPropertyValues("iouring.server.transport=io-uring").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause().isInstanceOf(IoUringUnavailableException.class);
			FailureAnalysis analysis = new IoUringUnavailableFailureAnalyzer().analyze(context.getStartupFailure());
			assertThat(analysis.getAction()).contains("iouring.server.transport=nio");
		});
	}

	private static void assertServesOver(AssertableApplicationContext context, String transport) throws IOException {
		assertThat(context).hasNotFailed();
		TcpServer server = context.getBean(TcpServer.class);
		assertThat(server.transport()).isEqualTo(transport);
		assertThat(server.isRunning()).isTrue();
		try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
			socket.setSoTimeout(30_000);
			socket.getOutputStream().write("ping".getBytes(StandardCharsets.UTF_8));
			assertThat(new String(socket.getInputStream().readNBytes(4), StandardCharsets.UTF_8)).isEqualTo("ping");
		}
	}

}
