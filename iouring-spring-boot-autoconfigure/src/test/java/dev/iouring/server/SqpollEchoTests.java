package dev.iouring.server;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.iouring.ring.IoUringAssumptions;
import dev.iouring.ring.RingOptions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * With {@code iouring.ring.sqpoll=true} a kernel thread submits the SQEs; the server must work the same.
 * The poller's idle time is 1 ms, so it is asleep by the time the client connects and the server's
 * submissions go through the IORING_SQ_NEED_WAKEUP path.
 */
class SqpollEchoTests {

	private IoUringServer server;

	@BeforeEach
	void assumeIoUring() {
		IoUringAssumptions.assumeIoUring();
	}

	@AfterEach
	void stop() {
		if (this.server != null) {
			this.server.stop();
		}
	}

	@Test
	void echoesOverAnSqpollRingAcrossPollerSleeps() throws Exception {
		RingOptions sqpoll = new RingOptions(64, 256, true, Duration.ofMillis(1), -1);
		this.server = new IoUringServer(ServerSettings.builder()
			.ring(sqpoll)
			.buffers(64, 4096)
			.eventLoops(1)
			.listener(ListenerSettings.of("echo", 0, (connection, data) -> connection.write(data)))
			.build());
		this.server.start();
		assertThat(this.server.loopStats().getFirst().setupFlags()).contains("SQPOLL");
		Random random = new Random(11);
		try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), this.server.port())) {
			socket.setSoTimeout(30_000);
			OutputStream out = socket.getOutputStream();
			InputStream in = socket.getInputStream();
			for (int i = 0; i < 50; i++) {
				byte[] message = new byte[1 + random.nextInt(20_000)];
				random.nextBytes(message);
				out.write(message);
				byte[] echoed = in.readNBytes(message.length);
				assertThat(Arrays.equals(echoed, message)).as("message %d", i).isTrue();
			}
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> this.server.activeConnections() == 0);
	}

}
