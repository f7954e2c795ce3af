package dev.iouring.autoconfigure.health;

import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import dev.iouring.ring.IoUringAssumptions;
import dev.iouring.ring.RingOptions;
import dev.iouring.server.IoUringServer;
import dev.iouring.server.ListenerSettings;
import dev.iouring.server.ServerSettings;
import dev.iouring.server.TcpHandler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Health of an io_uring server whose ring really breaks under a loop ({@link RingSabotage}): the next
 * {@code io_uring_enter} fails, the loop dies, and health is DOWN with that failure. io_uring only: NIO
 * has no ring to break (a loop that dies of a fatal error, on each transport:
 * {@link IoUringHealthIndicatorTests}).
 */
class RingFailureHealthTests {

	private IoUringServer server;

	@BeforeAll
	static void ioUringIsAvailable() {
		IoUringAssumptions.assumeIoUring();
	}

	@AfterEach
	void stopServer() {
		if (this.server != null) {
			this.server.stop();
		}
	}

	@Test
	void downWithTheCauseWhenTheRingOfAnEventLoopBroke() throws Exception {
		Set<Integer> ringsBefore = RingSabotage.ioUringFds();
		Set<Integer> ourRings = new HashSet<>();
		// The handler runs on the event loop, the only thread that can drop the loop's registered ring fd.
		this.server = server((connection, data) -> RingSabotage.breakRingsOfThisThread(ourRings));
		this.server.start();
		ourRings.addAll(RingSabotage.ioUringFds());
		ourRings.removeAll(ringsBefore);
		assertThat(ourRings).as("the server's one ring").hasSize(1);
		assertThat(new IoUringHealthIndicator(this.server).health().getStatus()).isEqualTo(Status.UP);
		try (Socket client = new Socket(InetAddress.getLoopbackAddress(), this.server.port())) {
			client.setSoTimeout(30_000);
			client.getOutputStream().write("break".getBytes(StandardCharsets.UTF_8));
			await().atMost(Duration.ofSeconds(30)).until(() -> this.server.loopFailure() != null);
		}
		Health health = new IoUringHealthIndicator(this.server).health();
		assertThat(health.getStatus()).isEqualTo(Status.DOWN);
		assertThat(health.getDetails().get("error")).asString().contains("io_uring_enter");
	}

	private static IoUringServer server(TcpHandler handler) {
		return new IoUringServer(ServerSettings.builder()
			.ring(RingOptions.of(64, 256))
			.buffers(64, 4096)
			.eventLoops(1)
			.listener(ListenerSettings.of("echo", 0, handler))
			.build());
	}

}
