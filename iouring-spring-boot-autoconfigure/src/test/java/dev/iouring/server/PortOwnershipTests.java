package dev.iouring.server;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * The port-ownership checks on their own, against plain JDK sockets standing in for this server's and
 * other processes': the probe, the count of listening sockets, and how /proc/net/tcp lines and addresses
 * are read. The checks through real servers on both transports are in {@link ReusePortTests}.
 */
class PortOwnershipTests {

	private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

	private static final TcpHandler ECHO = (connection, data) -> connection.write(data);

	private final List<AutoCloseable> sockets = new ArrayList<>();

	@AfterEach
	void closeSockets() throws Exception {
		for (AutoCloseable socket : this.sockets) {
			socket.close();
		}
	}

	@Test
	void probeFailsOnAListeningSocketThatSharesThePort() throws IOException {
		int port = listen(LOOPBACK, 0, true);
		long socketsBefore = OpenDescriptors.socketCount();
		assertThatExceptionOfType(PortInUseException.class)
			.isThrownBy(() -> PortOwnership.probe(listeners(listener(LOOPBACK, port, false))))
			.satisfies((ex) -> assertThat(ex.port()).isEqualTo(port))
			.withMessageContaining("EADDRINUSE");
		assertThat(OpenDescriptors.socketCount()).as("the probe's socket is closed").isEqualTo(socketsBefore);
	}

	@Test
	void probePassesBesideABoundSocketThatDoesNotListen() throws IOException {
		SocketChannel bound = SocketChannel.open();
		this.sockets.add(bound);
		bound.setOption(StandardSocketOptions.SO_REUSEADDR, true);
		bound.bind(new InetSocketAddress(LOOPBACK, 0));
		int port = ((InetSocketAddress) bound.getLocalAddress()).getPort();
		assertThatNoException().isThrownBy(() -> PortOwnership.probe(listeners(listener(LOOPBACK, port, false))));
	}

	@Test
	void probeSkipsListenersThatSharePortsAndPortZero() throws IOException {
		int port = listen(LOOPBACK, 0, true);
		assertThatNoException().isThrownBy(() -> PortOwnership
			.probe(listeners(listener(LOOPBACK, port, true), listener(LOOPBACK, 0, false))));
	}

	@Test
	void countPassesWithExactlyTheServersSocketsAndFailsWithOneMore() throws IOException {
		int port = listen(LOOPBACK, 0, true);
		listen(LOOPBACK, port, true);
		ListenerRuntime[] listeners = bound(port, listener(LOOPBACK, port, false));
		assertThatNoException().isThrownBy(() -> PortOwnership.verify(listeners, 2));
		listen(LOOPBACK, port, true);
		assertThatExceptionOfType(PortInUseException.class).isThrownBy(() -> PortOwnership.verify(listeners, 2))
			.withMessageContaining("port " + port)
			.withMessageContaining("1 other listening socket(s) share it through SO_REUSEPORT besides this server's 2");
	}

	@Test
	void countSkipsAListenerThatSharesItsPort() throws IOException {
		int port = listen(LOOPBACK, 0, true);
		listen(LOOPBACK, port, true);
		assertThatNoException()
			.isThrownBy(() -> PortOwnership.verify(bound(port, listener(LOOPBACK, port, true)), 1));
	}

	@Test
	void countTakesTheServersOwnOverlappingListenersForItsOwn() throws IOException {
		int port = listen(null, 0, true);
		listen(LOOPBACK, port, true);
		ListenerRuntime[] listeners = bound(port, listener(null, port, false), listener(LOOPBACK, port, false));
		assertThatNoException().isThrownBy(() -> PortOwnership.verify(listeners, 1));
	}

	@Test
	void everyMemberOfAReusePortGroupIsListedOnItsOwn() throws IOException {
		int port = listen(LOOPBACK, 0, true);
		listen(LOOPBACK, port, true);
		listen(LOOPBACK, port, true);
		assertThat(ListeningSockets.read()).filteredOn((socket) -> socket.getPort() == port)
			.hasSize(3)
			.allSatisfy((socket) -> assertThat(socket.getAddress()).isEqualTo(LOOPBACK));
	}

	@Test
	void listeningIpv6SocketsAreListed() throws IOException {
		InetAddress ipv6Loopback = InetAddress.getByName("::1");
		int port;
		try {
			port = listen(ipv6Loopback, 0, false);
		}
		catch (IOException | UnsupportedOperationException ex) {
			assumeThat(ex).as("IPv6 loopback unavailable").isNull();
			return;
		}
		assertThat(ListeningSockets.read()).contains(new InetSocketAddress(ipv6Loopback, port));
	}

	@Test
	void linesAreReadAsTheKernelPrintsThem() throws IOException {
		assumeThat(ByteOrder.nativeOrder()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
		assertThat(ListeningSockets.parseListening(
				"   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4242 1 0"))
			.isEqualTo(new InetSocketAddress(LOOPBACK, 8080));
		assertThat(ListeningSockets.parseListening("  12: 00000000000000000000000001000000:1B58 "
				+ "00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000 0 7 1"))
			.isEqualTo(new InetSocketAddress(InetAddress.getByName("::1"), 7000));
		InetSocketAddress mapped = ListeningSockets.parseListening("   3: 0000000000000000FFFF00000100007F:1B58 "
				+ "00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000 0 9 1");
		assertThat(mapped.getAddress()).isInstanceOf(Inet4Address.class).isEqualTo(LOOPBACK);
		assertThat(ListeningSockets.parseListening(
				"   1: 2000007F:8F42 0100007F:1B58 06 00000000:00000000 03:000006FC 00000000     0        0 0 3"))
			.as("TIME_WAIT").isNull();
		assertThat(ListeningSockets.parseListening(
				"   1: 0100007F:1B58 0100007F:8F42 01 00000000:00000000 00:00000000 00000000     0        0 5 1"))
			.as("ESTABLISHED").isNull();
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ListeningSockets.parseListening("   0: 7F0001:1F90 00000000:0000 0A 0"));
	}

	@Test
	void addressesOverlapWhenTheyTakeSomeOfTheSameConnections() throws IOException {
		InetAddress any4 = InetAddress.getByName("0.0.0.0");
		InetAddress any6 = InetAddress.getByName("::");
		InetAddress ipv6Loopback = InetAddress.getByName("::1");
		InetAddress other = InetAddress.getByName("127.0.0.2");
		assertThat(PortOwnership.overlaps(LOOPBACK, LOOPBACK)).isTrue();
		assertThat(PortOwnership.overlaps(LOOPBACK, other)).isFalse();
		assertThat(PortOwnership.overlaps(null, other)).as("default wildcard covers IPv4").isTrue();
		assertThat(PortOwnership.overlaps(null, ipv6Loopback)).isTrue();
		assertThat(PortOwnership.overlaps(null, any4)).isTrue();
		assertThat(PortOwnership.overlaps(any6, other)).as("own IPv6 wildcard is dual-stack").isTrue();
		assertThat(PortOwnership.overlaps(any4, other)).isTrue();
		assertThat(PortOwnership.overlaps(any4, ipv6Loopback)).isFalse();
		assertThat(PortOwnership.overlaps(other, any4)).isTrue();
		assertThat(PortOwnership.overlaps(ipv6Loopback, any6)).isTrue();
		assertThat(PortOwnership.overlaps(other, any6)).as("a foreign IPv6 wildcard may be IPv6 only").isFalse();
		assertThat(PortOwnership.overlaps(other, null)).as("another listener's default wildcard, as found").isFalse();
	}

	private static ListenerSettings listener(@Nullable InetAddress address, int port, boolean reusePort) {
		return new ListenerSettings("owner-" + port + "-" + address, address, port, 16, ECHO, null, 10,
				Duration.ZERO, HandlerExecution.EVENT_LOOP, ListenerSettings.DEFAULT_FRAME_TIMEOUT, reusePort);
	}

	private static ListenerRuntime[] listeners(ListenerSettings... settings) {
		ListenerRuntime[] listeners = new ListenerRuntime[settings.length];
		for (int i = 0; i < settings.length; i++) {
			listeners[i] = new ListenerRuntime(i, settings[i]);
		}
		return listeners;
	}

	private static ListenerRuntime[] bound(int port, ListenerSettings... settings) {
		ListenerRuntime[] listeners = listeners(settings);
		for (ListenerRuntime listener : listeners) {
			listener.boundPort(port);
		}
		return listeners;
	}

	private int listen(@Nullable InetAddress address, int port, boolean reusePort) throws IOException {
		ServerSocketChannel channel = ServerSocketChannel.open();
		this.sockets.add(channel);
		channel.setOption(StandardSocketOptions.SO_REUSEPORT, reusePort);
		channel.bind((address != null) ? new InetSocketAddress(address, port) : new InetSocketAddress(port));
		return ((InetSocketAddress) channel.getLocalAddress()).getPort();
	}

}
