package dev.iouring.server;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;

import dev.iouring.ring.Sockets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A listener's {@link SocketOptions} on real accepted connections of each transport, read back on the
 * server's end with getsockopt. The kernel reports buffer sizes doubled (its bookkeeping overhead).
 */
@EachTransport
class SocketOptionsTests {

	private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

	private static final TcpHandler ECHO = Connection::write;

	@Parameter
	Transport transport;

	private TcpServer server;

	@AfterEach
	void stop() {
		if (this.server != null) {
			this.server.stop();
		}
	}

	@Test
	void defaultOptionsLeaveKeepAliveOffAndTurnNagleOff() throws IOException {
		start(SocketOptions.DEFAULTS);
		try (Socket client = connectAndEcho()) {
			int fd = AcceptedSockets.serverSideOf(client);
			assertThat(AcceptedSockets.option(fd, Sockets.IPPROTO_TCP, Sockets.TCP_NODELAY)).isOne();
			assertThat(AcceptedSockets.option(fd, Sockets.SOL_SOCKET, Sockets.SO_KEEPALIVE)).isZero();
			assertThat(AcceptedSockets.option(fd, Sockets.IPPROTO_TCP, Sockets.TCP_USER_TIMEOUT)).isZero();
		}
	}

	@Test
	void everyConfiguredOptionIsSetOnTheAcceptedConnection() throws IOException {
		start(SocketOptions.builder()
			.keepAlive(true)
			.keepAliveIdle(Duration.ofSeconds(45))
			.keepAliveInterval(Duration.ofSeconds(7))
			.keepAliveCount(4)
			.userTimeout(Duration.ofMillis(12_345))
			.receiveBuffer(64 * 1024)
			.sendBuffer(32 * 1024)
			.tcpNoDelay(false)
			.build());
		try (Socket client = connectAndEcho()) {
			int fd = AcceptedSockets.serverSideOf(client);
			assertThat(AcceptedSockets.option(fd, Sockets.IPPROTO_TCP, Sockets.TCP_NODELAY)).isZero();
			assertThat(AcceptedSockets.option(fd, Sockets.SOL_SOCKET, Sockets.SO_KEEPALIVE)).isOne();
			assertThat(AcceptedSockets.option(fd, Sockets.IPPROTO_TCP, Sockets.TCP_KEEPIDLE)).isEqualTo(45);
			assertThat(AcceptedSockets.option(fd, Sockets.IPPROTO_TCP, Sockets.TCP_KEEPINTVL)).isEqualTo(7);
			assertThat(AcceptedSockets.option(fd, Sockets.IPPROTO_TCP, Sockets.TCP_KEEPCNT)).isEqualTo(4);
			assertThat(AcceptedSockets.option(fd, Sockets.SOL_SOCKET, Sockets.SO_RCVBUF)).isEqualTo(2 * 64 * 1024);
			assertThat(AcceptedSockets.option(fd, Sockets.SOL_SOCKET, Sockets.SO_SNDBUF)).isEqualTo(2 * 32 * 1024);
			// The JDK has no TCP_USER_TIMEOUT option, so the NIO transport leaves the kernel's default.
			assertThat(AcceptedSockets.option(fd, Sockets.IPPROTO_TCP, Sockets.TCP_USER_TIMEOUT))
				.isEqualTo((this.transport == Transport.IO_URING) ? 12_345 : 0);
		}
		assertThat(this.server.loopStats()).allSatisfy((loop) -> assertThat(loop.errors()).isEmpty());
	}

	@Test
	void keepAliveTimingsWaitForKeepAliveToBeOn() throws IOException {
		start(SocketOptions.builder().keepAliveIdle(Duration.ofSeconds(45)).keepAliveCount(4).build());
		try (Socket client = connectAndEcho()) {
			int fd = AcceptedSockets.serverSideOf(client);
			assertThat(AcceptedSockets.option(fd, Sockets.SOL_SOCKET, Sockets.SO_KEEPALIVE)).isZero();
			assertThat(AcceptedSockets.option(fd, Sockets.IPPROTO_TCP, Sockets.TCP_KEEPIDLE)).isNotEqualTo(45);
		}
	}

	private void start(SocketOptions options) {
		ListenerSettings listener = ListenerSettings.of("options", 0, ECHO).withSocketOptions(options);
		this.server = TestServers.create(this.transport,
				ServerSettings.builder().eventLoops(1).buffers(64, 4096).listener(listener).build());
		this.server.start();
	}

	/** Connects and waits for one echo: by then the server has opened the connection and set its options. */
	private Socket connectAndEcho() throws IOException {
		Socket client = new Socket();
		client.connect(new InetSocketAddress(LOOPBACK, this.server.port()), 5000);
		client.setSoTimeout(10_000);
		client.getOutputStream().write('x');
		InputStream in = client.getInputStream();
		assertThat(in.read()).isEqualTo('x');
		return client;
	}

}
