package dev.iouring.autoconfigure.health;

import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import dev.iouring.ring.RingOptions;
import dev.iouring.server.Connection;
import dev.iouring.server.EachTransport;
import dev.iouring.server.ListenerSettings;
import dev.iouring.server.ServerSettings;
import dev.iouring.server.TcpHandler;
import dev.iouring.server.TcpServer;
import dev.iouring.server.TestServers;
import dev.iouring.server.Transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Each health state of a real server, on each transport: serving, not started, draining, and a loop
 * that died of a fatal error thrown on it. (A loop whose ring breaks under it: {@link RingFailureHealthTests}.)
 */
@EachTransport
class IoUringHealthIndicatorTests {

	private static final TcpHandler ECHO = Connection::write;

	private static final Duration DEADLINE = Duration.ofSeconds(30);

	@Parameter
	Transport transport;

	private TcpServer server;

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
		assertThat(health.getDetails()).containsEntry("transport", transportName())
			.containsEntry("running", true)
			.containsEntry("draining", false)
			.containsEntry("loops", 1)
			.containsEntry("listeners", this.server.ports());
		assertThat(health.getDetails().get("setupFlags")).asInstanceOf(InstanceOfAssertFactories.LIST)
			.isEqualTo(this.server.loopStats().getFirst().setupFlagNames());
		if (this.transport == Transport.IO_URING) {
			assertThat(health.getDetails().get("setupFlags")).asInstanceOf(InstanceOfAssertFactories.LIST)
				.contains("SINGLE_ISSUER");
		}
		else {
			assertThat(health.getDetails().get("setupFlags")).as("NIO has no ring to set up")
				.asInstanceOf(InstanceOfAssertFactories.LIST)
				.isEmpty();
		}
	}

	@Test
	void outOfServiceBeforeTheServerHasStarted() {
		this.server = server(ECHO);
		Health health = new IoUringHealthIndicator(this.server).health();
		assertThat(health.getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
		assertThat(health.getDetails()).containsEntry("transport", transportName())
			.containsEntry("running", false)
			.containsEntry("loops", 0);
	}

	@Test
	void outOfServiceWhileDraining() throws Exception {
		this.server = server(ECHO);
		this.server.start();
		// A connected client keeps the drain going while health is asked.
		try (Socket client = connect(this.server.port())) {
			client.getOutputStream().write('x');
			assertThat(client.getInputStream().read()).isEqualTo('x');
			CountDownLatch drained = new CountDownLatch(1);
			this.server.shutDownGracefully(drained::countDown);
			Health draining = new IoUringHealthIndicator(this.server).health();
			assertThat(draining.getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
			assertThat(draining.getDetails()).containsEntry("draining", true);
			// The server's close lingers until this end closes too.
			assertThat(client.getInputStream().read()).as("end of stream after the drain").isEqualTo(-1);
			client.close();
			assertThat(drained.await(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();
		}
		assertThat(new IoUringHealthIndicator(this.server).health().getDetails()).containsEntry("draining", true);
	}

	@Test
	void downWithTheCauseWhenAnEventLoopDiedOfAFatalError() throws Exception {
		AtomicReference<Error> thrown = new AtomicReference<>();
		// The handler runs on the event loop; a VirtualMachineError there may not be contained to the
		// connection, so it ends the loop, and with it the server.
		this.server = server((connection, data) -> {
			InternalError fatal = new InternalError("simulated on the event loop");
			thrown.set(fatal);
			throw fatal;
		});
		this.server.start();
		assertThat(new IoUringHealthIndicator(this.server).health().getStatus()).isEqualTo(Status.UP);
		try (Socket client = connect(this.server.port())) {
			client.getOutputStream().write("break".getBytes(StandardCharsets.UTF_8));
			await().atMost(DEADLINE).until(() -> this.server.loopFailure() != null);
		}
		assertThat(this.server.loopFailure()).isSameAs(thrown.get());
		Health health = new IoUringHealthIndicator(this.server).health();
		assertThat(health.getStatus()).isEqualTo(Status.DOWN);
		assertThat(health.getDetails()).containsEntry("error", "java.lang.InternalError: simulated on the event loop")
			.containsEntry("transport", transportName());
	}

	private String transportName() {
		return (this.transport == Transport.NIO) ? "nio" : "io_uring";
	}

	private TcpServer server(TcpHandler handler) {
		return TestServers.create(this.transport, ServerSettings.builder()
			.ring(RingOptions.of(64, 256))
			.buffers(64, 4096)
			.eventLoops(1)
			.listener(ListenerSettings.of("echo", 0, handler))
			.build());
	}

	private static Socket connect(int port) throws java.io.IOException {
		Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
		socket.setSoTimeout((int) DEADLINE.toMillis());
		return socket;
	}

}
