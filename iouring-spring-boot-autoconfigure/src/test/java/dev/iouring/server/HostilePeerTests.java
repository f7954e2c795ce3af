package dev.iouring.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.iouring.ring.RingOptions;
import dev.iouring.server.codec.Framing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Peers that attack: they reset right after bad input or while their handler is about to ask for their
 * address, never read what they asked for, trickle a frame a byte at a time, or send valid frames and a
 * bad one in one write; and a handler that hits a fatal error. Each attack may close only its own connection (or, for a fatal error, fail the server visibly);
 * the loops keep serving everyone else. Runs on both transports.
 */
@EachTransport
@ExtendWith(OutputCaptureExtension.class)
class HostilePeerTests {

	private static final Duration DEADLINE = Duration.ofSeconds(30);

	private static final int MAX_LINE = 64;

	/** Upper-cases each line and sends it back with its newline. */
	private static final TcpHandler UPPER = (connection, frame) -> {
		connection.write(frame.toUtf8().toUpperCase() + "\n");
	};

	@Parameter
	Transport transport;

	private TcpServer server;

	@AfterEach
	void stop() {
		if (this.server != null) {
			this.server.stop();
		}
	}

	private TcpServer start(int loops, long writeLimit, ListenerSettings listener) {
		this.server = TestServers.create(this.transport, ServerSettings.builder()
			.ring(RingOptions.of(256, 1024))
			.buffers(256, 4096)
			.eventLoops(loops)
			.writeWaterMarks(32 * 1024, 64 * 1024)
			.writeLimit(writeLimit)
			.listener(listener)
			.build());
		this.server.start();
		return this.server;
	}

	private static ListenerSettings lines(String name, TcpHandler handler, Duration frameTimeout) {
		return ListenerSettings.of(name, 0, handler)
			.withFraming(Framing.line(MAX_LINE, true))
			.withFrameTimeout(frameTimeout);
	}

	@Test
	void oversizedLineFollowedByAResetClosesOnlyThatConnectionAndEveryLoopGoesOn() throws Exception {
		TcpServer server = start(2, ServerSettings.DEFAULT_WRITE_LIMIT, lines("line", UPPER, Duration.ZERO));
		byte[] oversized = "x".repeat(MAX_LINE * 4).getBytes(StandardCharsets.US_ASCII);
		for (int i = 0; i < 40; i++) {
			Socket rude = Peers.connect(server.port());
			rude.getOutputStream().write(oversized);
			Peers.reset(rude);
		}
		await().atMost(DEADLINE).until(() -> server.activeConnections() == 0);
		assertThat(server.loopFailure()).isNull();
		// Both loops still serve: enough fresh connections that SO_REUSEPORT spreads them over both.
		for (int i = 0; i < 16; i++) {
			try (Socket polite = Peers.connect(server.port())) {
				assertThat(exchange(polite, "hello " + i)).isEqualTo("HELLO " + i);
			}
		}
		assertThat(server.loopFailure()).isNull();
		// Resets and oversized lines are the peers' doing: nothing for the errors meter.
		assertThat(Peers.allErrors(server)).isEmpty();
	}

	@ParameterizedTest(name = "{0}")
	@EnumSource(HandlerExecution.class)
	void handlerAskingForAddressesAfterThePeerResetGetsNoExceptionAndTheLoopGoesOn(HandlerExecution execution,
			CapturedOutput output) throws Exception {
		CountDownLatch asking = new CountDownLatch(1);
		CountDownLatch peerGone = new CountDownLatch(1);
		CompletableFuture<List<InetSocketAddress>> answers = new CompletableFuture<>();
		TcpHandler asker = (connection, data) -> {
			if (!data.toUtf8().equals("ask")) {
				connection.write(data);
				return;
			}
			asking.countDown();
			try {
				// On the loop this holds the loop, so the reset waits in the kernel, unseen by the server.
				assertThat(peerGone.await(30, TimeUnit.SECONDS)).isTrue();
				answers.complete(Arrays.asList(connection.remoteAddress(), connection.localAddress()));
			}
			catch (Throwable ex) {
				answers.completeExceptionally(ex);
				throw new IllegalStateException(ex);
			}
		};
		TcpServer server = start(1, ServerSettings.DEFAULT_WRITE_LIMIT,
				ListenerSettings.of("ask", 0, asker).withHandlerExecution(execution));
		int peerPort;
		try (Socket rude = Peers.connect(server.port())) {
			peerPort = rude.getLocalPort();
			await().atMost(DEADLINE).until(() -> server.activeConnections() == 1);
			assertThat(kernelHolds(server.port(), peerPort)).as("the accepted socket is in /proc/net").isTrue();
			rude.getOutputStream().write("ask".getBytes(StandardCharsets.US_ASCII));
			assertThat(asking.await(30, TimeUnit.SECONDS)).isTrue();
			Peers.reset(rude);
		}
		// The reset took the server's socket out of the kernel's connection table: getpeername now fails.
		await().atMost(DEADLINE).until(() -> !kernelHolds(server.port(), peerPort));
		peerGone.countDown();
		List<InetSocketAddress> asked = answers.get(30, TimeUnit.SECONDS);
		assertThat(asked.get(0)).as("remote address").isIn(null,
				new InetSocketAddress(InetAddress.getLoopbackAddress(), peerPort));
		if (asked.get(1) != null) {
			assertThat(asked.get(1).getPort()).as("local port").isEqualTo(server.port());
		}
		await().atMost(DEADLINE).until(() -> server.activeConnections() == 0);
		assertThat(Peers.closed(server, "ask", CloseReason.HANDLER_ERROR)).isZero();
		assertThat(Peers.closed(server, "ask", CloseReason.INTERNAL_ERROR)).isZero();
		assertThat(Peers.allErrors(server)).isEmpty();
		try (Socket polite = Peers.connect(server.port())) {
			Peers.roundTrip(polite, "still serving".getBytes(StandardCharsets.US_ASCII));
		}
		assertThat(server.loopFailure()).isNull();
		assertThat(output.getAll()).doesNotContain("NativeCallException").doesNotContainPattern("(?m)^\\s+at ");
	}

	@Test
	void repliesToValidLinesBeforeAnOversizedOneAllArriveBeforeTheClose() throws Exception {
		TcpServer server = start(1, ServerSettings.DEFAULT_WRITE_LIMIT, lines("line", UPPER, Duration.ZERO));
		StringBuilder request = new StringBuilder();
		StringBuilder expected = new StringBuilder();
		for (int i = 0; i < 1000; i++) {
			request.append("line ").append(i).append('\n');
			expected.append("LINE ").append(i).append('\n');
		}
		request.append("y".repeat(MAX_LINE * 4));
		try (Socket peer = Peers.connect(server.port())) {
			peer.getOutputStream().write(request.toString().getBytes(StandardCharsets.US_ASCII));
			String received = readToEnd(peer.getInputStream());
			assertThat(received).isEqualTo(expected.toString());
		}
		await().atMost(DEADLINE).until(() -> Peers.closed(server, "line", CloseReason.FRAME_TOO_LARGE) == 1);
	}

	@Test
	void peerThatAsksForMoreThanItReadsIsClosedAtTheWriteLimitAndOthersAreServed() throws Exception {
		byte[] reply = new byte[256 * 1024];
		TcpHandler amplifier = (connection, data) -> {
			for (int i = 0; i < data.length(); i++) {
				connection.write(reply);
			}
		};
		TcpServer server = start(1, 1024 * 1024, ListenerSettings.of("amp", 0, amplifier));
		try (Socket greedy = Peers.connect(server.port())) {
			OutputStream out = greedy.getOutputStream();
			// 64 requests ask for 16 MiB of replies; the peer never reads them.
			out.write(new byte[64]);
			out.flush();
			await().atMost(DEADLINE).until(() -> Peers.closed(server, "amp", CloseReason.OUTBOUND_OVERFLOW) == 1);
		}
		await().atMost(DEADLINE).until(() -> server.activeConnections() == 0);
		assertThat(server.queuedBytes()).isZero();
		try (Socket polite = Peers.connect(server.port())) {
			polite.getOutputStream().write(1);
			assertThat(polite.getInputStream().readNBytes(reply.length)).hasSize(reply.length);
		}
	}

	@Test
	void writesFromAnotherThreadPastTheWriteLimitCloseTheConnection() throws Exception {
		CompletableFuture<Connection> opened = new CompletableFuture<>();
		TcpHandler handler = new TcpHandler() {
			@Override
			public void onOpen(Connection connection) {
				opened.complete(connection);
			}

			@Override
			public void onData(Connection connection, Bytes data) {
			}
		};
		TcpServer server = start(1, 256 * 1024, ListenerSettings.of("flood", 0, handler));
		try (Socket reader = Peers.connect(server.port())) {
			Connection connection = opened.get(30, TimeUnit.SECONDS);
			byte[] chunk = new byte[16 * 1024];
			// A producer thread writing 64 MiB to a peer that does not read: the connection must close long
			// before that much is held anywhere.
			for (int i = 0; i < 4096 && connection.isOpen(); i++) {
				connection.write(chunk);
			}
			await().atMost(DEADLINE).until(() -> Peers.closed(server, "flood", CloseReason.OUTBOUND_OVERFLOW) == 1);
		}
		await().atMost(DEADLINE).until(() -> server.activeConnections() == 0);
	}

	@Test
	void peerThatTricklesAFrameIsClosedByTheFrameTimeoutAfterItsEarlierRepliesArrive() throws Exception {
		TcpServer server = start(1, ServerSettings.DEFAULT_WRITE_LIMIT,
				lines("line", UPPER, Duration.ofMillis(400)));
		try (Socket trickler = Peers.connect(server.port())) {
			assertThat(exchange(trickler, "first")).isEqualTo("FIRST");
			OutputStream out = trickler.getOutputStream();
			CountDownLatch closed = new CountDownLatch(1);
			Thread writer = Thread.ofVirtual().start(() -> {
				try {
					// The attack itself is paced: one byte every 50 ms, never a newline.
					while (!closed.await(50, TimeUnit.MILLISECONDS)) {
						out.write('z');
					}
				}
				catch (IOException | InterruptedException ex) {
					// the server closed the connection
				}
			});
			String rest = readToEnd(trickler.getInputStream());
			closed.countDown();
			writer.join(DEADLINE);
			assertThat(rest).isEmpty();
		}
		await().atMost(DEADLINE).until(() -> Peers.closed(server, "line", CloseReason.FRAME_TIMEOUT) == 1);
	}

	@Test
	void peerThatSendsWholeFramesSlowlyIsNotClosedByTheFrameTimeout() throws Exception {
		TcpServer server = start(1, ServerSettings.DEFAULT_WRITE_LIMIT,
				lines("line", UPPER, Duration.ofMillis(300)));
		try (Socket patient = Peers.connect(server.port())) {
			OutputStream out = patient.getOutputStream();
			InputStream in = patient.getInputStream();
			long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1200);
			int i = 0;
			while (System.nanoTime() - end < 0) {
				// Each line is split in two writes 100 ms apart (paced on purpose): every frame is under
				// way for less than the timeout, though the connection always holds part of one.
				out.write(("part" + i).getBytes(StandardCharsets.US_ASCII));
				out.flush();
				assertThat(new CountDownLatch(1).await(100, TimeUnit.MILLISECONDS)).isFalse();
				out.write(("-" + i + "\n").getBytes(StandardCharsets.US_ASCII));
				assertThat(readLine(in)).isEqualTo(("PART" + i + "-" + i));
				i++;
			}
		}
		await().atMost(DEADLINE).until(() -> server.activeConnections() == 0);
		assertThat(Peers.closed(server, "line", CloseReason.FRAME_TIMEOUT)).isZero();
	}

	@Test
	void fatalErrorOnALoopFailsTheWholeServerVisiblyAndStopReturnsPromptly() throws Exception {
		TcpHandler fatal = (connection, data) -> {
			if (data.toUtf8().contains("boom")) {
				throw new OutOfMemoryError("simulated by the test");
			}
			connection.write(data);
		};
		TcpServer server = start(2, ServerSettings.DEFAULT_WRITE_LIMIT, ListenerSettings.of("fatal", 0, fatal));
		int port = server.port();
		AtomicReference<Throwable> told = new AtomicReference<>();
		server.onFailure(told::set);
		try (Socket bystander = Peers.connect(port); Socket killer = Peers.connect(port)) {
			Peers.roundTrip(bystander, "still here".getBytes(StandardCharsets.UTF_8));
			killer.getOutputStream().write("boom".getBytes(StandardCharsets.UTF_8));
			await().atMost(DEADLINE).until(() -> told.get() != null);
			assertThat(told.get()).isInstanceOf(OutOfMemoryError.class).hasMessage("simulated by the test");
			assertThat(server.loopFailure()).isSameAs(told.get());
			// Every loop closed its listeners and connections: nobody is left hanging.
			// The failed loop closed the bystander with nothing left unread: an orderly end, not a reset.
			assertThat(Peers.awaitEnd(bystander)).isEqualTo(Peers.Ending.END_OF_STREAM);
			await().atMost(DEADLINE).untilAsserted(() -> assertThatExceptionOfType(ConnectException.class)
				.isThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), port).close()));
		}
		CountDownLatch drained = new CountDownLatch(1);
		server.shutDownGracefully(drained::countDown);
		assertThat(drained.await(5, TimeUnit.SECONDS)).as("a drain does not wait for dead loops").isTrue();
		long stopStarted = System.nanoTime();
		server.stop();
		assertThat(Duration.ofNanos(System.nanoTime() - stopStarted)).isLessThan(Duration.ofSeconds(5));
	}

	/**
	 * Whether the kernel still lists the server's side of a loopback connection as a TCP socket (in
	 * /proc/net/tcp or tcp6, ports in hex); a socket the peer reset is unhashed and no longer listed.
	 */
	private static boolean kernelHolds(int serverPort, int peerPort) throws IOException {
		String local = String.format(":%04X", serverPort);
		String remote = String.format(":%04X", peerPort);
		for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
			for (String line : Files.readAllLines(Path.of(table))) {
				String[] fields = line.trim().split("\\s+");
				if (fields.length > 2 && fields[1].endsWith(local) && fields[2].endsWith(remote)) {
					return true;
				}
			}
		}
		return false;
	}

	private static String exchange(Socket socket, String line) throws IOException {
		socket.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
		return readLine(socket.getInputStream());
	}

	private static String readLine(InputStream in) throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		int b;
		while ((b = in.read()) != '\n') {
			if (b < 0) {
				throw new IOException("end of stream after " + line);
			}
			line.write(b);
		}
		return line.toString(StandardCharsets.UTF_8);
	}

	/** Reads until end of stream; a reset instead of an end fails the test, since it loses bytes. */
	private static String readToEnd(InputStream in) throws IOException {
		try {
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (SocketException ex) {
			throw new AssertionError("the connection was reset instead of closed: replies can be lost", ex);
		}
	}

}
