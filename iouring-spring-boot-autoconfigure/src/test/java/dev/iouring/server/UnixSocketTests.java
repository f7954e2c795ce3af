package dev.iouring.server;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;

import dev.iouring.ring.RingOptions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * Listeners on Unix domain sockets, over real sockets on both transports: echo through {@code socat}
 * and through the JDK's client, the peer's credentials from the kernel, the socket file's permissions,
 * a stale file replaced, a live one refusing the start, a file that is not a socket left alone, the file
 * removed on stop, the abstract namespace (io_uring; NIO refuses it), and no descriptor left behind.
 */
@EachTransport
class UnixSocketTests {

	private static final Path SOCAT = Path.of("/usr/bin/socat");

	private static final TcpHandler ECHO = (connection, data) -> connection.write(data);

	@Parameter
	Transport transport;

	@TempDir
	Path dir;

	private TcpServer server;

	private final List<Connection> opened = new CopyOnWriteArrayList<>();

	private final List<PeerCredentials> credentials = new CopyOnWriteArrayList<>();

	@AfterEach
	void stop() {
		if (this.server != null) {
			this.server.stop();
		}
	}

	private UnixSocket path(String name) {
		return new UnixSocket(this.dir.resolve(name).toString(), false, UnixSocket.DEFAULT_PERMISSIONS);
	}

	private TcpServer server(UnixSocket socket, int loops) {
		TcpHandler handler = new TcpHandler() {
			@Override
			public void onOpen(Connection connection) {
				UnixSocketTests.this.credentials.add(connection.peerCredentials());
				UnixSocketTests.this.opened.add(connection);
			}

			@Override
			public void onData(Connection connection, Bytes data) {
				connection.write(data);
			}
		};
		return server(socket, loops, handler);
	}

	private TcpServer server(UnixSocket socket, int loops, TcpHandler handler) {
		this.server = TestServers.create(this.transport, ServerSettings.builder()
			.ring(RingOptions.of(256, 1024))
			.buffers(256, 4096)
			.eventLoops(loops)
			.listener(ListenerSettings.of("local", 0, handler).withUnixSocket(socket))
			.build());
		return this.server;
	}

	@Test
	void socatEchoesThroughAPathAndTheListenerHasNoPort() throws Exception {
		UnixSocket socket = path("echo.sock");
		server(socket, 1).start();
		assertThat(socatEcho("UNIX-CONNECT:" + socket.name(), "hello over a unix socket\n"))
			.isEqualTo("hello over a unix socket\n");
		assertThat(this.server.port("local")).isEqualTo(-1);
		assertThat(this.server.endpoints()).containsEntry("local", "unix:" + socket.name());
	}

	@Test
	void theJdkClientEchoesOnEveryLoop() throws Exception {
		UnixSocket socket = path("jdk.sock");
		server(socket, 2).start();
		List<Future<?>> clients = new ArrayList<>();
		List<SocketChannel> channels = new ArrayList<>();
		try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
			// The channels close before the executor does, so a client stuck on a stalled server ends
			// and the executor's close cannot wait for it forever.
			try {
				for (int i = 0; i < 8; i++) {
					long seed = i;
					SocketChannel channel = SocketChannel.open(socket.socketAddress());
					channels.add(channel);
					clients.add(threads.submit(() -> jdkEcho(channel, seed, 300_000)));
				}
				for (Future<?> client : clients) {
					client.get(60, TimeUnit.SECONDS);
				}
			}
			finally {
				for (SocketChannel channel : channels) {
					channel.close();
				}
			}
		}
		assertThat(Peers.accepted(this.server)).isEqualTo(8);
		await().atMost(Duration.ofSeconds(30)).until(() -> this.server.activeConnections() == 0);
	}

	@Test
	void theHandlerSeesTheKernelsCredentialsAndNoIpAddress() throws Exception {
		assumeThat(SOCAT).as("socat (.ci/run installs it)").exists();
		UnixSocket socket = path("creds.sock");
		server(socket, 1).start();
		Process socat = new ProcessBuilder(SOCAT.toString(), "-", "UNIX-CONNECT:" + socket.name()).start();
		try {
			await().atMost(Duration.ofSeconds(30)).until(() -> this.opened.size() == 1);
			Connection connection = this.opened.getFirst();
			PeerCredentials peer = this.credentials.getFirst();
			assertThat(connection.remoteAddress()).isNull();
			assertThat(connection.localAddress()).isNull();
			assertThat(connection.localSocketAddress()).isEqualTo(UnixDomainSocketAddress.of(socket.name()));
			if (this.transport == Transport.IO_URING) {
				assertThat(peer.pid()).isEqualTo(socat.pid());
				assertThat(peer.uid()).isEqualTo(((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue());
				assertThat(peer.gid()).isEqualTo(((Number) Files.getAttribute(Path.of("/proc/self"), "unix:gid")).longValue());
			}
			else {
				assertThat(peer.pid()).isEqualTo(PeerCredentials.UNKNOWN);
				assertThat(peer.user()).isEqualTo(System.getProperty("user.name"));
				assertThat(peer.group()).isNotBlank();
			}
			assertThat(connection.toString()).contains("listener=local");
		}
		finally {
			socat.destroy();
			socat.waitFor(30, TimeUnit.SECONDS);
		}
	}

	@Test
	void theSocketFileHasTheConfiguredPermissions() throws Exception {
		UnixSocket socket = new UnixSocket(this.dir.resolve("mode.sock").toString(), false,
				UnixSocket.parsePermissions("0600"));
		server(socket, 1).start();
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.path()))).isEqualTo("rw-------");
	}

	@Test
	void aStaleSocketFileIsReplaced() throws Exception {
		UnixSocket socket = path("stale.sock");
		try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
			dead.bind(socket.socketAddress());
		}
		assertThat(socket.path()).as("closing a bound socket leaves its file").exists();
		server(socket, 1).start();
		jdkEcho(socket, 1, 1000);
	}

	@Test
	void aLiveSocketRefusesTheStartAndKeepsServing() throws Exception {
		UnixSocket socket = path("live.sock");
		try (ServerSocketChannel live = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
			live.bind(socket.socketAddress());
			assertThatExceptionOfType(PortInUseException.class).isThrownBy(() -> server(socket, 2).start())
				.withMessageContaining("unix:" + socket.name())
				.withMessageContaining("already in use")
				.satisfies((ex) -> assertThat(ex.unixSocket()).isEqualTo(socket));
			assertThat(socket.path()).exists();
			live.configureBlocking(false);
			try (SocketChannel client = SocketChannel.open(socket.socketAddress())) {
				await().atMost(Duration.ofSeconds(30))
					.alias("the other server still accepts")
					.until(() -> closeIfAccepted(live.accept()));
			}
		}
	}

	@Test
	void aPathThatIsNotASocketIsLeftAlone() throws Exception {
		UnixSocket socket = path("notes.txt");
		Files.writeString(socket.path(), "keep me");
		assertThatIllegalStateException().isThrownBy(() -> server(socket, 1).start())
			.withMessageContaining("the path exists and is not a socket");
		assertThat(Files.readString(socket.path())).isEqualTo("keep me");
	}

	@Test
	void stopRemovesTheFileAndClosesEveryDescriptor() throws Exception {
		long socketsBefore = OpenDescriptors.socketCount();
		UnixSocket socket = path("stop.sock");
		server(socket, 2).start();
		jdkEcho(socket, 2, 10_000);
		assertThat(socket.path()).exists();
		this.server.stop();
		assertThat(socket.path()).doesNotExist();
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(OpenDescriptors.socketCount()).isLessThanOrEqualTo(socketsBefore));
	}

	@Test
	void stopLeavesAFileThatAnotherProcessPutInItsPlace() throws Exception {
		UnixSocket socket = path("replaced.sock");
		server(socket, 1).start();
		Files.delete(socket.path());
		Files.writeString(socket.path(), "someone else's");
		this.server.stop();
		assertThat(Files.readString(socket.path())).isEqualTo("someone else's");
	}

	@Test
	void aReplyAndCloseReachesThePeerWhole() throws Exception {
		byte[] reply = new byte[2_000_000];
		new Random(7).nextBytes(reply);
		UnixSocket socket = path("close.sock");
		server(socket, 1, (connection, data) -> {
			connection.write(reply);
			connection.close();
		}).start();
		try (SocketChannel client = SocketChannel.open(socket.socketAddress())) {
			client.write(ByteBuffer.wrap("go".getBytes(StandardCharsets.US_ASCII)));
			// The peer keeps sending while the server closes: on TCP that could reset the reply away.
			client.write(ByteBuffer.wrap(new byte[1000]));
			// One byte more than the reply: reading stops at the end of stream.
			ByteBuffer received = ByteBuffer.allocate(reply.length + 1);
			BoundedReads.readFully(client, received);
			assertThat(received.position()).isEqualTo(reply.length);
			assertThat(Arrays.equals(Arrays.copyOf(received.array(), reply.length), reply)).isTrue();
		}
		await().atMost(Duration.ofSeconds(30))
			.until(() -> Peers.closed(this.server, "local", CloseReason.LOCAL_CLOSE) == 1);
	}

	@Test
	void aProxyHeaderNamesTheClientOverAUnixSocket() throws Exception {
		UnixSocket socket = path("proxied.sock");
		this.server = TestServers.create(this.transport, ServerSettings.builder()
			.ring(RingOptions.of(256, 1024))
			.buffers(256, 4096)
			.eventLoops(1)
			.listener(ListenerSettings.of("local", 0, new TcpHandler() {
				@Override
				public void onOpen(Connection connection) {
					UnixSocketTests.this.opened.add(connection);
				}

				@Override
				public void onData(Connection connection, Bytes data) {
					connection.write(data);
				}
			}).withUnixSocket(socket).withProxyProtocol(ProxyProtocolMode.ON, Duration.ofSeconds(5)))
			.build());
		this.server.start();
		try (SocketChannel client = SocketChannel.open(socket.socketAddress())) {
			client.write(ByteBuffer.wrap("PROXY TCP4 203.0.113.7 192.0.2.1 51234 7000\r\nhi"
				.getBytes(StandardCharsets.US_ASCII)));
			ByteBuffer echoed = ByteBuffer.allocate(2);
			BoundedReads.readFully(client, echoed);
			assertThat(new String(echoed.array(), StandardCharsets.US_ASCII)).isEqualTo("hi");
			Connection connection = this.opened.getFirst();
			assertThat(connection.remoteAddress()).hasToString("/203.0.113.7:51234");
			assertThat(connection.proxyAddress()).isNull();
			assertThat(connection.peerCredentials()).isNotNull();
		}
	}

	@Test
	void anAbstractNameServesOnIoUringAndTheNioTransportSaysWhyNot() throws Exception {
		UnixSocket socket = new UnixSocket("iouring-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime(),
				true, UnixSocket.DEFAULT_PERMISSIONS);
		if (this.transport == Transport.NIO) {
			assertThatIllegalStateException().isThrownBy(() -> server(socket, 1).start())
				.withMessageContaining("unix:@" + socket.name())
				.withMessageContaining("no abstract namespace");
			return;
		}
		long socketsBefore = OpenDescriptors.socketCount();
		server(socket, 2).start();
		assertThat(socatEcho("ABSTRACT-CONNECT:" + socket.name(), "abstract\n")).isEqualTo("abstract\n");
		assertThat(this.credentials.getFirst().uid()).isGreaterThanOrEqualTo(0);
		assertThat(this.opened.getFirst().localSocketAddress()).isNull();
		this.server.stop();
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(OpenDescriptors.socketCount()).isLessThanOrEqualTo(socketsBefore));
		// The name went with the socket: it can be bound again at once.
		server(socket, 1).start();
		assertThat(socatEcho("ABSTRACT-CONNECT:" + socket.name(), "again\n")).isEqualTo("again\n");
	}

	private static boolean closeIfAccepted(SocketChannel accepted) throws IOException {
		if (accepted == null) {
			return false;
		}
		accepted.close();
		return true;
	}

	/** Sends {@code input} through socat and returns what came back once the server ended the stream. */
	private static String socatEcho(String address, String input) throws Exception {
		assumeThat(SOCAT).as("socat (.ci/run installs it)").exists();
		Process socat = new ProcessBuilder(SOCAT.toString(), "-t", "10", "-", address).redirectErrorStream(true).start();
		socat.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
		socat.getOutputStream().close();
		String output = new String(socat.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(socat.waitFor(30, TimeUnit.SECONDS)).as("socat finished").isTrue();
		assertThat(socat.exitValue()).as("socat exit code; output: %s", output).isZero();
		return output;
	}

	private static void jdkEcho(UnixSocket socket, long seed, int length) throws IOException {
		try (SocketChannel client = SocketChannel.open(socket.socketAddress())) {
			jdkEcho(client, seed, length);
		}
	}

	/** Writes pseudo-random bytes from a virtual thread while this one reads the echo and compares it. */
	private static void jdkEcho(SocketChannel client, long seed, int length) {
		byte[] payload = new byte[length];
		new Random(seed).nextBytes(payload);
		try {
			Thread writer = Thread.startVirtualThread(() -> {
				try {
					ByteBuffer out = ByteBuffer.wrap(payload);
					while (out.hasRemaining()) {
						client.write(out);
					}
				}
				catch (IOException ex) {
					throw new IllegalStateException(ex);
				}
			});
			ByteBuffer in = ByteBuffer.allocate(length);
			BoundedReads.readFully(client, in);
			assertThat(writer.join(Duration.ofSeconds(30))).as("the writer finished").isTrue();
			assertThat(in.array()).isEqualTo(payload);
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

}
