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
			"io_uring_setup failed with EPERM: a seccomp profile refuses io_uring to this process", "6.18", List.of(),
			List.of(), List.of(), IoUring.Reason.BLOCKED_BY_SECCOMP);

	private static final IoUring.Availability UNCLASSIFIED = new IoUring.Availability(false,
			"io_uring_setup failed with EBADF", "6.18", List.of(), List.of(), List.of());

	private static final ServerSettings SETTINGS = ServerSettings.builder()
		.eventLoops(1)
		.listener(ListenerSettings.of("echo", 0, (connection, data) -> connection.write(data)))
		.build();

	@Test
	void autoUsesIoUringWhereItIsAvailable(CapturedOutput output) {
		assertThat(TcpServers.create(SETTINGS, Transport.AUTO, () -> AVAILABLE).transport()).isEqualTo("io_uring");
		assertThat(output).doesNotContain("NIO transport");
	}

	@Test
	void autoFallsBackToNioWithOneWarningThatNamesTheCauseAndItsFix(CapturedOutput output) {
		TcpServer server = TcpServers.create(SETTINGS, Transport.AUTO, () -> REFUSED);
		assertThat(server.transport()).isEqualTo("nio");
		assertThat(server.settings()).isSameAs(SETTINGS);
		assertThat(output.getOut().lines().filter((line) -> line.contains("WARN")))
			.singleElement()
			.asString()
			.endsWith("io_uring is not available, so the server uses the NIO transport: io_uring_setup failed with "
					+ "EPERM: a seccomp profile refuses io_uring to this process. To use io_uring, "
					+ IoUringFixes.fix(IoUring.Reason.BLOCKED_BY_SECCOMP))
			.doesNotContain("sysctl")
			.doesNotContain("ulimit");
	}

	@Test
	void autoWarnsWithTheCauseAloneWhenNoFixIsKnown(CapturedOutput output) {
		TcpServers.create(SETTINGS, Transport.AUTO, () -> UNCLASSIFIED);
		assertThat(output.getOut().lines().filter((line) -> line.contains("WARN")))
			.singleElement()
			.asString()
			.endsWith("the NIO transport: io_uring_setup failed with EBADF.");
	}

	@Test
	void ioUringFailsFastWithTheCauseAndItsReasonWhereItIsUnavailable() {
		assertThatExceptionOfType(IoUringUnavailableException.class)
			.isThrownBy(() -> TcpServers.create(SETTINGS, Transport.IO_URING, () -> REFUSED))
			.withMessage("io_uring is not available: io_uring_setup failed with EPERM: a seccomp profile refuses "
					+ "io_uring to this process")
			.extracting(IoUringUnavailableException::reason)
			.isEqualTo(IoUring.Reason.BLOCKED_BY_SECCOMP);
	}

	@Test
	void ioUringIsIoUringWhereItIsAvailable() {
		assertThat(TcpServers.create(SETTINGS, Transport.IO_URING, () -> AVAILABLE).transport()).isEqualTo("io_uring");
	}

	@Test
	void nioIsNioEvenWhereIoUringIsAvailable(CapturedOutput output) {
		assertThat(TcpServers.create(SETTINGS, Transport.NIO, () -> AVAILABLE).transport()).isEqualTo("nio");
		assertThat(output).doesNotContain("WARN");
	}

}
