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
		return start(listener, 256);
	}

	private TcpServer start(ListenerSettings listener, int bufferCount) {
		this.server = TestServers.create(this.transport, ServerSettings.builder()
			.ring(RingOptions.of(256, 1024))
			.buffers(bufferCount, BUFFER_SIZE)
			.eventLoops(1)
			.writeWaterMarks(HIGH_WATER_MARK / 2, HIGH_WATER_MARK)
			.listener(listener)
			.build());
		this.server.start();
		return this.server;
	}

	private static Socket connect(TcpServer server) throws IOException {
		Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port());
		socket.setSoTimeout(30_000);
		return socket;
	}

	@Test
	void peerThatNeverReadsCannotGrowQueuedBytesPastHighWaterMarkPlusOneReceiveBurstAndLosesNothing()
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
		TcpServer server = start(ListenerSettings.of("echo", 0, echo));
		byte[] payload = new byte[24 * 1024 * 1024];
		new Random(7).nextBytes(payload);
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
			// The client keeps pushing and reads nothing; sample the server's queue while the kernel's
			// socket buffers fill up, until the writer is stuck well short of the payload.
			long maxQueued = 0;
			for (int i = 0; i < 50; i++) {
				maxQueued = Math.max(maxQueued, server.queuedBytes());
			}
			// Reading stops at the high water mark; what the kernel had already received into the ring by
			// then (one burst, never more than the ring's buffers) is held or, past the loop's hold limit,
			// queued on top. The peer's 24 MiB cannot get in.
			assertThat(maxQueued).isLessThanOrEqualTo(HIGH_WATER_MARK + 256L * BUFFER_SIZE);
			assertThat(written.get()).isLessThan(payload.length);
			// Now read everything back: backpressure delayed bytes, it lost none.
			InputStream in = socket.getInputStream();
			byte[] echoed = in.readNBytes(payload.length);
			writer.get();
			assertThat(Arrays.equals(echoed, payload)).as("echo equals what was sent").isTrue();
			assertThat(writability).contains(true);
		}
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
	void idleConnectionIsClosedAfterTheIdleTimeout() throws Exception {
		ListenerSettings listener = new ListenerSettings("idle", null, 0, 16, (connection, data) -> {
		}, null, 100, Duration.ofMillis(200), HandlerExecution.EVENT_LOOP);
		TcpServer server = start(listener);
		try (Socket socket = connect(server)) {
			assertThat(socket.getInputStream().read()).isEqualTo(-1);
		}
		await().atMost(Duration.ofSeconds(10))
			.until(() -> server.listenerStats().getFirst().closed(CloseReason.IDLE_TIMEOUT) == 1);
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
