package dev.iouring.server;

import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;

import dev.iouring.ring.RingOptions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The idle timeout, on each transport: a connection that neither receives nor sends for that long is
 * closed (reason {@code idle-timeout}) between the timeout and one sweep after it, and sending keeps a
 * connection alive: a connection on which only the server writes, from another thread, outlives several
 * timeouts, and times out once the writes stop.
 */
@EachTransport
class IdleTimeoutTests {

	private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(1);

	/** The sweep runs every quarter of the shortest timeout. */
	private static final long SWEEP_NANOS = IDLE_TIMEOUT.toNanos() / 4;

	/** What a turn's clock may lag behind an event it polls without waiting. */
	private static final long CLOCK_SLACK_NANOS = Duration.ofMillis(20).toNanos();

	/** Room for a loaded machine on top of the sweep. */
	private static final long MARGIN_NANOS = TimeUnit.MILLISECONDS.toNanos(1500);

	/** The server's pushes come this often: four per timeout. */
	private static final Duration PUSH_INTERVAL = IDLE_TIMEOUT.dividedBy(4);

	/** How long the pushed connection must live: several timeouts. */
	private static final Duration SURVIVAL = IDLE_TIMEOUT.multipliedBy(4);

	@Parameter
	Transport transport;

	private TcpServer server;

	private final ScheduledExecutorService pusher = Executors.newSingleThreadScheduledExecutor();

	/** What the server saw of each connection, by the peer's port. */
	private final Map<Integer, Seen> seen = new ConcurrentHashMap<>();

	@AfterEach
	void stop() {
		if (this.server != null) {
			this.server.stop();
		}
		this.pusher.shutdownNow();
	}

	static final class Seen {

		volatile Connection connection;

		volatile long openedAt;

		volatile long closedAt;

		volatile CloseReason reason;

		final AtomicInteger closes = new AtomicInteger();

		/** When the pusher last called write. */
		volatile long lastPush;

	}

	private TcpServer start() {
		TcpHandler recording = new TcpHandler() {
			@Override
			public void onOpen(Connection connection) {
				Seen seen = IdleTimeoutTests.this.seen.computeIfAbsent(connection.remoteAddress().getPort(),
						(port) -> new Seen());
				seen.openedAt = System.nanoTime();
				seen.connection = connection;
			}

			@Override
			public void onData(Connection connection, Bytes data) {
			}

			@Override
			public void onClose(Connection connection, CloseReason reason) {
				Seen seen = IdleTimeoutTests.this.seen.get(connection.remoteAddress().getPort());
				seen.closedAt = System.nanoTime();
				seen.reason = reason;
				seen.closes.incrementAndGet();
			}
		};
		this.server = TestServers.create(this.transport, ServerSettings.builder()
			.ring(RingOptions.of(64, 256))
			.buffers(64, 4096)
			.eventLoops(1)
			.listener(ListenerSettings.of("idle", 0, recording).withLimits(16, IDLE_TIMEOUT))
			.build());
		this.server.start();
		return this.server;
	}

	private Seen awaitOpened(Socket peer) {
		await().atMost(Duration.ofSeconds(30)).until(() -> this.seen.containsKey(peer.getLocalPort())
				&& this.seen.get(peer.getLocalPort()).connection != null);
		return this.seen.get(peer.getLocalPort());
	}

	@Test
	void aConnectionTheServerKeepsWritingToOutlivesSeveralTimeoutsWhileASilentOneIsClosed() throws Exception {
		TcpServer server = start();
		long silentConnecting = System.nanoTime();
		try (Socket silentPeer = Peers.connect(server.port()); Socket pushedPeer = Peers.connect(server.port())) {
			Seen silent = awaitOpened(silentPeer);
			Seen pushed = awaitOpened(pushedPeer);
			ScheduledFuture<?> pushes = this.pusher.scheduleAtFixedRate(() -> {
				pushed.lastPush = System.nanoTime();
				pushed.connection.write(new byte[] { 'p' });
			}, 0, PUSH_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
			pushedPeer.setSoTimeout((int) PUSH_INTERVAL.toMillis());
			InputStream in = pushedPeer.getInputStream();
			long readUntil = System.nanoTime() + SURVIVAL.toNanos();
			int pushesReceived = 0;
			long lastByteSeen = 0;
			while (System.nanoTime() - readUntil < 0) {
				try {
					int b = in.read();
					assertThat(b).as("the pushed connection is still open after %d pushes", pushesReceived)
						.isEqualTo('p');
					pushesReceived++;
					lastByteSeen = System.nanoTime();
				}
				catch (SocketTimeoutException ex) {
					// No push in this interval; keep reading until the survival time is over.
				}
			}
			assertThat(pushed.closes).as("the pushed connection outlived %s", SURVIVAL).hasValue(0);
			assertThat(pushed.connection.isOpen()).isTrue();
			assertThat(pushesReceived).as("pushes received over %s", SURVIVAL).isGreaterThanOrEqualTo(8);

			assertThat(silent.closes).as("the silent connection was closed, once").hasValue(1);
			assertThat(silent.reason).isEqualTo(CloseReason.IDLE_TIMEOUT);
			// The loop takes its clock again after each wait, so the accept is stamped after the connect
			// began, give or take the few microseconds between a turn's clock and its non-blocking poll.
			assertThat(silent.closedAt - silentConnecting).as("not before the idle timeout")
				.isGreaterThanOrEqualTo(IDLE_TIMEOUT.toNanos() - CLOCK_SLACK_NANOS);
			assertThat(silent.closedAt - silent.openedAt).as("within a sweep of the idle timeout")
				.isLessThanOrEqualTo(IDLE_TIMEOUT.toNanos() + SWEEP_NANOS + MARGIN_NANOS);
			silentPeer.setSoTimeout(30_000);
			assertThat(silentPeer.getInputStream().read()).as("the silent peer sees end of stream").isEqualTo(-1);

			pushes.cancel(false);
			pushedPeer.setSoTimeout(30_000);
			while (in.read() == 'p') {
				lastByteSeen = System.nanoTime();
			}
			await().atMost(Duration.ofSeconds(30)).until(() -> pushed.closes.get() == 1);
			assertThat(pushed.reason).as("once the pushes stop, the connection times out")
				.isEqualTo(CloseReason.IDLE_TIMEOUT);
			assertThat(pushed.closedAt - pushed.lastPush).as("not before the idle timeout after the last push")
				.isGreaterThanOrEqualTo(IDLE_TIMEOUT.toNanos());
			assertThat(pushed.closedAt - lastByteSeen).as("within a sweep of the idle timeout after the last byte")
				.isLessThanOrEqualTo(IDLE_TIMEOUT.toNanos() + SWEEP_NANOS + MARGIN_NANOS);
			assertThat(Peers.closed(server, "idle", CloseReason.IDLE_TIMEOUT)).isEqualTo(2);
		}
	}

}
