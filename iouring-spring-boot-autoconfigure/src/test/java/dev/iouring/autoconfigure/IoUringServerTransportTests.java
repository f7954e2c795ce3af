package dev.iouring.autoconfigure;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.iouring.ring.IoUringAssumptions;
import dev.iouring.server.TcpHandler;
import dev.iouring.server.TcpServer;
import dev.iouring.server.Transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code iouring.server.transport} picks what carries the server. The contexts here start for real, on
 * port 0, and each test checks the server answers. Where the kernel must refuse io_uring, the application
 * runs in a child JVM that refuses it to itself with a seccomp filter ({@link IoUringRefusedApplication});
 * {@link NioFallbackTests} shows {@code auto} serving over NIO there.
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
	void ioUringTransportServesOverIoUringWhereItIsAvailable() {
		IoUringAssumptions.assumeIoUring();
		this.contextRunner.withPropertyValues("iouring.server.transport=io-uring")
			.run((context) -> assertServesOver(context, "io_uring"));
	}

	/**
	 * Asking for io_uring where the kernel refuses it stops the start, and the report says why, how to make
	 * io_uring work, and that {@code auto} serves over NIO meanwhile (what {@code transport: nio} would
	 * also do, but without giving io_uring back to the machines where it works).
	 */
	@Test
	void ioUringTransportFailsStartupWithTheCauseAndItsFixWhereTheKernelRefusesIoUring() throws Exception {
		assumeTrue(System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux"),
				"seccomp filters are a Linux feature");
		try (ChildApplication child = ChildApplication.start(List.of("--enable-native-access=ALL-UNNAMED"),
				IoUringRefusedApplication.class, "--iouring.server.transport=io-uring")) {
			int status = child.awaitExit();
			Optional<String> noSeccomp = child.line(IoUringRefusedApplication.NO_SECCOMP);
			assumeFalse(noSeccomp.isPresent(), () -> "cannot refuse io_uring to a process here: " + noSeccomp.get());
			assertThat(status).as("exit status of the child: %s", child.text()).isNotZero();
			assertThat(child.line(IoUringRefusedApplication.SERVING)).isEmpty();
			ChildApplication.FailureReport report = child.failureReport();
			assertThat(report.description()).contains("io_uring is not available: io_uring_setup failed with EPERM: "
					+ "a seccomp profile refuses io_uring to this process");
			assertThat(report.action())
				.contains("To use io_uring, run the container with a seccomp profile that allows io_uring_setup, "
						+ "io_uring_enter and io_uring_register")
				.contains("Or set iouring.server.transport=auto to serve over NIO where io_uring is not available.")
				.doesNotContain("sysctl")
				.doesNotContain("ulimit");
		}
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
