package dev.iouring.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;

import dev.iouring.ring.RingOptions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What a connection does under backpressure, half-close, limits, idle peers and failing handlers.
 */
@EachTransport
class ConnectionBehaviourTests {

	private static final int HIGH_WATER_MARK = 64 * 1024;

	private static final int BUFFER_SIZE = 4096;

	private static final int RECEIVE_BUFFERS = 256;

	private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(1);

	/** Allowed between the server sending a byte and a peer on loopback reading it. */
	private static final Duration ECHO_LATENCY = Duration.ofMillis(50);

	/**
	 * The latest an idle connection may close: its timeout, plus the time between deadline sweeps (a
	 * quarter of the shortest timeout, see ConnectionTimers), plus room for a loaded machine.
	 */
	private static final Duration LATEST_IDLE_CLOSE = IDLE_TIMEOUT.plus(IDLE_TIMEOUT.dividedBy(4))
		.plus(Duration.ofMillis(750));

	@Parameter
	Transport transport;

	private TcpServer server;

	@AfterEach
	void stop() {
		if (this.server != null) {
			this.server.stop();
		}
	}

	private TcpServer start(ListenerSettings listener) {
		return start(listener, RECEIVE_BUFFERS);
	}

	private TcpServer start(ListenerSettings listener, int bufferCount) {
		return start(listener, bufferCount, 0);
	}

	/** @param writeLimit the write limit, or 0 for the default */
	private TcpServer start(ListenerSettings listener, int bufferCount, long writeLimit) {
		ServerSettings.Builder settings = ServerSettings.builder()
			.ring(RingOptions.of(256, 1024))
			.buffers(bufferCount, BUFFER_SIZE)
			.eventLoops(1)
			.writeWaterMarks(HIGH_WATER_MARK / 2, HIGH_WATER_MARK)
			.listener(listener);
		if (writeLimit > 0) {
			settings.writeLimit(writeLimit);
		}
		this.server = TestServers.create(this.transport, settings.build());
		this.server.start();
		return this.server;
	}

	private static Socket connect(TcpServer server) throws IOException {
		Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port());
		socket.setSoTimeout(30_000);
		return socket;
	}

	@Test
	void peerThatNeverReadsCannotMakeTheServerHoldMoreThanHighWaterMarkPlusOneReceiveBurstAndLosesNothing()
			throws Exception {
		List<Boolean> writability = new CopyOnWriteArrayList<>();
		TcpHandler echo = new TcpHandler() {
			@Override
			public void onData(Connection connection, Bytes data) {
				connection.write(data);
			}

			@Override
			public void onWritabilityChanged(Connection connection, boolean writable) {
				writability.add(writable);
			}
		};
		byte[] payload = new byte[24 * 1024 * 1024];
		new Random(7).nextBytes(payload);
		// A write limit above the payload: a server that kept reading past the high water mark would
		// queue the whole echo instead of being closed at the limit, and the bound below would catch it.
		TcpServer server = start(ListenerSettings.of("echo", 0, echo), RECEIVE_BUFFERS, 2L * payload.length);
		// Resources close in reverse order: the socket first, which also ends a writer still blocked in write.
		try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor(); Socket socket = connect(server)) {
			AtomicLong written = new AtomicLong();
			var writer = executor.submit(() -> {
				OutputStream out = socket.getOutputStream();
				for (int offset = 0; offset < payload.length; offset += 8192) {
					out.write(payload, offset, Math.min(8192, payload.length - offset));
					written.addAndGet(Math.min(8192, payload.length - offset));
				}
				return null;
			});
			await().atMost(Duration.ofSeconds(30)).until(() -> writability.contains(false));
			// The client keeps pushing and reads nothing. Once the kernel's socket buffers are full the
			// writer makes no progress: then the server holds all it ever will.
			awaitNoProgress(written, Duration.ofSeconds(1), Duration.ofSeconds(60));
			long held = heldBytes(server);
			// README, "Backpressure and limits": a peer that never reads costs at most the high water mark
			// plus one receive burst, and a burst is never more than the ring's buffers.
			long bound = HIGH_WATER_MARK + (long) RECEIVE_BUFFERS * BUFFER_SIZE;
			assertThat(held).as("queued plus held receive bytes, once the peer's writes stalled").isLessThanOrEqualTo(bound);
			assertThat(written.get()).as("the peer's writes stalled short of the payload").isLessThan(payload.length);
			assertThat(server.activeConnections()).isEqualTo(1);
			// Now read everything back: backpressure delayed bytes, it lost none.
			InputStream in = socket.getInputStream();
			byte[] echoed = in.readNBytes(payload.length);
			writer.get(60, TimeUnit.SECONDS);
			assertThat(Arrays.equals(echoed, payload)).as("echo equals what was sent").isTrue();
			assertThat(writability).contains(true);
		}
	}

	/**
	 * What the server holds for its connections: the outbound queues, plus on io_uring the receive buffers
	 * held back undelivered (each counted whole). NIO reads into one loop buffer and delivers at once.
	 */
	private long heldBytes(TcpServer server) {
		long held = server.queuedBytes();
		if (this.transport == Transport.IO_URING) {
			for (LoopStats loop : server.loopStats()) {
				held += (loop.bufferCount() - loop.buffersAvailable()) * (long) loop.bufferSize();
			}
		}
		return held;
	}

	/** Waits until a counter has not moved for {@code quiet}, failing after {@code deadline}. */
	private static void awaitNoProgress(AtomicLong counter, Duration quiet, Duration deadline) {
		long[] last = { -1, 0 };
		await().atMost(deadline).pollInterval(Duration.ofMillis(20)).until(() -> {
			long value = counter.get();
			long now = System.nanoTime();
			if (value != last[0]) {
				last[0] = value;
				last[1] = now;
				return false;
			}
			return now - last[1] >= quiet.toNanos();
		});
	}

	@Test
	void peersThatNeverReadCannotStarveAnotherConnectionOfReceiveBuffers() throws Exception {
		// 16 receive buffers and 40 peers that push without reading: unwritable connections may keep
		// received bytes in ring buffers, but never so many that a well-behaved peer cannot be served.
		TcpServer server = start(ListenerSettings.of("echo", 0, (connection, data) -> connection.write(data)), 16);
		List<Socket> hogs = new java.util.ArrayList<>();
		try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
			for (int i = 0; i < 40; i++) {
				Socket hog = connect(server);
				hogs.add(hog);
				executor.submit(() -> {
					byte[] chunk = new byte[16 * 1024];
					OutputStream out = hog.getOutputStream();
					for (int n = 0; n < 4096; n++) {
						out.write(chunk);
					}
					return null;
				});
			}
			try {
				await().atMost(Duration.ofSeconds(60))
					.until(() -> server.listenerStats().stream().mapToLong(ListenerStats::bytesReceived).sum() > 40L
							* HIGH_WATER_MARK);
				try (Socket polite = connect(server)) {
					for (int i = 0; i < 200; i++) {
						byte[] message = ("message-" + i).getBytes(StandardCharsets.UTF_8);
						polite.getOutputStream().write(message);
						assertThat(polite.getInputStream().readNBytes(message.length)).isEqualTo(message);
					}
				}
			}
			finally {
				// Reset the hogs so their blocked writers fail and the executor can close.
				for (Socket hog : hogs) {
					hog.setSoLinger(true, 0);
					hog.close();
				}
			}
		}
	}

	@Test
	void shutdownOutputSendsPendingBytesThenEndOfStreamAndKeepsReading() throws Exception {
		List<String> received = new CopyOnWriteArrayList<>();
		TcpServer server = start(ListenerSettings.of("half", 0, (connection, data) -> {
			received.add(data.toUtf8());
			if (received.size() == 1) {
				connection.write("bye");
				connection.shutdownOutput();
				connection.write("ignored after shutdown");
			}
		}));
		try (Socket socket = connect(server)) {
			socket.getOutputStream().write("first".getBytes(StandardCharsets.UTF_8));
			byte[] reply = socket.getInputStream().readAllBytes();
			assertThat(new String(reply, StandardCharsets.UTF_8)).isEqualTo("bye");
			socket.getOutputStream().write("second".getBytes(StandardCharsets.UTF_8));
			await().atMost(Duration.ofSeconds(10)).until(() -> String.join("", received).equals("firstsecond"));
		}
	}

	@Test
	void idleConnectionsAreClosedNoEarlierThanTheIdleTimeoutAndWithinOneSweepAfterIt() throws Exception {
		TcpServer server = start(idleListener((connection, data) -> {
		}));
		// A first connection warms the accept path up, so the loop handles the measured ones at once.
		connect(server).close();
		await().atMost(Duration.ofSeconds(10)).until(() -> server.activeConnections() == 0);
		for (int i = 0; i < 3; i++) {
			// Placing, not a wait: connect half a sweep after the loop's last wake-up (the close before),
			// where a deadline clock taken before the loop went to sleep would lag by that much and
			// show as a close sooner than the timeout.
			Thread.sleep(IDLE_TIMEOUT.dividedBy(8));
			// Taken before connecting, so the server's idle clock for the connection starts later.
			long connecting = System.nanoTime();
			try (Socket socket = connect(server)) {
				assertThat(socket.getInputStream().read()).isEqualTo(-1);
				assertThat(Duration.ofNanos(System.nanoTime() - connecting))
					.as("connection %d open until the idle close", i)
					.isBetween(IDLE_TIMEOUT, LATEST_IDLE_CLOSE);
			}
		}
		await().atMost(Duration.ofSeconds(10))
			.until(() -> server.listenerStats().getFirst().closed(CloseReason.IDLE_TIMEOUT) == 3);
	}

	@Test
	void connectionThatSendsMoreOftenThanTheIdleTimeoutStaysOpenUntilItFallsSilent() throws Exception {
		TcpServer server = start(idleListener((connection, data) -> connection.write(data)));
		try (Socket socket = connect(server)) {
			long start = System.nanoTime();
			int pings = 0;
			long silent;
			do {
				// Pacing, not a wait: the peer talks ten times per idle timeout.
				Thread.sleep(IDLE_TIMEOUT.dividedBy(10));
				socket.getOutputStream().write('p');
				assertThat(socket.getInputStream().read()).as("echo of ping %d", pings++).isEqualTo('p');
				silent = System.nanoTime();
			}
			while (silent - start < IDLE_TIMEOUT.multipliedBy(4).toNanos());
			assertThat(server.listenerStats().getFirst().closed(CloseReason.IDLE_TIMEOUT)).isZero();
			assertThat(socket.getInputStream().read()).isEqualTo(-1);
			// The server's last activity was sending the echo, a moment before this peer read it.
			assertThat(Duration.ofNanos(System.nanoTime() - silent)).as("open after the peer fell silent")
				.isBetween(IDLE_TIMEOUT.minus(ECHO_LATENCY), LATEST_IDLE_CLOSE);
		}
		await().atMost(Duration.ofSeconds(10))
			.until(() -> server.listenerStats().getFirst().closed(CloseReason.IDLE_TIMEOUT) == 1);
	}

	@Test
	void connectionThatOnlyReceivesWhatTheServerPushesIsNotIdle() throws Exception {
		AtomicBoolean pushing = new AtomicBoolean(true);
		ScheduledExecutorService pusher = Executors.newSingleThreadScheduledExecutor();
		TcpHandler push = new TcpHandler() {
			@Override
			public void onOpen(Connection connection) {
				pusher.scheduleAtFixedRate(() -> {
					if (pushing.get()) {
						connection.write("t");
					}
				}, 0, IDLE_TIMEOUT.dividedBy(10).toMillis(), TimeUnit.MILLISECONDS);
			}

			@Override
			public void onData(Connection connection, Bytes data) {
			}
		};
		TcpServer server = start(idleListener(push));
		try (Socket socket = connect(server)) {
			InputStream in = socket.getInputStream();
			long start = System.nanoTime();
			int ticks = 0;
			while (System.nanoTime() - start < IDLE_TIMEOUT.multipliedBy(4).toNanos()) {
				assertThat(in.read()).as("tick %d from the server", ticks++).isEqualTo('t');
			}
			assertThat(server.listenerStats().getFirst().closed(CloseReason.IDLE_TIMEOUT)).isZero();
			// Once the server stops sending too, the connection is idle and closes.
			pushing.set(false);
			long quiet = System.nanoTime();
			while (in.read() == 't') {
				// ticks already on their way
			}
			assertThat(Duration.ofNanos(System.nanoTime() - quiet)).as("open after the server fell silent")
				.isLessThanOrEqualTo(LATEST_IDLE_CLOSE);
		}
		finally {
			pusher.shutdownNow();
		}
		await().atMost(Duration.ofSeconds(10))
			.until(() -> server.listenerStats().getFirst().closed(CloseReason.IDLE_TIMEOUT) == 1);
	}

	private static ListenerSettings idleListener(TcpHandler handler) {
		return new ListenerSettings("idle", null, 0, 16, handler, null, 100, IDLE_TIMEOUT, HandlerExecution.EVENT_LOOP);
	}

	@Test
	void connectionsOverMaxConnectionsAreClosedAtAcceptAndCounted() throws Exception {
		ListenerSettings listener = new ListenerSettings("limited", null, 0, 16,
				(connection, data) -> connection.write(data), null, 2, Duration.ZERO, HandlerExecution.EVENT_LOOP);
		TcpServer server = start(listener);
		try (Socket first = connect(server); Socket second = connect(server)) {
			await().atMost(Duration.ofSeconds(10)).until(() -> server.activeConnections() == 2);
			try (Socket third = connect(server)) {
				assertThat(third.getInputStream().read()).isEqualTo(-1);
			}
			await().atMost(Duration.ofSeconds(10)).until(() -> server.listenerStats().getFirst().rejected() == 1);
			first.getOutputStream().write('a');
			assertThat(first.getInputStream().read()).isEqualTo('a');
			second.getOutputStream().write('b');
			assertThat(second.getInputStream().read()).isEqualTo('b');
		}
	}

	@Test
	void handlerThatThrowsClosesOnlyItsConnection() throws Exception {
		List<Throwable> errors = new CopyOnWriteArrayList<>();
		TcpHandler handler = new TcpHandler() {
			@Override
			public void onData(Connection connection, Bytes data) {
				if (data.toUtf8().contains("boom")) {
					throw new IllegalStateException("boom");
				}
				connection.write(data);
			}

			@Override
			public void onError(Connection connection, Throwable error) {
				errors.add(error);
			}
		};
		TcpServer server = start(ListenerSettings.of("fragile", 0, handler));
		try (Socket healthy = connect(server); Socket failing = connect(server)) {
			failing.getOutputStream().write("boom".getBytes(StandardCharsets.UTF_8));
			assertThat(failing.getInputStream().read()).isEqualTo(-1);
			healthy.getOutputStream().write("fine".getBytes(StandardCharsets.UTF_8));
			assertThat(new String(healthy.getInputStream().readNBytes(4), StandardCharsets.UTF_8)).isEqualTo("fine");
		}
		assertThat(errors).singleElement().extracting(Throwable::getMessage).isEqualTo("boom");
		await().atMost(Duration.ofSeconds(10))
			.until(() -> server.listenerStats().getFirst().closed(CloseReason.HANDLER_ERROR) == 1);
	}

	@Test
	void writesFromOtherThreadsKeepTheirOrder() throws Exception {
		ExecutorService workers = Executors.newSingleThreadExecutor();
		TcpServer server = start(ListenerSettings.of("async", 0, (connection, data) -> {
			byte[] copy = data.toByteArray();
			workers.execute(() -> {
				for (byte b : copy) {
					connection.write(new byte[] { b });
				}
			});
		}));
		try (Socket socket = connect(server)) {
			byte[] message = new byte[20_000];
			new Random(3).nextBytes(message);
			socket.getOutputStream().write(message);
			byte[] echoed = socket.getInputStream().readNBytes(message.length);
			assertThat(Arrays.equals(echoed, message)).isTrue();
		}
		finally {
			workers.shutdownNow();
		}
	}

}
