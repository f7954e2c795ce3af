package dev.iouring.server;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;

import dev.iouring.ring.NativeMemory;
import dev.iouring.ring.RingOptions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * 100,000 connect, send, receive, close cycles (the count is the {@code leak.cycles} system property):
 * the connection count returns to zero after every quarter, and after stop the process holds exactly the
 * descriptors and native memory it held before the server started.
 */
@EachTransport
class LeakTests {

	@Parameter
	Transport transport;


	private static final int CYCLES = Integer.getInteger("leak.cycles", 100_000);

	private static final int CLIENT_THREADS = 4;

	private static final int ROUNDS = 4;


	@Test
	void hundredThousandShortConnectionsLeaveNoDescriptorNoNativeMemoryAndNoConnection() throws Exception {
		long ringsBefore = OpenDescriptors.ioUringCount();
		long socketsBefore = OpenDescriptors.socketCount();
		long nativeBefore = NativeMemory.reservedBytes();
		TcpServer server = TestServers.create(this.transport, ServerSettings.builder()
			.ring(RingOptions.of(256, 1024))
			.buffers(64, 4096)
			.eventLoops(2)
			.listener(ListenerSettings.of("echo", 0, (connection, data) -> connection.write(data)))
			.build());
		server.start();
		try {
			int perThreadAndRound = CYCLES / (CLIENT_THREADS * ROUNDS);
			for (int round = 0; round < ROUNDS; round++) {
				List<Future<?>> clients = new ArrayList<>();
				try (ExecutorService executor = Executors.newFixedThreadPool(CLIENT_THREADS)) {
					for (int t = 0; t < CLIENT_THREADS; t++) {
						int thread = t;
						clients.add(executor.submit(() -> shortConnections(server.port(), thread, perThreadAndRound)));
					}
					for (Future<?> client : clients) {
						client.get(5, TimeUnit.MINUTES);
					}
				}
				await().atMost(Duration.ofSeconds(30)).until(() -> server.activeConnections() == 0);
			}
			assertThat(Peers.accepted(server)).isEqualTo((long) perThreadAndRound * CLIENT_THREADS * ROUNDS);
			assertThat(Peers.allErrors(server)).isEmpty();
		}
		finally {
			server.stop();
		}
		assertThat(server.loopFailure()).isNull();
		assertThat(OpenDescriptors.ioUringCount()).isEqualTo(ringsBefore);
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(OpenDescriptors.socketCount()).isLessThanOrEqualTo(socketsBefore));
		assertThat(NativeMemory.reservedBytes()).isEqualTo(nativeBefore);
	}

	private static Void shortConnections(int port, int thread, int count) throws IOException {
		byte[] message = new byte[32];
		for (int i = 0; i < count; i++) {
			Arrays.fill(message, (byte) (thread * 31 + i));
			try (Socket socket = Peers.connect(port)) {
				Peers.roundTrip(socket, message);
			}
		}
		return null;
	}

}
