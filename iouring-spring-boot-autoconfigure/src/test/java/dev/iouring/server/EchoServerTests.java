package dev.iouring.server;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;

import dev.iouring.ring.NativeMemory;
import dev.iouring.ring.RingOptions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An echo server on real loopback sockets: every byte comes back, in order, whatever the sizes,
 * pipelining and abrupt disconnects.
 */
@EachTransport
class EchoServerTests {

	private static final TcpHandler ECHO = (connection, data) -> connection.write(data);

	@Parameter
	Transport transport;

	private TcpServer server;

	private long ioUringsBefore;

	private long socketsBefore;

	private long nativeBefore;

	@BeforeEach
	void recordResources() {
		this.ioUringsBefore = OpenDescriptors.ioUringCount();
		this.socketsBefore = OpenDescriptors.socketCount();
		this.nativeBefore = NativeMemory.reservedBytes();
	}

	@AfterEach
	void stopFreesEveryDescriptorAndNativeByte() {
		if (this.server != null) {
			this.server.stop();
			assertThat(OpenDescriptors.ioUringCount()).isEqualTo(this.ioUringsBefore);
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(OpenDescriptors.socketCount()).isLessThanOrEqualTo(this.socketsBefore));
			assertThat(NativeMemory.reservedBytes()).isEqualTo(this.nativeBefore);
		}
	}

	private TcpServer start(int loops, int bufferCount, int bufferSize) {
		ServerSettings settings = ServerSettings.builder()
			.ring(RingOptions.of(256, 1024))
			.buffers(bufferCount, bufferSize)
			.eventLoops(loops)
			.listener(ListenerSettings.of("echo", 0, ECHO))
			.build();
		this.server = TestServers.create(this.transport, settings);
		this.server.start();
		return this.server;
	}

	@Test
	void echoesWhatAClientSends() throws IOException {
		TcpServer server = start(2, 64, 4096);
		assertThat(server.port()).isPositive();
		try (Socket socket = Peers.connect(server.port())) {
			socket.getOutputStream().write("hello io_uring".getBytes());
			byte[] reply = new DataInputStream(socket.getInputStream()).readNBytes(14);
			assertThat(new String(reply)).isEqualTo("hello io_uring");
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> server.activeConnections() == 0);
		assertThat(server.listenerStats().stream().mapToLong(ListenerStats::accepted).sum()).isEqualTo(1);
		assertThat(server.listenerStats().stream().mapToLong(ListenerStats::bytesSent).sum()).isEqualTo(14);
	}

	@Test
	void serverWithPortInUseFailsWithTheListenerAndPortAndIsNotRunning() throws IOException {
		TcpServer first = start(1, 16, 4096);
		assertThat(first.isRunning()).isTrue();
		TcpServer second = TestServers.create(this.transport, ServerSettings.builder()
			.eventLoops(1)
			.buffers(16, 4096)
			.listener(new ListenerSettings("other", InetAddress.getLoopbackAddress(), first.port(), 16, ECHO, null,
					10, Duration.ZERO, HandlerExecution.EVENT_LOOP))
			.build());
		org.assertj.core.api.Assertions.assertThatExceptionOfType(PortInUseException.class)
			.isThrownBy(second::start)
			.satisfies((ex) -> {
				assertThat(ex.port()).isEqualTo(first.port());
				assertThat(ex.listenerName()).isEqualTo("other");
			});
		assertThat(second.isRunning()).as("a server whose start failed").isFalse();
		// A plain socket holds the port here; ReusePortTests covers two of our own servers on one port.
		try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 16, InetAddress.getLoopbackAddress())) {
			TcpServer third = TestServers.create(this.transport, ServerSettings.builder()
				.eventLoops(1)
				.buffers(16, 4096)
				.listener(new ListenerSettings("busy", InetAddress.getLoopbackAddress(), taken.getLocalPort(), 16,
						ECHO, null, 10, Duration.ZERO, HandlerExecution.EVENT_LOOP))
				.build());
			org.assertj.core.api.Assertions.assertThatExceptionOfType(PortInUseException.class)
				.isThrownBy(third::start)
				.satisfies((ex) -> {
					assertThat(ex.port()).isEqualTo(taken.getLocalPort());
					assertThat(ex.listenerName()).isEqualTo("busy");
				});
			assertThat(third.isRunning()).as("a server whose start failed").isFalse();
		}
		assertThat(first.isRunning()).as("the first server, after the others failed").isTrue();
		first.stop();
		assertThat(first.isRunning()).as("the first server, stopped").isFalse();
	}

	@Test
	void twoHundredPipelinedConnectionsGetEveryByteBackEvenWhenHalfResetMidway() throws Exception {
		TcpServer server = start(2, 256, 16 * 1024);
		int connections = 200;
		int messages = 6;
		CountDownLatch halfway = new CountDownLatch(connections);
		ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
		ConcurrentLinkedQueue<Socket> sockets = new ConcurrentLinkedQueue<>();
		List<Future<Long>> results = new ArrayList<>();
		try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
			try {
				for (int c = 0; c < connections; c++) {
					boolean reset = (c % 2 == 0);
					long seed = 1000 + c;
					results.add(clients.submit(
							() -> runClient(server.port(), seed, messages, reset, halfway, sockets, failures)));
				}
				long verified = 0;
				for (Future<Long> result : results) {
					verified += result.get(3, TimeUnit.MINUTES);
				}
				assertThat(failures).isEmpty();
				assertThat(verified).isPositive();
			}
			finally {
				// The executor closes only once every client ended: reset the sockets a client may still
				// block on (a write the server never takes) before it does.
				sockets.forEach(Peers::reset);
			}
		}
		await().atMost(Duration.ofSeconds(30)).until(() -> server.activeConnections() == 0);
		long accepted = server.listenerStats().stream().mapToLong(ListenerStats::accepted).sum();
		assertThat(accepted).isEqualTo(connections);
	}

	/**
	 * One client: a writer sends {@code messages} random payloads (1 B to 256 KiB) back to back while the
	 * reader checks the echo byte for byte. Halfway through, every writer waits until all clients got
	 * there; then the resetting clients abort with RST, while the others still have half of their bytes to
	 * send and receive.
	 * @return bytes verified
	 */
	private static long runClient(int port, long seed, int messages, boolean reset, CountDownLatch halfway,
			ConcurrentLinkedQueue<Socket> sockets, ConcurrentLinkedQueue<Throwable> failures) throws Exception {
		Random random = new Random(seed);
		byte[][] payloads = new byte[messages][];
		long total = 0;
		for (int i = 0; i < messages; i++) {
			payloads[i] = new byte[1 + random.nextInt(256 * 1024)];
			random.nextBytes(payloads[i]);
			total += payloads[i].length;
		}
		try (Socket socket = Peers.connect(port)) {
			sockets.add(socket);
			Thread writer = Thread.ofVirtual().start(() -> {
				try {
					OutputStream out = socket.getOutputStream();
					for (int i = 0; i < messages; i++) {
						if (i == messages / 2) {
							halfway.countDown();
							if (!halfway.await(2, TimeUnit.MINUTES)) {
								failures.add(new AssertionError("not every client got halfway: "
										+ halfway.getCount() + " missing"));
								return;
							}
							if (reset) {
								socket.setSoLinger(true, 0);
								socket.close();
								return;
							}
						}
						out.write(payloads[i]);
					}
				}
				catch (IOException ex) {
					if (!reset) {
						failures.add(ex);
					}
				}
				catch (InterruptedException ex) {
					failures.add(ex);
				}
			});
			if (reset) {
				join(writer);
				return 0;
			}
			InputStream in = socket.getInputStream();
			long verified = 0;
			byte[] buffer = new byte[64 * 1024];
			for (byte[] payload : payloads) {
				int offset = 0;
				while (offset < payload.length) {
					int n = in.read(buffer, 0, Math.min(buffer.length, payload.length - offset));
					if (n < 0) {
						throw new IOException("server closed after " + verified + " of " + total + " bytes");
					}
					if (!Arrays.equals(buffer, 0, n, payload, offset, offset + n)) {
						throw new AssertionError("echo differs at byte " + (verified + offset));
					}
					offset += n;
				}
				verified += payload.length;
			}
			join(writer);
			return verified;
		}
	}

	private static void join(Thread writer) throws InterruptedException {
		if (!writer.join(Duration.ofMinutes(3))) {
			throw new AssertionError("the writer is still blocked");
		}
	}

}
