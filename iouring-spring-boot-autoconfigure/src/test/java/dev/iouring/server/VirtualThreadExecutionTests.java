package dev.iouring.server;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;

import dev.iouring.ring.RingOptions;
import dev.iouring.server.codec.Framing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * With handler-execution virtual-threads, a handler may block without holding up the event loop; one
 * connection's callbacks still run in order and never concurrently, from onOpen to a single onClose; and
 * the bytes its handler has not consumed yet count against the high water mark, so a slow handler pauses
 * the reading of its own connection.
 */
@EachTransport
class VirtualThreadExecutionTests {

	@Parameter
	Transport transport;

	private TcpServer server;

	@AfterEach
	void stop() {
		if (this.server != null) {
			this.server.stop();
		}
	}

	/** Provided buffers of the loop: with their size, the most one receive burst can bring. */
	private static final int BUFFER_COUNT = 64;

	private static final int BUFFER_SIZE = 4096;

	private TcpServer start(TcpHandler handler) {
		return start(ListenerSettings.of("blocking", 0, handler).withFraming(Framing.line()));
	}

	private TcpServer start(ListenerSettings listener) {
		// One loop: if a blocked handler held the loop, the other connection could not be served at all.
		this.server = TestServers.create(this.transport, ServerSettings.builder()
			.ring(RingOptions.of(64, 256))
			.buffers(BUFFER_COUNT, BUFFER_SIZE)
			.eventLoops(1)
			.listener(listener.withHandlerExecution(HandlerExecution.VIRTUAL_THREADS))
			.build());
		this.server.start();
		return this.server;
	}

	@Test
	void blockedHandlerDoesNotHoldUpOtherConnections() throws Exception {
		CountDownLatch slowEntered = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		TcpServer server = start((connection, data) -> {
			String line = data.toUtf8();
			if (line.equals("slow")) {
				slowEntered.countDown();
				try {
					release.await(60, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
			connection.write(line + "\n");
		});
		try (Socket slow = new Socket(InetAddress.getLoopbackAddress(), server.port());
				Socket fast = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
			slow.setSoTimeout(60_000);
			fast.setSoTimeout(60_000);
			slow.getOutputStream().write("slow\n".getBytes(StandardCharsets.UTF_8));
			assertThat(slowEntered.await(30, TimeUnit.SECONDS)).isTrue();
			fast.getOutputStream().write("fast\n".getBytes(StandardCharsets.UTF_8));
			assertThat(reader(fast).readLine()).isEqualTo("fast");
			release.countDown();
			assertThat(reader(slow).readLine()).isEqualTo("slow");
		}
		finally {
			release.countDown();
		}
	}

	@Test
	void callbacksOfOneConnectionRunInOrder() throws Exception {
		TcpServer server = start((connection, data) -> {
			try {
				Thread.sleep(1);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			connection.write(data.toUtf8() + "\n");
		});
		try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
			socket.setSoTimeout(60_000);
			OutputStream out = socket.getOutputStream();
			StringBuilder expected = new StringBuilder();
			for (int i = 0; i < 300; i++) {
				out.write(("line-" + i + "\n").getBytes(StandardCharsets.UTF_8));
				expected.append("line-").append(i).append('\n');
			}
			BufferedReader in = reader(socket);
			StringBuilder actual = new StringBuilder();
			for (int i = 0; i < 300; i++) {
				actual.append(in.readLine()).append('\n');
			}
			assertThat(actual.toString()).isEqualTo(expected.toString());
		}
	}

	private static BufferedReader reader(Socket socket) throws java.io.IOException {
		return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
	}

	@Test
	void callbacksOfOneConnectionNeverRunConcurrently() throws Exception {
		int peers = 4;
		int lines = 300;
		Map<Long, AtomicInteger> inFlight = new ConcurrentHashMap<>();
		AtomicInteger mostAtOnce = new AtomicInteger();
		CountDownLatch allClosed = new CountDownLatch(peers);
		TcpHandler handler = new TcpHandler() {
			private void work(Connection connection, Runnable callback) {
				AtomicInteger running = inFlight.computeIfAbsent(connection.id(), (id) -> new AtomicInteger());
				mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
				try {
					Thread.sleep(1);
					callback.run();
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
				finally {
					running.decrementAndGet();
				}
			}

			@Override
			public void onOpen(Connection connection) {
				work(connection, () -> {
				});
			}

			@Override
			public void onData(Connection connection, Bytes data) {
				String line = data.toUtf8();
				work(connection, () -> connection.write(line + "\n"));
			}

			@Override
			public void onClose(Connection connection, CloseReason reason) {
				work(connection, allClosed::countDown);
			}
		};
		TcpServer server = start(ListenerSettings.of("pipelined", 0, handler).withFraming(Framing.line()));
		List<Socket> sockets = new ArrayList<>();
		try {
			for (int p = 0; p < peers; p++) {
				Socket socket = Peers.connect(server.port());
				sockets.add(socket);
				StringBuilder pipelined = new StringBuilder();
				for (int i = 0; i < lines; i++) {
					pipelined.append("peer-").append(p).append("-line-").append(i).append('\n');
				}
				// Every line in one write: the frames queue up on the lane together.
				socket.getOutputStream().write(pipelined.toString().getBytes(StandardCharsets.UTF_8));
			}
			for (Socket socket : sockets) {
				BufferedReader in = reader(socket);
				for (int i = 0; i < lines; i++) {
					assertThat(in.readLine()).isNotNull();
				}
			}
		}
		finally {
			for (Socket socket : sockets) {
				socket.close();
			}
		}
		assertThat(allClosed.await(60, TimeUnit.SECONDS)).as("every connection closed").isTrue();
		assertThat(mostAtOnce).as("callbacks of one connection running at once, at most").hasValue(1);
	}

	@Test
	void eachConnectionSeesOnOpenFirstAndOneOnCloseLastWithNoDataAfterIt() throws Exception {
		int peers = 8;
		int lines = 100;
		Map<Long, List<String>> callbacks = new ConcurrentHashMap<>();
		CountDownLatch allClosed = new CountDownLatch(peers);
		TcpHandler recording = new TcpHandler() {
			private List<String> of(Connection connection) {
				return callbacks.computeIfAbsent(connection.id(), (id) -> new CopyOnWriteArrayList<>());
			}

			@Override
			public void onOpen(Connection connection) {
				of(connection).add("open");
			}

			@Override
			public void onData(Connection connection, Bytes data) {
				try {
					// Slow enough that the peer's close arrives while frames still wait on the lane.
					Thread.sleep(1);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
				of(connection).add("data");
			}

			@Override
			public void onClose(Connection connection, CloseReason reason) {
				of(connection).add("close " + reason.tag());
				allClosed.countDown();
			}
		};
		TcpServer server = start(ListenerSettings.of("ordered", 0, recording).withFraming(Framing.line()));
		byte[] pipelined = "line\n".repeat(lines).getBytes(StandardCharsets.UTF_8);
		for (int p = 0; p < peers; p++) {
			Socket socket = Peers.connect(server.port());
			socket.getOutputStream().write(pipelined);
			if (p % 2 == 0) {
				// End of stream: every line arrives before it, so the lane ends with all of them, then onClose.
				socket.close();
			}
			else {
				Peers.reset(socket);
			}
		}
		assertThat(allClosed.await(60, TimeUnit.SECONDS)).as("every connection closed").isTrue();
		// Connections closed by end of stream got every line: wait for all of them, so a callback that
		// came late would be seen.
		await().atMost(Duration.ofSeconds(60))
			.until(() -> callbacks.values().stream().filter((seen) -> seen.contains("close peer-closed")).count()
					== peers / 2
					&& callbacks.values().stream()
						.filter((seen) -> seen.contains("close peer-closed"))
						.allMatch((seen) -> Collections.frequency(seen, "data") == lines));
		assertThat(callbacks).hasSize(peers);
		for (List<String> seen : callbacks.values()) {
			String summary = seen.getFirst() + " ... " + seen.getLast() + " (" + seen.size() + " callbacks)";
			assertThat(seen.getFirst()).as(summary).isEqualTo("open");
			assertThat(seen.getLast()).as(summary).startsWith("close ");
			assertThat(seen.stream().filter((callback) -> callback.startsWith("close "))).as(summary).hasSize(1);
			assertThat(seen.subList(1, seen.size() - 1)).as(summary).containsOnly("data");
		}
	}

	@Test
	void bytesTheHandlerHasNotConsumedPauseReadingAtTheHighWaterMarkUntilItCatchesUp() throws Exception {
		long total = 32L * 1024 * 1024;
		CountDownLatch firstCall = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		AtomicLong consumed = new AtomicLong();
		TcpServer server = start(ListenerSettings.of("slow", 0, (connection, data) -> {
			firstCall.countDown();
			try {
				release.await(120, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			consumed.addAndGet(data.length());
		}));
		AtomicLong written = new AtomicLong();
		try (ExecutorService writers = Executors.newVirtualThreadPerTaskExecutor();
				Socket peer = Peers.connect(server.port())) {
			Future<?> writing = writers.submit(() -> {
				byte[] chunk = new byte[16 * 1024];
				OutputStream out = peer.getOutputStream();
				while (written.get() < total) {
					out.write(chunk);
					written.addAndGet(chunk.length);
				}
				return null;
			});
			assertThat(firstCall.await(30, TimeUnit.SECONDS)).as("the handler was called").isTrue();
			awaitSteady(written::get, () -> received(server));
			long queuedForHandler = received(server) - consumed.get();
			long bound = ServerSettings.DEFAULT_HIGH_WATER_MARK + (long) BUFFER_COUNT * BUFFER_SIZE;
			assertThat(written.get()).as("the peer's writes stall while the handler is busy").isLessThan(total);
			assertThat(queuedForHandler).as("bytes read for the handler and not consumed")
				.isGreaterThan(ServerSettings.DEFAULT_HIGH_WATER_MARK)
				.isLessThanOrEqualTo(bound);
			release.countDown();
			writing.get(120, TimeUnit.SECONDS);
			await().atMost(Duration.ofSeconds(120)).until(() -> consumed.get() == total);
		}
		finally {
			release.countDown();
		}
	}

	private static long received(TcpServer server) {
		return server.listenerStats().stream().mapToLong(ListenerStats::bytesReceived).sum();
	}

	/** Waits until none of the counters changed for a second. */
	private static void awaitSteady(LongSupplier... counters) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
		long[] last = new long[counters.length];
		long steadySince = System.nanoTime();
		while (System.nanoTime() - steadySince < TimeUnit.SECONDS.toNanos(1)) {
			assertThat(System.nanoTime() - deadline).as("the counters settle within a minute").isNegative();
			Thread.sleep(50);
			for (int i = 0; i < counters.length; i++) {
				long value = counters[i].getAsLong();
				if (value != last[i]) {
					last[i] = value;
					steadySince = System.nanoTime();
				}
			}
		}
	}

}
