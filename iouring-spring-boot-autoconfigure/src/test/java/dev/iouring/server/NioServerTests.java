package dev.iouring.server;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.iouring.server.Bytes;
import dev.iouring.server.CloseReason;
import dev.iouring.server.Connection;
import dev.iouring.server.HandlerExecution;
import dev.iouring.server.ListenerSettings;
import dev.iouring.server.ListenerStats;
import dev.iouring.server.OpenDescriptors;
import dev.iouring.server.ServerSettings;
import dev.iouring.server.TcpHandler;
import dev.iouring.server.codec.Framing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What only the NIO transport has to show: accepting without SO_REUSEPORT, draining, and closing every
 * descriptor it opened. Behaviour shared with io_uring is tested on both transports by the suites in
 * {@code dev.iouring.server}.
 */
class NioServerTests {

	private static final TcpHandler ECHO = (connection, data) -> connection.write(data);

	private NioServer server;

	@AfterEach
	void stop() {
		if (this.server != null) {
			this.server.stop();
		}
	}

	private NioServer start(int loops, boolean reusePort, ListenerSettings listener) {
		this.server = new NioServer(ServerSettings.builder().buffers(64, 4096).eventLoops(loops).listener(listener).build(),
				reusePort);
		this.server.start();
		return this.server;
	}

	@Test
	void withoutReusePortOneLoopAcceptsAndHandsConnectionsToEveryLoopInTurn() throws IOException {
		NioServer server = start(2, false, ListenerSettings.of("echo", 0, ECHO));
		List<Socket> sockets = new ArrayList<>();
		try {
			for (int i = 0; i < 4; i++) {
				Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port());
				sockets.add(socket);
				assertThat(echo(socket, "client " + i)).isEqualTo("client " + i);
			}
			assertThat(server.listenerStats()).extracting(ListenerStats::accepted).containsExactly(2L, 2L);
			assertThat(server.activeConnections()).isEqualTo(4);
		}
		finally {
			for (Socket socket : sockets) {
				socket.close();
			}
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> server.activeConnections() == 0);
	}

	@Test
	void gracefulShutdownStopsAcceptingSendsWhatIsQueuedThenCloses() throws Exception {
		// Larger than what loopback socket buffers take (up to tcp_wmem's 4 MiB plus the peer's receive buffer).
		byte[] reply = new byte[16 * 1024 * 1024];
		new Random(11).nextBytes(reply);
		List<CloseReason> bulkCloses = new CopyOnWriteArrayList<>();
		TcpHandler bulk = new TcpHandler() {
			@Override
			public void onData(Connection connection, Bytes data) {
				connection.attach("bulk");
				connection.write(reply);
			}

			@Override
			public void onClose(Connection connection, CloseReason reason) {
				if ("bulk".equals(connection.attachment())) {
					bulkCloses.add(reason);
				}
			}
		};
		NioServer server = start(1, true, ListenerSettings.of("bulk", 0, bulk));
		CountDownLatch drained = new CountDownLatch(1);
		try (Socket socket = new Socket()) {
			socket.setReceiveBufferSize(64 * 1024);
			socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()));
			socket.setSoTimeout(30_000);
			socket.getOutputStream().write('x');
			// Wait until the reply is queued and the socket buffers are full: the peer has not read yet.
			await().atMost(Duration.ofSeconds(10)).until(() -> server.queuedBytes() > 0);
			server.shutDownGracefully(drained::countDown);
			assertThat(server.isDraining()).isTrue();
			await().atMost(Duration.ofSeconds(10)).until(() -> refusesConnections(server.port()));
			assertThat(drained.getCount()).isEqualTo(1);
			InputStream in = socket.getInputStream();
			assertThat(Arrays.equals(in.readNBytes(reply.length), reply)).as("whole reply").isTrue();
			assertThat(in.read()).isEqualTo(-1);
		}
		assertThat(drained.await(10, TimeUnit.SECONDS)).isTrue();
		assertThat(bulkCloses).containsExactly(CloseReason.SERVER_STOPPED);
	}

	private static boolean refusesConnections(int port) throws IOException {
		try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), port)) {
			return false;
		}
		catch (ConnectException ex) {
			return true;
		}
	}

	@Test
	void frameOverTheCodecsLimitClosesOnlyThatConnectionWithItsReason() throws IOException {
		ListenerSettings listener = ListenerSettings.of("lines", 0, (connection, data) -> connection.write(data.toUtf8() + "\n"))
			.withFraming(Framing.line(16, true))
			.withHandlerExecution(HandlerExecution.VIRTUAL_THREADS);
		NioServer server = start(1, true, listener);
		try (Socket healthy = new Socket(InetAddress.getLoopbackAddress(), server.port());
				Socket flooding = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
			flooding.setSoTimeout(30_000);
			flooding.getOutputStream().write("x".repeat(100).getBytes(StandardCharsets.UTF_8));
			assertThat(flooding.getInputStream().read()).isEqualTo(-1);
			assertThat(echo(healthy, "short line\n")).isEqualTo("short line\n");
		}
		// The close lingers until the peer's end of stream arrives: wait for it to be counted.
		await().atMost(Duration.ofSeconds(30))
			.until(() -> server.listenerStats().getFirst().closed(CloseReason.FRAME_TOO_LARGE) == 1);
		assertThat(server.listenerStats().getFirst().framesReceived()).isEqualTo(1);
	}

	@Test
	void stopClosesEverySocketAndSelector() throws IOException {
		long socketsBefore = OpenDescriptors.socketCount();
		long pollersBefore = OpenDescriptors.pollerCount();
		NioServer server = start(3, true, ListenerSettings.of("echo", 0, ECHO));
		try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
			assertThat(echo(socket, "before stop")).isEqualTo("before stop");
			assertThat(OpenDescriptors.pollerCount()).isEqualTo(pollersBefore + 3);
			server.stop();
			assertThat(socket.getInputStream().read()).isEqualTo(-1);
		}
		assertThat(server.isRunning()).isFalse();
		assertThat(server.listenerStats().stream().mapToLong((stats) -> stats.closed(CloseReason.SERVER_STOPPED)).sum())
			.isEqualTo(1);
		assertThat(OpenDescriptors.pollerCount()).isEqualTo(pollersBefore);
		await().atMost(Duration.ofSeconds(10)).until(() -> OpenDescriptors.socketCount() <= socketsBefore);
	}

	private static String echo(Socket socket, String text) throws IOException {
		socket.setSoTimeout(30_000);
		byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
		socket.getOutputStream().write(bytes);
		return new String(socket.getInputStream().readNBytes(bytes.length), StandardCharsets.UTF_8);
	}

}
