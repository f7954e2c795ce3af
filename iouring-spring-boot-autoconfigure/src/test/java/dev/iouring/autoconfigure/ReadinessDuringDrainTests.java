package dev.iouring.autoconfigure;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.availability.ApplicationAvailabilityAutoConfiguration;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.iouring.ring.IoUringAssumptions;
import dev.iouring.server.EachTransport;
import dev.iouring.server.TcpHandler;
import dev.iouring.server.TcpServer;
import dev.iouring.server.Transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Readiness during a graceful drain, over real TCP on each transport: a client asks for a reply it reads
 * slowly, the application context closes on another thread, and readiness reports REFUSING_TRAFFIC while
 * that client is still connected; the state was published while the listener still accepted. Then the
 * client reads the whole reply and end of stream, and the close completes.
 */
@EachTransport
class ReadinessDuringDrainTests {

	private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

	/** Far more than the kernel buffers of one connection hold with the caps below, far below the write limit. */
	private static final int REPLY_SIZE = 1024 * 1024;

	private static final Duration DEADLINE = Duration.ofSeconds(30);

	@Parameter
	Transport transport;

	private final AtomicReference<TcpServer> server = new AtomicReference<>();

	/** What was true when readiness changed: each entry the state, whether draining, whether a connect got in. */
	private final List<String> readinessChanges = new CopyOnWriteArrayList<>();

	private ConfigurableApplicationContext context;

	@AfterEach
	void closeContext() {
		if (this.context != null) {
			this.context.close();
		}
	}

	@Test
	void readinessRefusesTrafficWhileAClientIsStillBeingDrained() throws Exception {
		if (this.transport == Transport.IO_URING) {
			IoUringAssumptions.assumeIoUring();
		}
		this.context = new SpringApplicationBuilder(DrainApplication.class).web(WebApplicationType.NONE)
			.listeners(this::recordReadiness)
			.properties("iouring.server.transport=" + this.transport.name(), "iouring.server.address=127.0.0.1",
					"iouring.server.port=0", "iouring.server.event-loops=1", "iouring.ring.entries=64",
					"iouring.ring.cq-entries=256", "iouring.buffers.count=64", "iouring.buffers.size=4KB",
					// Small kernel buffers keep most of the reply queued in the server, so the drain has to wait.
					"iouring.server.socket.send-buffer=4KB", "spring.lifecycle.timeout-per-shutdown-phase=30s")
			.run();
		TcpServer server = this.context.getBean(TcpServer.class);
		this.server.set(server);
		ApplicationAvailability availability = this.context.getBean(ApplicationAvailability.class);
		assertThat(availability.getReadinessState()).isEqualTo(ReadinessState.ACCEPTING_TRAFFIC);
		try (Socket client = new Socket()) {
			client.setReceiveBufferSize(4096);
			client.connect(new InetSocketAddress(LOOPBACK, server.port()), 5000);
			client.setSoTimeout((int) DEADLINE.toMillis());
			client.getOutputStream().write('g');
			client.getOutputStream().flush();
			InputStream in = client.getInputStream();
			assertThat(in.read()).isEqualTo('r');
			await().atMost(DEADLINE).until(() -> server.queuedBytes() > 0);

			CompletableFuture<Void> closing = CompletableFuture.runAsync(this.context::close);

			await().atMost(DEADLINE).until(server::isDraining);
			assertThat(availability.getReadinessState()).isEqualTo(ReadinessState.REFUSING_TRAFFIC);
			assertThat(server.activeConnections()).isEqualTo(1);
			assertThat(closing).isNotDone();
			assertThat(this.readinessChanges).containsExactly("ACCEPTING_TRAFFIC",
					"REFUSING_TRAFFIC draining=false listenerAccepted=true");

			byte[] rest = in.readAllBytes();
			assertThat(rest.length + 1).isEqualTo(REPLY_SIZE);
			closing.get(DEADLINE.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
			assertThat(server.isRunning()).isFalse();
		}
	}

	/**
	 * Runs on the thread that publishes: for the refusal, that is the closing thread, before the drain
	 * begins. A connect that completes then proves the listener was still open.
	 */
	private void recordReadiness(ApplicationEvent event) {
		if (event instanceof AvailabilityChangeEvent<?> change && change.getState() instanceof ReadinessState state) {
			TcpServer server = this.server.get();
			if (state == ReadinessState.REFUSING_TRAFFIC && server != null) {
				this.readinessChanges.add(state + " draining=" + server.isDraining() + " listenerAccepted="
						+ connects(server.port()));
			}
			else {
				this.readinessChanges.add(state.toString());
			}
		}
	}

	private static boolean connects(int port) {
		try (Socket probe = new Socket()) {
			probe.connect(new InetSocketAddress(LOOPBACK, port), 5000);
			return true;
		}
		catch (java.io.IOException ex) {
			return false;
		}
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ IoUringServerAutoConfiguration.class, ApplicationAvailabilityAutoConfiguration.class })
	static class DrainApplication {

		/** Answers any bytes with a reply of {@link #REPLY_SIZE} bytes: 'r', then zeros. */
		@Bean
		TcpHandler slowReader() {
			byte[] reply = new byte[REPLY_SIZE];
			reply[0] = 'r';
			return (connection, data) -> connection.write(reply);
		}

	}

}
