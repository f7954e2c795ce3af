package dev.iouring.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;

import dev.iouring.ring.NativeMemory;
import dev.iouring.ring.RingOptions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.awaitility.Awaitility.await;

/**
 * A port belongs to one server unless its listeners set reuse-port: every loop's socket sets SO_REUSEPORT
 * to share the port among the loops, and without the ownership checks the kernel would let another
 * server (or any socket with SO_REUSEPORT) join it silently. On both transports, over loopback sockets;
 * every failed start leaves no descriptor or native memory behind.
 */
@EachTransport
class ReusePortTests {

	private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

	private static final TcpHandler ECHO = (connection, data) -> connection.write(data);

	private static final byte[] PING = "ping".getBytes(StandardCharsets.US_ASCII);

	@Parameter
	Transport transport;

	private final List<TcpServer> servers = new ArrayList<>();

	private final List<ServerSocketChannel> foreign = new ArrayList<>();

	private long ioUringsBefore;

	private long socketsBefore;

	private long pollersBefore;

	private long eventFdsBefore;

	private long nativeBefore;

	@BeforeEach
	void recordResources() {
		this.ioUringsBefore = OpenDescriptors.ioUringCount();
		this.socketsBefore = OpenDescriptors.socketCount();
		this.pollersBefore = OpenDescriptors.pollerCount();
		this.eventFdsBefore = OpenDescriptors.eventFdCount();
		this.nativeBefore = NativeMemory.reservedBytes();
	}

	@AfterEach
	void stopAndCheckNothingIsLeft() throws IOException {
		this.servers.forEach(TcpServer::stop);
		for (ServerSocketChannel channel : this.foreign) {
			channel.close();
		}
		assertHoldsNothingButForeignSockets();
	}

	@Test
	void foreignSocketWithReusePortOnThePortMakesStartFail() throws IOException {
		int port = foreignListener(LOOPBACK, true);
		TcpServer server = server(LOOPBACK, port, false);
		assertPortInUse(server, port);
	}

	@Test
	void foreignSocketWithReusePortOnOneAddressMakesAWildcardServerFail() throws IOException {
		int port = foreignListener(LOOPBACK, true);
		TcpServer server = server(null, port, false);
		assertPortInUse(server, port);
	}

	@Test
	void foreignSocketWithoutReusePortOnThePortMakesStartFail() throws IOException {
		int port = foreignListener(LOOPBACK, false);
		TcpServer server = server(LOOPBACK, port, false);
		assertPortInUse(server, port);
	}

	@Test
	void secondServerOnTheSamePortFailsAndTheFirstKeepsEveryConnection() throws IOException {
		TcpServer first = server(LOOPBACK, 0, false);
		first.start();
		int port = first.port();
		TcpServer second = server(LOOPBACK, port, false);
		assertPortInUse(second, port, listeningSockets(first));
		for (int i = 0; i < 20; i++) {
			try (Socket client = Peers.connect(port)) {
				Peers.roundTrip(client, PING);
			}
		}
		assertThat(Peers.accepted(first)).isEqualTo(20);
	}

	@Test
	void serverThatOwnsItsPortRefusesToJoinOneThatShares() throws IOException {
		TcpServer sharing = server(LOOPBACK, 0, true);
		sharing.start();
		TcpServer owning = server(LOOPBACK, sharing.port(), false);
		assertPortInUse(owning, sharing.port(), listeningSockets(sharing));
	}

	@Test
	void withReusePortOnBothTwoServersShareThePortAndBothServe() {
		TcpServer first = server(LOOPBACK, 0, true);
		first.start();
		int port = first.port();
		TcpServer second = server(LOOPBACK, port, true);
		second.start();
		assertThat(second.port()).isEqualTo(port);
		// The kernel spreads connections by a hash of their addresses: new connections reach both soon.
		await().atMost(Duration.ofSeconds(20)).until(() -> {
			try (Socket client = Peers.connect(port)) {
				Peers.roundTrip(client, PING);
			}
			return Peers.accepted(first) > 0 && Peers.accepted(second) > 0;
		});
	}

	@Test
	void serverRestartsOnTheFixedPortItsStoppedPredecessorServed() throws IOException {
		TcpServer before = server(LOOPBACK, 0, false);
		before.start();
		int port = before.port();
		try (Socket client = Peers.connect(port)) {
			Peers.roundTrip(client, PING);
			before.stop();
			// The server closed first, so its side of the connection is left in TIME_WAIT on the port: the
			// probe, like the loops' sockets, sets SO_REUSEADDR and binds past it.
			assertThat(Peers.awaitEnd(client)).isEqualTo(Peers.Ending.END_OF_STREAM);
		}
		TcpServer after = server(LOOPBACK, port, false);
		after.start();
		try (Socket client = Peers.connect(port)) {
			Peers.roundTrip(client, PING);
		}
		assertThat(Peers.accepted(after)).isEqualTo(1);
	}

	@Test
	void portZeroOwnedAloneStartsEveryLoopOnTheChosenPort() throws IOException {
		TcpServer server = server(null, 0, false);
		server.start();
		List<InetSocketAddress> listening = ListeningSockets.read();
		assertThat(listening).filteredOn((socket) -> socket.getPort() == server.port())
			.hasSize(listeningSockets(server));
		try (Socket client = Peers.connect(server.port())) {
			Peers.roundTrip(client, PING);
		}
	}

	/**
	 * The check that closes the race of two servers starting at once, on a running server's real sockets:
	 * it counts exactly the server's own sockets (no false alarm), and one foreign socket more fails it.
	 * The server itself shares, so that it starts beside the foreign socket; the check runs as for a
	 * listener that owns its port.
	 */
	@Test
	void listeningSocketCountFindsTheServersOwnSocketsAndAForeignOneThatJoined() throws IOException {
		for (InetAddress address : new InetAddress[] { LOOPBACK, null }) {
			TcpServer server = server(address, 0, true);
			server.start();
			int port = server.port();
			ListenerSettings owning = server.settings().listeners().getFirst().withReusePort(false);
			ListenerRuntime owner = new ListenerRuntime(0, owning);
			owner.boundPort(port);
			ListenerRuntime[] listeners = { owner };
			int own = listeningSockets(server);
			assertThatNoException().isThrownBy(() -> PortOwnership.verify(listeners, own));
			foreignListener(LOOPBACK, port, true);
			assertThatExceptionOfType(PortInUseException.class)
				.isThrownBy(() -> PortOwnership.verify(listeners, own))
				.satisfies((ex) -> assertThat(ex.port()).isEqualTo(port))
				.withMessageContaining("1 other listening socket(s) share it through SO_REUSEPORT");
		}
	}

	private TcpServer server(@Nullable InetAddress address, int port, boolean reusePort) {
		TcpServer server = TestServers.create(this.transport, ServerSettings.builder()
			.ring(RingOptions.of(64, 256))
			.buffers(16, 4096)
			.eventLoops(2)
			.listener(new ListenerSettings("owner", address, port, 64, ECHO, null, 100, Duration.ZERO,
					HandlerExecution.EVENT_LOOP, ListenerSettings.DEFAULT_FRAME_TIMEOUT, reusePort))
			.build());
		this.servers.add(server);
		return server;
	}

	private static int listeningSockets(TcpServer server) {
		return ((LoopedTcpServer<?>) server).listeningSocketsPerListener();
	}

	private int foreignListener(InetAddress address, boolean reusePort) throws IOException {
		return foreignListener(address, 0, reusePort);
	}

	/** A socket as another process would open it: a plain listening channel, sharing or not. */
	private int foreignListener(InetAddress address, int port, boolean reusePort) throws IOException {
		ServerSocketChannel channel = ServerSocketChannel.open();
		this.foreign.add(channel);
		channel.setOption(StandardSocketOptions.SO_REUSEPORT, reusePort);
		channel.bind(new InetSocketAddress(address, port));
		return ((InetSocketAddress) channel.getLocalAddress()).getPort();
	}

	private void assertPortInUse(TcpServer server, int port) {
		assertPortInUse(server, port, this.foreign.size());
	}

	/**
	 * Asserts that a start fails with the port-in-use error and closes all it opened.
	 * @param sockets the listening sockets that must be the only ones left: the foreign ones and those of
	 * a running server of ours
	 */
	private void assertPortInUse(TcpServer server, int port, long sockets) {
		assertThatExceptionOfType(PortInUseException.class).isThrownBy(server::start).satisfies((ex) -> {
			assertThat(ex.port()).isEqualTo(port);
			assertThat(ex.listenerName()).isEqualTo("owner");
			assertThat(ex).hasMessageContaining("port " + port + ": the port is already in use");
		});
		assertThat(server.isRunning()).isFalse();
		assertThat(server.ports()).containsEntry("owner", -1);
		if (this.servers.stream().noneMatch(TcpServer::isRunning)) {
			assertHoldsNothingButForeignSockets();
		}
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(OpenDescriptors.socketCount()).isEqualTo(this.socketsBefore + sockets));
	}

	private void assertHoldsNothingButForeignSockets() {
		long foreignOpen = this.foreign.stream().filter(ServerSocketChannel::isOpen).count();
		long allowed = this.socketsBefore + foreignOpen;
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(OpenDescriptors.socketCount()).isLessThanOrEqualTo(allowed));
		assertThat(OpenDescriptors.ioUringCount()).isEqualTo(this.ioUringsBefore);
		assertThat(OpenDescriptors.pollerCount()).isEqualTo(this.pollersBefore);
		assertThat(OpenDescriptors.eventFdCount()).isEqualTo(this.eventFdsBefore);
		assertThat(NativeMemory.reservedBytes()).isEqualTo(this.nativeBefore);
	}

}
