package dev.iouring.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;

import dev.iouring.ring.NativeMemory;
import dev.iouring.ring.RingOptions;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A graceful shutdown while 100 peers are in the middle of large echoes: every byte the server had
 * taken in is echoed before the connection ends with a clean end of stream, nothing is corrupted, the
 * callback runs, and after {@code stop()} the process holds no ring and no server socket.
 */
@EachTransport
class GracefulShutdownTests {

	@Parameter
	Transport transport;


	private static final int PEERS = 100;

	/** Each peer offers this much in all. */
	private static final int OFFERED = 16 * 1024 * 1024;

	/** Each peer sends this much, then waits for the drain to start before it sends the rest. */
	private static final int BEFORE_DRAIN = 1024 * 1024;

	/** A peer counts as midway once this much came back. */
	private static final int MIDWAY = 128 * 1024;

	private TcpServer server;


	@AfterEach
	void stop() {
		if (this.server != null) {
			this.server.stop();
		}
	}

	/** The byte at {@code position} of peer {@code peer}'s stream: cheap to recompute, differs per peer. */
	static byte streamByte(int peer, long position) {
		long x = position * 0x9E3779B97F4A7C15L + peer;
		return (byte) (x ^ (x >>> 29) ^ (x >>> 47));
	}

	@Test
	void drainEchoesEverythingTakenInThenEndsEachStreamCleanlyAndFreesEverything() throws Exception {
		long ringsBefore = OpenDescriptors.ioUringCount();
		long socketsBefore = OpenDescriptors.socketCount();
		long nativeBefore = NativeMemory.reservedBytes();
		// Bytes handed to the handler (and so written back), by the peer's port.
		Map<Integer, AtomicLong> takenIn = new ConcurrentHashMap<>();
		TcpHandler countingEcho = new TcpHandler() {
			@Override
			public void onOpen(Connection connection) {
				connection.attach(takenIn.computeIfAbsent(connection.remoteAddress().getPort(), (port) -> new AtomicLong()));
			}

			@Override
			public void onData(Connection connection, Bytes data) {
				((AtomicLong) connection.attachment()).addAndGet(data.length());
				connection.write(data);
			}
		};
		this.server = TestServers.create(this.transport, ServerSettings.builder()
			.ring(RingOptions.of(256, 1024))
			.buffers(ServerSettings.DEFAULT_BUFFER_COUNT, ServerSettings.DEFAULT_BUFFER_SIZE)
			.eventLoops(2)
			.listener(ListenerSettings.of("echo", 0, countingEcho))
			.build());
		TcpServer server = this.server;
		server.start();
		CountDownLatch midway = new CountDownLatch(PEERS);
		CountDownLatch draining = new CountDownLatch(1);
		List<Future<PeerResult>> results = new ArrayList<>();
		try (ExecutorService peers = Executors.newVirtualThreadPerTaskExecutor()) {
			for (int p = 0; p < PEERS; p++) {
				int peer = p;
				results.add(peers.submit(() -> echoUntilServerEnds(server.port(), peer, midway, draining)));
			}
			assertThat(midway.await(2, TimeUnit.MINUTES)).as("every peer midway").isTrue();
			CountDownLatch drained = new CountDownLatch(1);
			server.shutDownGracefully(drained::countDown);
			assertThat(server.isDraining()).isTrue();
			// The peers keep sending while the server drains: bytes it will not read any more.
			draining.countDown();
			assertThat(drained.await(2, TimeUnit.MINUTES)).as("drain callback").isTrue();
			assertThat(server.activeConnections()).isZero();
			for (Future<PeerResult> future : results) {
				PeerResult result = future.get(2, TimeUnit.MINUTES);
				assertThat(result.failure()).as("peer %d", result.peer()).isNull();
				assertThat(result.endedCleanly()).as("peer %d saw end of stream, not a reset", result.peer()).isTrue();
				assertThat(result.received())
					.as("peer %d got back every byte the server took in (closes by reason: %s, errors: %s, sent %d of %d"
							+ " taken in)", result.peer(), closesByReason(server), Peers.allErrors(server),
							server.listenerStats().stream().mapToLong(ListenerStats::bytesSent).sum(),
							takenIn.values().stream().mapToLong(AtomicLong::get).sum())
					.isEqualTo(takenIn.get(result.port()).get())
					.isGreaterThanOrEqualTo(MIDWAY);
			}
		}
		assertThat(Peers.closed(server, "echo", CloseReason.SERVER_STOPPED)).isEqualTo(PEERS);
		server.stop();
		assertThat(server.isDraining()).isFalse();
		assertThat(OpenDescriptors.ioUringCount()).isEqualTo(ringsBefore);
		assertThat(OpenDescriptors.socketCount()).isLessThanOrEqualTo(socketsBefore);
		assertThat(NativeMemory.reservedBytes()).isEqualTo(nativeBefore);
	}

	private static Map<CloseReason, Long> closesByReason(TcpServer server) {
		Map<CloseReason, Long> closes = new java.util.EnumMap<>(CloseReason.class);
		for (CloseReason reason : CloseReason.values()) {
			long count = Peers.closed(server, "echo", reason);
			if (count > 0) {
				closes.put(reason, count);
			}
		}
		return closes;
	}

	record PeerResult(int peer, int port, long received, boolean endedCleanly, Throwable failure) {
	}

	/**
	 * Streams bytes to the server on a virtual thread while reading the echo back and checking each byte,
	 * until the server ends the stream.
	 */
	private static PeerResult echoUntilServerEnds(int port, int peer, CountDownLatch midway, CountDownLatch draining) {
		long received = 0;
		int localPort = -1;
		try (Socket socket = Peers.connect(port)) {
			localPort = socket.getLocalPort();
			AtomicBoolean done = new AtomicBoolean();
			Thread writer = Thread.ofVirtual().start(() -> {
				byte[] chunk = new byte[32 * 1024];
				try {
					OutputStream out = socket.getOutputStream();
					for (long sent = 0; sent < OFFERED && !done.get(); sent += chunk.length) {
						for (int i = 0; i < chunk.length; i++) {
							chunk[i] = streamByte(peer, sent + i);
						}
						if (sent == BEFORE_DRAIN) {
							draining.await();
						}
						out.write(chunk);
					}
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
				catch (IOException ex) {
					// The server stopped reading and closed: expected once the drain began.
				}
			});
			InputStream in = socket.getInputStream();
			byte[] buffer = new byte[64 * 1024];
			boolean counted = false;
			boolean clean;
			try {
				int n;
				while ((n = in.read(buffer)) >= 0) {
					for (int i = 0; i < n; i++) {
						if (buffer[i] != streamByte(peer, received + i)) {
							throw new AssertionError("peer " + peer + ": echo corrupted at byte " + (received + i));
						}
					}
					received += n;
					if (!counted && received >= MIDWAY) {
						counted = true;
						midway.countDown();
					}
				}
				clean = true;
			}
			catch (java.net.SocketException ex) {
				clean = false;
			}
			done.set(true);
			if (!counted) {
				midway.countDown();
			}
			socket.close();
			writer.join();
			return new PeerResult(peer, localPort, received, clean, null);
		}
		catch (Throwable ex) {
			midway.countDown();
			draining.countDown();
			return new PeerResult(peer, localPort, received, false, ex);
		}
	}

}
