package dev.iouring.autoconfigure.health;

import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import dev.iouring.ring.IoUringAssumptions;
import dev.iouring.ring.RingOptions;
import dev.iouring.server.Connection;
import dev.iouring.server.IoUringServer;
import dev.iouring.server.ListenerSettings;
import dev.iouring.server.ServerSettings;
import dev.iouring.server.TcpHandler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Each health state of a real server: serving, not started, draining, and a loop that really died.
 */
class IoUringHealthIndicatorTests {

	private static final TcpHandler ECHO = Connection::write;

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
	void upWhileServingWithTransportListenersLoopsAndGrantedSetupFlags() {
		this.server = server(ECHO);
		this.server.start();
		Health health = new IoUringHealthIndicator(this.server).health();
		assertThat(health.getStatus()).isEqualTo(Status.UP);
		assertThat(health.getDetails()).containsEntry("transport", "io_uring")
			.containsEntry("loops", 1)
			.containsEntry("listeners", this.server.ports());
		assertThat(health.getDetails().get("setupFlags")).asInstanceOf(InstanceOfAssertFactories.LIST)
			.contains("SINGLE_ISSUER")
			.isEqualTo(this.server.loopStats().getFirst().setupFlagNames());
	}

	@Test
	void outOfServiceBeforeTheServerHasStarted() {
		this.server = server(ECHO);
		Health health = new IoUringHealthIndicator(this.server).health();
		assertThat(health.getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
		assertThat(health.getDetails()).containsEntry("running", false).containsEntry("loops", 0);
	}

	@Test
	void outOfServiceWhileDraining() throws Exception {
		this.server = server(ECHO);
		this.server.start();
		CountDownLatch drained = new CountDownLatch(1);
		this.server.shutDownGracefully(drained::countDown);
		assertThat(new IoUringHealthIndicator(this.server).health().getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
		assertThat(drained.await(10, TimeUnit.SECONDS)).isTrue();
		assertThat(new IoUringHealthIndicator(this.server).health().getDetails()).containsEntry("draining", true);
	}

	@Test
	void downWithTheCauseWhenAnEventLoopDied() throws Exception {
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
			client.getOutputStream().write("break".getBytes(StandardCharsets.UTF_8));
			await().until(() -> this.server.loopFailure() != null);
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
