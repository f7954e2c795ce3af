package dev.iouring.server;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.iouring.ring.IoUring;
import dev.iouring.ring.IoUringUnavailableException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Which server each transport gets, given what the io_uring probe found. Servers are created, not
 * started.
 */
@ExtendWith(OutputCaptureExtension.class)
class TcpServersTests {

	private static final IoUring.Availability AVAILABLE = new IoUring.Availability(true, "", "6.18", List.of(),
			List.of(), List.of());

	private static final IoUring.Availability REFUSED = new IoUring.Availability(false,
			"io_uring_setup failed: EPERM (blocked by a seccomp profile)", "6.18", List.of(), List.of(), List.of());

	private static final ServerSettings SETTINGS = ServerSettings.builder()
		.eventLoops(1)
		.listener(ListenerSettings.of("echo", 0, (connection, data) -> connection.write(data)))
		.build();

	@Test
	void autoUsesIoUringWhereItIsAvailable(CapturedOutput output) {
		assertThat(TcpServers.create(SETTINGS, Transport.AUTO, AVAILABLE).transport()).isEqualTo("io_uring");
		assertThat(output).doesNotContain("NIO transport");
	}

	@Test
	void autoFallsBackToNioWithOneWarningThatNamesTheCause(CapturedOutput output) {
		TcpServer server = TcpServers.create(SETTINGS, Transport.AUTO, REFUSED);
		assertThat(server.transport()).isEqualTo("nio");
		assertThat(server.settings()).isSameAs(SETTINGS);
		assertThat(output.getOut().lines().filter((line) -> line.contains("WARN")))
			.singleElement()
			.asString()
			.contains("io_uring is not available, so the server uses the NIO transport")
			.contains("io_uring_setup failed: EPERM (blocked by a seccomp profile)");
	}

	@Test
	void ioUringFailsFastWithTheCauseWhereItIsUnavailable() {
		assertThatExceptionOfType(IoUringUnavailableException.class)
			.isThrownBy(() -> TcpServers.create(SETTINGS, Transport.IO_URING, REFUSED))
			.withMessageContaining("io_uring_setup failed: EPERM (blocked by a seccomp profile)")
			.withMessageContaining("iouring.server.transport");
	}

	@Test
	void ioUringIsIoUringWhereItIsAvailable() {
		assertThat(TcpServers.create(SETTINGS, Transport.IO_URING, AVAILABLE).transport()).isEqualTo("io_uring");
	}

	@Test
	void nioIsNioEvenWhereIoUringIsAvailable(CapturedOutput output) {
		assertThat(TcpServers.create(SETTINGS, Transport.NIO, AVAILABLE).transport()).isEqualTo("nio");
		assertThat(output).doesNotContain("WARN");
	}

}
