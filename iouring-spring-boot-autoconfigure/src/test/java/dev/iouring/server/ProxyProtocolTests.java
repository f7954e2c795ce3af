package dev.iouring.server;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;

import dev.iouring.ring.RingOptions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The PROXY protocol over real sockets on both transports: a header from a test client or from a real
 * HAProxy makes {@code remoteAddress()} the original client before the handler sees the connection, the
 * bytes after it pass intact both ways, and a connection without a valid header (under {@code on}), or
 * whose header does not arrive in time, is closed with {@code proxy-protocol-error} and never reaches
 * the handler.
 */
@EachTransport
class ProxyProtocolTests {

	@Parameter
	Transport transport;

	@TempDir
	Path dir;

	private TcpServer server;

	/** What the handler saw in onOpen: the remote and proxy addresses, by the order of opening. */
	private final CopyOnWriteArrayList<String> opened = new CopyOnWriteArrayList<>();

	private final AtomicInteger closedAfterOpen = new AtomicInteger();

	private final Map<Integer, Connection> byClientPort = new ConcurrentHashMap<>();

	@AfterEach
	void stop() {
		if (this.server != null) {
			this.server.stop();
		}
	}

	private int start(ProxyProtocolMode mode, Duration timeout) {
		TcpHandler echo = new TcpHandler() {
			@Override
			public void onOpen(Connection connection) {
				InetSocketAddress remote = connection.remoteAddress();
				ProxyProtocolTests.this.opened.add(remote + " via " + connection.proxyAddress());
				ProxyProtocolTests.this.byClientPort.put(remote.getPort(), connection);
			}

			@Override
			public void onData(Connection connection, Bytes data) {
				connection.write(data);
			}

			@Override
			public void onClose(Connection connection, CloseReason reason) {
				ProxyProtocolTests.this.closedAfterOpen.incrementAndGet();
			}
		};
		this.server = TestServers.create(this.transport, ServerSettings.builder()
			.ring(RingOptions.of(256, 1024))
			.buffers(256, 4096)
			.eventLoops(1)
			.listener(ListenerSettings.of("proxied", 0, echo).withProxyProtocol(mode, timeout))
			.build());
		this.server.start();
		return this.server.port();
	}

	@Test
	void aV1HeaderNamesTheClientAndTheBytesAfterItPassBothWays() throws Exception {
		int port = start(ProxyProtocolMode.ON, Duration.ofSeconds(5));
		try (Socket socket = Peers.connect(port)) {
			byte[] header = "PROXY TCP4 203.0.113.7 192.0.2.1 51234 7000\r\n".getBytes(StandardCharsets.US_ASCII);
			// The header trickles in a byte at a time, and the first data shares a write with its end.
			for (int i = 0; i < header.length - 1; i++) {
				socket.getOutputStream().write(header[i]);
				socket.getOutputStream().flush();
			}
			socket.getOutputStream().write(new byte[] { header[header.length - 1], 'h', 'i' });
			assertThat(socket.getInputStream().readNBytes(2)).isEqualTo("hi".getBytes(StandardCharsets.US_ASCII));
			Peers.roundTrip(socket, new byte[200_000]);
			assertThat(this.opened).containsExactly("/203.0.113.7:51234 via /127.0.0.1:" + socket.getLocalPort());
			Connection connection = this.byClientPort.get(51234);
			assertThat(connection.proxyHeader().command()).isEqualTo(ProxyHeader.Command.PROXY);
			assertThat(connection.proxyHeader().destinationAddress()).isEqualTo(new InetSocketAddress("192.0.2.1", 7000));
		}
	}

	@Test
	void aClientWithoutAHeaderIsRefusedUnderOnAndNeverReachesTheHandler() throws Exception {
		int port = start(ProxyProtocolMode.ON, Duration.ofSeconds(5));
		try (Socket socket = Peers.connect(port)) {
			socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			assertThat(socket.getInputStream().read()).as("the server ends the stream, answering nothing").isEqualTo(-1);
		}
		await().atMost(Duration.ofSeconds(30))
			.until(() -> Peers.closed(this.server, "proxied", CloseReason.PROXY_PROTOCOL_ERROR) == 1);
		assertThat(this.opened).isEmpty();
		assertThat(this.closedAfterOpen).hasValue(0);
		assertThat(this.server.activeConnections()).isZero();
	}

	@Test
	void aHeaderThatDoesNotArriveInTimeClosesTheConnection() throws Exception {
		int port = start(ProxyProtocolMode.ON, Duration.ofMillis(300));
		try (Socket socket = Peers.connect(port)) {
			socket.getOutputStream().write("PROXY TCP4 1.2".getBytes(StandardCharsets.US_ASCII));
			assertThat(socket.getInputStream().read()).isEqualTo(-1);
		}
		// The peer can see the end of stream before the loop has counted the close.
		await().atMost(Duration.ofSeconds(30))
			.until(() -> Peers.closed(this.server, "proxied", CloseReason.PROXY_PROTOCOL_ERROR) == 1);
		assertThat(this.opened).isEmpty();
	}

	@Test
	void optionalModeServesClientsWithAndWithoutAHeader() throws Exception {
		int port = start(ProxyProtocolMode.OPTIONAL, Duration.ofSeconds(5));
		try (Socket direct = Peers.connect(port)) {
			// "P" could start a v1 header: the server holds it until "ING" rules that out.
			direct.getOutputStream().write('P');
			direct.getOutputStream().flush();
			direct.getOutputStream().write("ING\r\n".getBytes(StandardCharsets.US_ASCII));
			assertThat(direct.getInputStream().readNBytes(6)).isEqualTo("PING\r\n".getBytes(StandardCharsets.US_ASCII));
			assertThat(this.opened).containsExactly("/127.0.0.1:" + direct.getLocalPort() + " via null");
		}
		try (Socket proxied = Peers.connect(port)) {
			proxied.getOutputStream().write("PROXY TCP6 2001:db8::1 2001:db8::2 4000 80\r\nok".getBytes(StandardCharsets.US_ASCII));
			assertThat(proxied.getInputStream().readNBytes(2)).isEqualTo("ok".getBytes(StandardCharsets.US_ASCII));
		}
		assertThat(this.opened).hasSize(2).last().asString().startsWith("/[2001:db8:0:0:0:0:0:1]:4000 via /127.0.0.1:");
	}

	@Test
	void behindHaproxyTheHandlerSeesTheRealClientWithV1AndV2AndHealthChecksPass() throws Exception {
		int port = start(ProxyProtocolMode.ON, Duration.ofSeconds(5));
		for (HaproxyProcess.Sender sender : HaproxyProcess.Sender.values()) {
			try (HaproxyProcess haproxy = HaproxyProcess.start(this.dir, port, sender);
					Socket client = Peers.connect(haproxy.port())) {
				long verified = Peers.pipelinedEcho(client, 42, 1 << 20, 64 * 1024);
				assertThat(verified).isEqualTo(1 << 20);
				Connection connection = this.byClientPort.get(client.getLocalPort());
				assertThat(connection).as("%s: a connection whose remote port is the client's, %s; haproxy: %s", sender,
						this.opened, haproxy.output()).isNotNull();
				assertThat(connection.remoteAddress().getAddress().isLoopbackAddress()).isTrue();
				assertThat(connection.proxyAddress()).isNotNull();
				assertThat(connection.proxyAddress().getPort()).isNotEqualTo(client.getLocalPort());
			}
		}
		assertThat(Peers.closed(this.server, "proxied", CloseReason.PROXY_PROTOCOL_ERROR)).isZero();
	}

	@Test
	void aV2LocalCommandIsAcceptedAndKeepsTheSocketPeer() throws Exception {
		int port = start(ProxyProtocolMode.ON, Duration.ofSeconds(5));
		try (Socket socket = Peers.connect(port)) {
			byte[] local = { 0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x20, 0x00, 0x00,
					0x00, 'o', 'k' };
			socket.getOutputStream().write(local);
			InputStream in = socket.getInputStream();
			assertThat(in.readNBytes(2)).isEqualTo("ok".getBytes(StandardCharsets.US_ASCII));
			Connection connection = this.byClientPort.get(socket.getLocalPort());
			assertThat(connection.proxyHeader().command()).isEqualTo(ProxyHeader.Command.LOCAL);
			assertThat(connection.proxyAddress()).isNull();
		}
	}

}
