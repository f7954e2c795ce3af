package dev.iouring.autoconfigure;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.context.LifecycleAutoConfiguration;
import org.springframework.boot.availability.ApplicationAvailabilityBean;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.support.StaticApplicationContext;

import dev.iouring.autoconfigure.IoUringProperties.Shutdown;
import dev.iouring.ring.IoUringAssumptions;
import dev.iouring.server.CloseReason;
import dev.iouring.server.Connection;
import dev.iouring.server.IoUringServer;
import dev.iouring.server.ListenerSettings;
import dev.iouring.server.ServerSettings;
import dev.iouring.server.TcpHandler;
import dev.iouring.server.TcpServer;
import dev.iouring.server.Transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The lifecycle contract of {@link IoUringServerGracefulShutdownLifecycle} and
 * {@link IoUringServerStartStopLifecycle}: readiness and refusals on their own, then shutdown as a real
 * application context closes, on each transport, with a client in the middle of an exchange (a reply far
 * larger than the kernel buffers, which the client has not read yet). {@code shutdown: immediate} closes
 * the connection at once; a graceful shutdown lets the exchange finish first; and when the drain outlasts
 * {@code spring.lifecycle.timeout-per-shutdown-phase}, the close goes on after that timeout and the hard
 * stop closes the connection.
 */
class IoUringServerGracefulShutdownLifecycleTests {

	private final IoUringServer server = new IoUringServer(
			ServerSettings.builder().eventLoops(1).listener(ListenerSettings.of("default", 0, Connection::write)).build());

	private final StaticApplicationContext context = new StaticApplicationContext();

	/** Far more than the kernel buffers of one connection hold with the caps used, far below the write limit. */
	private static final int REPLY_SIZE = 1024 * 1024;

	private static final Duration DEADLINE = Duration.ofSeconds(30);

	/** Long enough for a close that does not wait, on a loaded machine. */
	private static final Duration SOON = Duration.ofSeconds(10);

	private static final Duration PHASE_TIMEOUT = Duration.ofSeconds(1);

	/** The application of the shutdown tests. */
	private ConfigurableApplicationContext running;

	private Socket client;

	/** Readiness events in the order they were published, each with whether the drain had begun. */
	private final List<String> readinessEvents = new CopyOnWriteArrayList<>();

	private StaticApplicationContext refreshedContext(boolean withAvailabilityBean) {
		if (withAvailabilityBean) {
			this.context.registerSingleton("applicationAvailability", ApplicationAvailabilityBean.class);
		}
		this.context.addApplicationListener((ApplicationListener<AvailabilityChangeEvent<?>>) (event) -> this.readinessEvents
			.add(event.getState() + " from " + event.getSource().getClass().getSimpleName() + ", draining="
					+ this.server.isDraining()));
		this.context.refresh();
		return this.context;
	}

	@AfterEach
	void closeContext() throws IOException {
		this.context.close();
		if (this.client != null) {
			this.client.close();
		}
		if (this.running != null) {
			this.running.close();
		}
	}

	@Test
	void stopRefusesTrafficBeforeItDrains() {
		IoUringServerGracefulShutdownLifecycle lifecycle = new IoUringServerGracefulShutdownLifecycle(this.server,
				Shutdown.IMMEDIATE, refreshedContext(true));
		lifecycle.start();
		lifecycle.stop(() -> this.readinessEvents.add("called back"));
		assertThat(this.readinessEvents).containsExactly("REFUSING_TRAFFIC from IoUringServer, draining=false",
				"called back");
		assertThat(this.context.getBean(ApplicationAvailabilityBean.class).getReadinessState())
			.isEqualTo(ReadinessState.REFUSING_TRAFFIC);
	}

	@Test
	void readinessAlreadyRefusedByAWebContextIsNotPublishedAgain() {
		StaticApplicationContext context = refreshedContext(true);
		// What Boot's web server application contexts do as their close begins.
		AvailabilityChangeEvent.publish(context, ReadinessState.REFUSING_TRAFFIC);
		IoUringServerGracefulShutdownLifecycle lifecycle = new IoUringServerGracefulShutdownLifecycle(this.server,
				Shutdown.IMMEDIATE, context);
		lifecycle.start();
		lifecycle.stop(() -> {
		});
		assertThat(this.readinessEvents).containsExactly("REFUSING_TRAFFIC from StaticApplicationContext, draining=false");
	}

	@ParameterizedTest
	@EnumSource(value = Transport.class, names = { "IO_URING", "NIO" })
	void immediateShutdownClosesAConnectionInTheMiddleOfAnExchangeAtOnce(Transport transport) throws Exception {
		Exchange exchange = startExchange(transport, "immediate", "30s");
		CompletableFuture<Void> closing = CompletableFuture.runAsync(this.running::close);
		assertThat(closing).as("the close does not wait for the exchange").succeedsWithin(SOON);
		assertThat(exchange.server().isRunning()).isFalse();
		assertThat(exchange.server().activeConnections()).isZero();
		assertThat(closed(exchange.server(), CloseReason.SERVER_STOPPED)).isEqualTo(1);
		assertThat(exchange.readRest()).as("the reply was cut short").isLessThan(REPLY_SIZE - 1);
	}

	@ParameterizedTest
	@EnumSource(value = Transport.class, names = { "IO_URING", "NIO" })
	void gracefulShutdownLetsTheExchangeFinishThenClosesTheConnection(Transport transport) throws Exception {
		Exchange exchange = startExchange(transport, "graceful", "30s");
		CompletableFuture<Void> closing = CompletableFuture.runAsync(this.running::close);
		await().atMost(DEADLINE).until(exchange.server()::isDraining);
		assertThat(exchange.server().activeConnections()).as("the exchange is still under way").isEqualTo(1);
		assertThat(closing).as("the close waits for the exchange").isNotDone();
		assertThat(exchange.readRest()).as("the whole reply, then end of stream").isEqualTo(REPLY_SIZE - 1);
		assertThat(closing).as("the close ends once the exchange did").succeedsWithin(DEADLINE);
		assertThat(exchange.server().isRunning()).isFalse();
		assertThat(closed(exchange.server(), CloseReason.SERVER_STOPPED)).isEqualTo(1);
	}

	@ParameterizedTest
	@EnumSource(value = Transport.class, names = { "IO_URING", "NIO" })
	void aDrainThatOutlastsTheShutdownPhaseTimeoutEndsInAHardStop(Transport transport) throws Exception {
		Exchange exchange = startExchange(transport, "graceful", PHASE_TIMEOUT.toMillis() + "ms");
		long start = System.nanoTime();
		CompletableFuture<Void> closing = CompletableFuture.runAsync(this.running::close);
		// The client never reads: the drain cannot finish.
		assertThat(closing).as("the close goes on without the drain").succeedsWithin(DEADLINE);
		long took = System.nanoTime() - start;
		assertThat(took).as("the close waited for the drain until the phase timeout")
			.isGreaterThanOrEqualTo(PHASE_TIMEOUT.toNanos());
		assertThat(took).as("and went on once it passed")
			.isLessThanOrEqualTo(PHASE_TIMEOUT.plus(SOON).toNanos());
		assertThat(exchange.server().isRunning()).isFalse();
		assertThat(exchange.server().activeConnections()).isZero();
		assertThat(closed(exchange.server(), CloseReason.SERVER_STOPPED)).isEqualTo(1);
		assertThat(exchange.readRest()).as("the hard stop cut the reply short").isLessThan(REPLY_SIZE - 1);
	}

	/**
	 * Runs an application with the server on {@code transport} and a client that asked for a reply and
	 * read its first byte only; most of the reply waits in the server's queue.
	 */
	private Exchange startExchange(Transport transport, String shutdown, String phaseTimeout) throws Exception {
		if (transport == Transport.IO_URING) {
			IoUringAssumptions.assumeIoUring();
		}
		this.running = new SpringApplicationBuilder(ExchangeApplication.class).web(WebApplicationType.NONE)
			.properties("iouring.server.transport=" + transport.name(), "iouring.server.address=127.0.0.1",
					"iouring.server.port=0", "iouring.server.event-loops=1", "iouring.ring.entries=64",
					"iouring.ring.cq-entries=256", "iouring.buffers.count=64", "iouring.buffers.size=4KB",
					"iouring.server.socket.send-buffer=4KB", "iouring.server.shutdown=" + shutdown,
					"spring.lifecycle.timeout-per-shutdown-phase=" + phaseTimeout)
			.run();
		TcpServer server = this.running.getBean(TcpServer.class);
		Socket client = new Socket();
		this.client = client;
		client.setReceiveBufferSize(4096);
		client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), 5000);
		client.setSoTimeout((int) DEADLINE.toMillis());
		client.getOutputStream().write('g');
		assertThat(client.getInputStream().read()).as("the reply began").isEqualTo('r');
		await().atMost(DEADLINE).until(() -> server.queuedBytes() > REPLY_SIZE / 2);
		return new Exchange(server, client);
	}

	private static long closed(TcpServer server, CloseReason reason) {
		return server.listenerStats().stream().mapToLong((stats) -> stats.closed(reason)).sum();
	}

	/** A running server and a client in the middle of its reply. */
	record Exchange(TcpServer server, Socket client) {

		/**
		 * Reads the rest of the reply until end of stream.
		 * @return how many bytes came after the first
		 */
		long readRest() throws IOException {
			return this.client.getInputStream().readAllBytes().length;
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ IoUringServerAutoConfiguration.class, LifecycleAutoConfiguration.class })
	static class ExchangeApplication {

		/** Answers any bytes with a reply of {@link #REPLY_SIZE} bytes: 'r', then zeros. */
		@Bean
		TcpHandler largeReply() {
			byte[] reply = new byte[REPLY_SIZE];
			reply[0] = 'r';
			return (connection, data) -> connection.write(reply);
		}

	}

	@Test
	void directStopIsRefused() {
		IoUringServerGracefulShutdownLifecycle lifecycle = new IoUringServerGracefulShutdownLifecycle(this.server,
				Shutdown.GRACEFUL, this.context);
		assertThatExceptionOfType(UnsupportedOperationException.class).isThrownBy(lifecycle::stop);
	}

	@Test
	void neitherLifecycleCanBePaused() {
		assertThat(new IoUringServerGracefulShutdownLifecycle(this.server, Shutdown.GRACEFUL, this.context)
			.isPauseable()).isFalse();
		assertThat(new IoUringServerStartStopLifecycle(this.server, new StaticApplicationContext())
			.isPauseable()).isFalse();
	}

}
