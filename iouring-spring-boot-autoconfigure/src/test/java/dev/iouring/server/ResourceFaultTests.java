package dev.iouring.server;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.iouring.ring.IoUringAssumptions;
import dev.iouring.ring.RingOptions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The io_uring server out of provided buffers and out of completion-queue room: it slows down, counts
 * what happened and recovers, and never stalls, closes a healthy connection or loses a byte. (Out of
 * descriptors, on each transport: {@link DescriptorExhaustionTests}.)
 */
class ResourceFaultTests {

	private static final TcpHandler ECHO = (connection, data) -> connection.write(data);

	private static final Duration DEADLINE = Duration.ofSeconds(60);

	private IoUringServer server;

	@BeforeEach
	void assumeIoUring() {
		IoUringAssumptions.assumeIoUring();
	}

	@AfterEach
	void stop() {
		if (this.server != null) {
			this.server.stop();
			assertThat(this.server.loopFailure()).isNull();
		}
	}

	private IoUringServer start(RingOptions ring, int bufferCount, int bufferSize) {
		this.server = new IoUringServer(ServerSettings.builder()
			.ring(ring)
			.buffers(bufferCount, bufferSize)
			.eventLoops(1)
			.listener(ListenerSettings.of("echo", 0, ECHO))
			.build());
		this.server.start();
		return this.server;
	}

	/** Many pipelining peers at once; returns the bytes they verified. */
	private static long pipelineFromManyPeers(int port, int peers, int bytesEach, int maxWrite) throws Exception {
		List<Future<Long>> results = new ArrayList<>();
		try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
			for (int i = 0; i < peers; i++) {
				long seed = 100 + i;
				results.add(clients.submit(() -> {
					try (Socket socket = Peers.connect(port)) {
						return Peers.pipelinedEcho(socket, seed, bytesEach, maxWrite);
					}
				}));
			}
			long verified = 0;
			for (Future<Long> result : results) {
				verified += result.get(3, TimeUnit.MINUTES);
			}
			return verified;
		}
	}

	@Test
	void fourOneKilobyteBuffersServeSixteenPipeliningPeersWithoutStallOrLoss() throws Exception {
		IoUringServer server = start(RingOptions.of(256, 1024), 4, 1024);
		long verified = pipelineFromManyPeers(server.port(), 16, 1024 * 1024, 16 * 1024);
		assertThat(verified).isEqualTo(16L * 1024 * 1024);
		long exhausted = server.loopStats().getFirst().buffersExhausted();
		assertThat(exhausted).as("the buffer ring ran dry at least once").isPositive();
		await().atMost(DEADLINE).until(() -> server.activeConnections() == 0);
		assertThat(Peers.closed(server, "echo", CloseReason.PEER_CLOSED)).isEqualTo(16);
		assertThat(Peers.allErrors(server)).isEmpty();
		assertThat(server.loopStats().getFirst().buffersAvailable()).isEqualTo(4);
	}

	@Test
	void tinyCompletionQueueServesThirtyTwoPipeliningPeersWithoutStallOrLoss() throws Exception {
		IoUringServer server = start(RingOptions.of(2, 2), 256, 4096);
		long verified = pipelineFromManyPeers(server.port(), 32, 512 * 1024, 8 * 1024);
		assertThat(verified).isEqualTo(32L * 512 * 1024);
		await().atMost(DEADLINE).until(() -> server.activeConnections() == 0);
		assertThat(Peers.closed(server, "echo", CloseReason.PEER_CLOSED)).isEqualTo(32);
		assertThat(Peers.allErrors(server)).isEmpty();
		// A 2-entry CQ cannot hold the completions of one turn, so the kernel parks them in its overflow list.
		assertThat(server.loopStats().getFirst().cqOverflow()).as("CQ overflow counted").isPositive();
	}

	/**
	 * A peer that floods the server but never reads makes its connection unwritable while the kernel keeps
	 * filling buffers with what it already sent. The loop keeps at most a quarter of the ring for such
	 * connections and delivers the rest, so another peer is still served while the flooder sits there,
	 * and the flooder loses nothing once it reads.
	 */
	@Test
	void peerThatNeverReadsCannotHoardTheBufferRing() throws Exception {
		int buffers = 16;
		List<Connection> opened = new CopyOnWriteArrayList<>();
		TcpHandler echo = new TcpHandler() {
			@Override
			public void onOpen(Connection connection) {
				opened.add(connection);
			}

			@Override
			public void onData(Connection connection, Bytes data) {
				connection.write(data);
			}
		};
		this.server = new IoUringServer(ServerSettings.builder()
			.ring(RingOptions.of(256, 1024))
			.buffers(buffers, 4096)
			.writeWaterMarks(8 * 1024, 16 * 1024)
			.eventLoops(1)
			.listener(ListenerSettings.of("echo", 0, echo))
			.build());
		this.server.start();
		int port = this.server.port();
		// More than the kernel buffers between the two ends can absorb (the server's send buffer grows to
		// a few MiB on loopback), so the server's queue for the flooder must pass the high water mark.
		int total = 32 * 1024 * 1024;
		byte[] payload = new byte[total];
		new Random(16).nextBytes(payload);
		Socket flooder = new Socket();
		flooder.setReceiveBufferSize(4096);
		flooder.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), Peers.READ_TIMEOUT_MILLIS);
		flooder.setSoTimeout(Peers.READ_TIMEOUT_MILLIS);
		// Resources close in reverse order: the sockets first, which also ends a writer still blocked in write.
		try (ExecutorService writers = Executors.newVirtualThreadPerTaskExecutor(); flooder;
				Socket other = Peers.connect(port)) {
			// The flooder writes and reads nothing: its writes block once the server stops reading it.
			Future<?> writer = writers.submit(() -> {
				flooder.getOutputStream().write(payload);
				flooder.shutdownOutput();
				return null;
			});
			await().atMost(DEADLINE).until(() -> opened.size() == 2);
			Connection flooding = opened.stream()
				.filter((connection) -> connection.remoteAddress().getPort() == flooder.getLocalPort())
				.findFirst()
				.orElseThrow();
			await().atMost(DEADLINE).until(() -> !flooding.isWritable());
			// Another peer is served meanwhile, round trip after round trip.
			byte[] message = new byte[1024];
			for (int i = 0; i < 200; i++) {
				message[0] = (byte) i;
				Peers.roundTrip(other, message);
			}
			assertThat(flooding.isWritable()).as("the flooder is still paused").isFalse();
			assertThat(this.server.loopStats().getFirst().buffersAvailable())
				.as("buffers left in the ring while the flooder is paused (at most a quarter may be held)")
				.isGreaterThanOrEqualTo(buffers - buffers / 4);
			// The flooder reads now: every byte it sent comes back, in order.
			InputStream in = flooder.getInputStream();
			byte[] chunk = new byte[64 * 1024];
			int verified = 0;
			int n;
			while (verified < total && (n = in.read(chunk, 0, Math.min(chunk.length, total - verified))) >= 0) {
				if (!Arrays.equals(chunk, 0, n, payload, verified, verified + n)) {
					throw new AssertionError("echo differs within bytes " + verified + ".." + (verified + n));
				}
				verified += n;
			}
			assertThat(verified).isEqualTo(total);
			writer.get(1, TimeUnit.MINUTES);
		}
		await().atMost(DEADLINE).until(() -> this.server.activeConnections() == 0);
		assertThat(Peers.allErrors(this.server)).isEmpty();
		assertThat(this.server.loopStats().getFirst().buffersAvailable()).isEqualTo(buffers);
	}

}
