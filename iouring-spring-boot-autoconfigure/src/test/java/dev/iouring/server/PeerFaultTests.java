package dev.iouring.server;

import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;

import dev.iouring.ring.IoUringAssumptions;
import dev.iouring.ring.RingOptions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Hostile and unlucky peers: resets in the middle of a reply, half-closes, silent half-requests, bursts
 * of connections, floods past the connection limit and a handler that always throws. Each fault hurts
 * only the connection that caused it; the server keeps serving and ends with no connection and no
 * descriptor left.
 */
@EachTransport
class PeerFaultTests {

	@Parameter
	Transport transport;

	private static final TcpHandler ECHO = (connection, data) -> connection.write(data);

	private static final Duration DEADLINE = Duration.ofSeconds(30);

	private static final Duration IDLE_TIMEOUT = Duration.ofMillis(500);

	/**
	 * The latest an idle connection may close: its timeout, plus the time between deadline sweeps (a
	 * quarter of the shortest timeout, see ConnectionTimers), plus room for a loaded machine.
	 */
	private static final Duration LATEST_IDLE_CLOSE = IDLE_TIMEOUT.plus(IDLE_TIMEOUT.dividedBy(4))
		.plus(Duration.ofSeconds(1));

	private TcpServer server;

	private long socketsBefore;

	private long ringsBefore;

	@BeforeEach
	void recordDescriptors() {
		this.socketsBefore = OpenDescriptors.socketCount();
		this.ringsBefore = OpenDescriptors.ioUringCount();
	}

	@AfterEach
	void stopReleasesEveryDescriptor() {
		if (this.server != null) {
			this.server.stop();
			assertThat(this.server.loopFailure()).isNull();
			assertThat(OpenDescriptors.ioUringCount()).isEqualTo(this.ringsBefore);
			await().atMost(DEADLINE)
				.untilAsserted(() -> assertThat(OpenDescriptors.socketCount()).isLessThanOrEqualTo(this.socketsBefore));
		}
	}

	private TcpServer start(int loops, ListenerSettings... listeners) {
		ServerSettings.Builder builder = ServerSettings.builder()
			.ring(RingOptions.of(256, 1024))
			.buffers(256, 4096)
			.eventLoops(loops);
		for (ListenerSettings listener : listeners) {
			builder.listener(listener);
		}
		this.server = TestServers.create(this.transport, builder.build());
		this.server.start();
		return this.server;
	}

	private static ListenerSettings listener(String name, TcpHandler handler, int maxConnections, Duration idle) {
		return new ListenerSettings(name, null, 0, 4096, handler, null, maxConnections, idle,
				HandlerExecution.EVENT_LOOP);
	}

	@Test
	void peerThatResetsInTheMiddleOfALargeReplyClosesOnlyItsOwnConnection() throws Exception {
		byte[] reply = new byte[16 * 1024 * 1024];
		new Random(11).nextBytes(reply);
		TcpHandler bigReply = (connection, data) -> {
			if (data.toUtf8().startsWith("GET")) {
				connection.write(reply);
			}
			else {
				connection.write(data);
			}
		};
		TcpServer server = start(1, listener("big", bigReply, 100, Duration.ZERO));
		try (Socket bystander = Peers.connect(server.port())) {
			Peers.roundTrip(bystander, "before".getBytes(StandardCharsets.UTF_8));
			for (int round = 0; round < 5; round++) {
				Socket rude = Peers.connect(server.port());
				rude.getOutputStream().write("GET".getBytes(StandardCharsets.UTF_8));
				byte[] start = rude.getInputStream().readNBytes(256 * 1024);
				assertThat(Arrays.equals(start, 0, start.length, reply, 0, start.length)).isTrue();
				Peers.reset(rude);
			}
			await().atMost(DEADLINE).until(() -> Peers.closed(server, "big", CloseReason.RESET) == 5);
			await().atMost(DEADLINE).until(() -> server.activeConnections() == 1);
			// Everything queued for the reset peers went back to the pool.
			assertThat(server.queuedBytes()).isZero();
			Peers.roundTrip(bystander, "after".getBytes(StandardCharsets.UTF_8));
		}
		await().atMost(DEADLINE).until(() -> server.activeConnections() == 0);
		assertThat(Peers.allErrors(server)).isEmpty();
	}

	@Test
	void peerThatHalfClosesGetsEveryPendingByteThenEndOfStream() throws Exception {
		TcpServer server = start(1, listener("half", ECHO, 100, Duration.ZERO));
		byte[] payload = new byte[8 * 1024 * 1024];
		new Random(5).nextBytes(payload);
		try (Socket socket = Peers.connect(server.port());
				ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
			Future<?> writer = executor.submit(() -> {
				socket.getOutputStream().write(payload);
				socket.shutdownOutput();
				return null;
			});
			InputStream in = socket.getInputStream();
			byte[] echoed = in.readNBytes(payload.length);
			assertThat(Arrays.equals(echoed, payload)).as("the whole echo arrives after the half-close").isTrue();
			assertThat(in.read()).as("then end of stream").isEqualTo(-1);
			writer.get();
		}
		await().atMost(DEADLINE).until(() -> Peers.closed(server, "half", CloseReason.PEER_CLOSED) == 1);
		assertThat(server.activeConnections()).isZero();
	}

	@Test
	void slowlorisPeersThatSendHalfARequestAndFallSilentAreClosedByTheIdleTimeout() throws Exception {
		ListenerSettings lines = listener("slow", (connection, frame) -> {
			connection.write(frame);
			connection.write("\n");
		}, 1000, IDLE_TIMEOUT).withFraming(dev.iouring.server.codec.Framing.line());
		TcpServer server = start(2, lines);
		List<Socket> slowloris = new ArrayList<>();
		try (Socket healthy = Peers.connect(server.port())) {
			// Before the first silent peer connects: no idle close may come earlier than the timeout after it.
			long firstConnect = System.nanoTime();
			for (int i = 0; i < 50; i++) {
				Socket socket = Peers.connect(server.port());
				socket.getOutputStream().write("GET / HTTP/1.1\r\nX-Padding: aaaa".getBytes(StandardCharsets.UTF_8));
				slowloris.add(socket);
			}
			long lastSent = System.nanoTime();
			// The healthy peer keeps talking, ten times per timeout, while the silent ones time out: none
			// before the timeout, all within one sweep (a quarter of the timeout) after it, with room for a
			// loaded machine.
			int pings = 0;
			long closed;
			while ((closed = Peers.closed(server, "slow", CloseReason.IDLE_TIMEOUT)) < 50) {
				long now = System.nanoTime();
				if (now - firstConnect < IDLE_TIMEOUT.toNanos()) {
					assertThat(closed).as("idle closes sooner than the timeout").isZero();
				}
				assertThat(Duration.ofNanos(now - lastSent)).as("time for the sweep to close the silent peers")
					.isLessThanOrEqualTo(LATEST_IDLE_CLOSE);
				Peers.roundTrip(healthy, ("ping " + pings++ + "\n").getBytes(StandardCharsets.UTF_8));
				// Pacing, not a wait: how often the healthy peer talks.
				Thread.sleep(IDLE_TIMEOUT.dividedBy(10));
			}
			for (Socket socket : slowloris) {
				// The server read the half request: nothing unread, so its close is an orderly FIN.
				assertThat(Peers.awaitEnd(socket)).isEqualTo(Peers.Ending.END_OF_STREAM);
			}
			Peers.roundTrip(healthy, "still here\n".getBytes(StandardCharsets.UTF_8));
			assertThat(Peers.closed(server, "slow", CloseReason.IDLE_TIMEOUT)).isEqualTo(50);
		}
		finally {
			slowloris.forEach(Peers::reset);
		}
		await().atMost(DEADLINE).until(() -> server.activeConnections() == 0);
	}

	@Test
	void twoThousandConnectionsOpenedAndDroppedAtOnceLeaveNoConnectionBehind() throws Exception {
		TcpServer server = start(2, listener("burst", ECHO, 10_000, Duration.ZERO));
		int count = 2000;
		List<Socket> sockets = java.util.Collections.synchronizedList(new ArrayList<>());
		try (ExecutorService openers = Executors.newFixedThreadPool(4)) {
			List<Future<?>> opened = new ArrayList<>();
			for (int t = 0; t < 4; t++) {
				opened.add(openers.submit(() -> {
					for (int i = 0; i < count / 4; i++) {
						Socket socket = Peers.connect(server.port());
						if (i % 3 == 0) {
							socket.getOutputStream().write(new byte[] { 1, 2, 3 });
						}
						sockets.add(socket);
					}
					return null;
				}));
			}
			for (Future<?> future : opened) {
				future.get(2, TimeUnit.MINUTES);
			}
		}
		await().atMost(DEADLINE).until(() -> server.activeConnections() == count);
		// Drop them all at once: half with RST, half with FIN, none read its echo.
		for (int i = 0; i < sockets.size(); i++) {
			if (i % 2 == 0) {
				Peers.reset(sockets.get(i));
			}
			else {
				sockets.get(i).close();
			}
		}
		await().atMost(DEADLINE).until(() -> server.activeConnections() == 0);
		assertThat(Peers.accepted(server)).isEqualTo(count);
		try (Socket after = Peers.connect(server.port())) {
			Peers.roundTrip(after, "alive".getBytes(StandardCharsets.UTF_8));
		}
		assertThat(Peers.allErrors(server)).isEmpty();
	}

	@Test
	void floodPastMaxConnectionsIsRejectedAtAcceptWhileAdmittedPeersAreServed() throws Exception {
		int limit = 50;
		int flood = 300;
		TcpServer server = start(2, listener("limited", ECHO, limit, Duration.ZERO));
		List<Socket> sockets = new ArrayList<>();
		try {
			for (int i = 0; i < flood; i++) {
				sockets.add(Peers.connect(server.port()));
			}
			await().atMost(DEADLINE).until(() -> Peers.rejected(server) == flood - limit);
			assertThat(server.activeConnections()).isEqualTo(limit);
			int served = 0;
			int refused = 0;
			for (Socket socket : sockets) {
				try {
					socket.getOutputStream().write('x');
					int reply = socket.getInputStream().read();
					if (reply == 'x') {
						served++;
					}
					else {
						assertThat(reply).isEqualTo(-1);
						refused++;
					}
				}
				catch (java.net.SocketException ex) {
					refused++;
				}
			}
			assertThat(served).isEqualTo(limit);
			assertThat(refused).isEqualTo(flood - limit);
		}
		finally {
			sockets.forEach(Peers::reset);
		}
		await().atMost(DEADLINE).until(() -> server.activeConnections() == 0);
		try (Socket after = Peers.connect(server.port())) {
			Peers.roundTrip(after, "room again".getBytes(StandardCharsets.UTF_8));
		}
	}

	@Test
	void handlerThatThrowsOnEveryMessageClosesOnlyThoseConnectionsAndEachFailureIsCounted() throws Exception {
		TcpHandler alwaysThrows = (connection, data) -> {
			throw new IllegalStateException("handler bug");
		};
		TcpServer server = start(2, listener("fragile", alwaysThrows, 1000, Duration.ZERO),
				listener("echo", ECHO, 1000, Duration.ZERO));
		int victims = 40;
		try (Socket healthy = Peers.connect(server.port("echo"))) {
			for (int i = 0; i < victims; i++) {
				try (Socket socket = Peers.connect(server.port("fragile"))) {
					socket.getOutputStream().write(("message " + i).getBytes(StandardCharsets.UTF_8));
					// The handler's failure closes the connection after its message was read: a FIN.
					assertThat(Peers.awaitEnd(socket)).isEqualTo(Peers.Ending.END_OF_STREAM);
				}
				Peers.roundTrip(healthy, ("still fine " + i).getBytes(StandardCharsets.UTF_8));
			}
		}
		await().atMost(DEADLINE).until(() -> Peers.closed(server, "fragile", CloseReason.HANDLER_ERROR) == victims);
		assertThat(Peers.errors(server, "handler/IllegalStateException")).isEqualTo(victims);
		assertThat(server.loopFailure()).isNull();
		await().atMost(DEADLINE).until(() -> server.activeConnections() == 0);
	}

}
