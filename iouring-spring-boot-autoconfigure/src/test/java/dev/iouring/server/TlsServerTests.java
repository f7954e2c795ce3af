package dev.iouring.server;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;

import dev.iouring.ring.NativeMemory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * TLS over real sockets on both transports, against the JDK's client and openssl s_client: handlers
 * see plaintext and the negotiated session from onOpen on, mutual TLS exposes the client's chain, a
 * failed handshake closes with {@code tls-handshake-failed}, a stalled one with
 * {@code tls-handshake-timeout}, neither reaches the handler, and each handshake is counted once by
 * result; a graceful close sends close_notify after the queued bytes.
 */
@EachTransport
class TlsServerTests {

	@Parameter
	Transport transport;

	@TempDir
	static Path dir;

	private static TestCertificates certificates;

	private TcpServer server;

	private final List<NegotiatedTls> opened = new CopyOnWriteArrayList<>();

	/** What the handler received after it half-closed. */
	private final List<String> afterHalfClose = new CopyOnWriteArrayList<>();

	@BeforeEach
	void certificates() throws Exception {
		if (certificates == null) {
			certificates = TestCertificates.generate(dir, "server", "client", "stranger@" + TestCertificates.OTHER_CA);
		}
	}

	@AfterEach
	void stop() {
		if (this.server != null) {
			this.server.stop();
		}
	}

	private int start(TlsSettings tls) {
		TcpHandler echo = new TcpHandler() {
			@Override
			public void onOpen(Connection connection) {
				TlsServerTests.this.opened.add(connection.tls());
			}

			@Override
			public void onData(Connection connection, Bytes data) {
				String text = data.toString(StandardCharsets.US_ASCII);
				if ("bye\n".equals(text)) {
					connection.write("see you\n");
					connection.close();
					return;
				}
				if ("half\n".equals(text)) {
					connection.write("done writing\n");
					connection.shutdownOutput();
					return;
				}
				if (!connection.isOpen() || text.startsWith("after")) {
					TlsServerTests.this.afterHalfClose.add(text);
					return;
				}
				connection.write(data);
			}
		};
		this.server = TestServers.startTls(this.transport, tls, echo);
		return this.server.port();
	}

	private static TlsSettings serverTls(TlsSettings.ClientAuth clientAuth, Duration timeout) throws Exception {
		SSLContext context = certificates.context("server", TestCertificates.CA);
		return TlsSettings.builder(() -> TlsContext.of("test", context))
			.clientAuth(clientAuth)
			.handshakeTimeout(timeout)
			.build();
	}

	private SSLSocket client(int port, String key, String protocol) throws Exception {
		SSLContext context = certificates.context(key, TestCertificates.CA);
		SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
		socket.setSoTimeout(Peers.READ_TIMEOUT_MILLIS);
		if (protocol != null) {
			socket.setEnabledProtocols(new String[] { protocol });
		}
		return socket;
	}

	@Test
	void megabytesEchoIntactOverTls13And12AndTheHandlerSeesTheSessionFromOnOpen() throws Exception {
		long nativeBefore = NativeMemory.reservedBytes();
		int port = start(serverTls(TlsSettings.ClientAuth.NONE, Duration.ofSeconds(10)));
		for (String protocol : new String[] { "TLSv1.3", "TLSv1.2" }) {
			try (SSLSocket socket = client(port, null, protocol)) {
				byte[] payload = new byte[1 << 20];
				new Random(3).nextBytes(payload);
				Thread writer = Thread.ofVirtual().start(() -> {
					try {
						OutputStream out = socket.getOutputStream();
						for (int offset = 0; offset < payload.length; offset += 10_000) {
							out.write(payload, offset, Math.min(10_000, payload.length - offset));
						}
					}
					catch (Exception ex) {
						throw new IllegalStateException(ex);
					}
				});
				assertThat(socket.getInputStream().readNBytes(payload.length)).isEqualTo(payload);
				writer.join(TimeUnit.SECONDS.toMillis(30));
				assertThat(socket.getSession().getProtocol()).isEqualTo(protocol);
			}
		}
		assertThat(this.opened).extracting(NegotiatedTls::protocol).containsExactly("TLSv1.3", "TLSv1.2");
		assertThat(handshakes()).containsExactly(2L, 0L, 0L);
		assertThat(this.server.listenerStats().getFirst().handshakeNanos()).isPositive();
		await().atMost(Duration.ofSeconds(30)).until(() -> this.server.activeConnections() == 0);
		this.server.stop();
		assertThat(NativeMemory.reservedBytes()).isEqualTo(nativeBefore);
	}

	@Test
	void mutualTlsExposesTheClientChainAndRefusesClientsWithoutATrustedCertificate() throws Exception {
		int port = start(serverTls(TlsSettings.ClientAuth.NEED, Duration.ofSeconds(10)));
		try (SSLSocket socket = client(port, "client", null)) {
			Peers.roundTrip(socket, "hello".getBytes(StandardCharsets.US_ASCII));
		}
		assertThat(this.opened).hasSize(1);
		assertThat(this.opened.getFirst().peerCertificates()).isNotEmpty();
		assertThat(this.opened.getFirst().peerCertificates().getFirst()).isEqualTo(certificates.x509("client"));
		for (String key : new String[] { null, "stranger" }) {
			try (SSLSocket socket = client(port, key, null)) {
				assertThatExceptionOfType(java.io.IOException.class).isThrownBy(() -> {
					socket.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
					socket.getOutputStream().flush();
					if (socket.getInputStream().read() < 0) {
						throw new SSLException("closed");
					}
				});
			}
		}
		// Three connections closed; the refused ones never reached the handler. Which side gives up first
		// (our alert, or the client's own, then its reset) is a race, so either reason may count them.
		await().atMost(Duration.ofSeconds(30)).until(() -> closes().values().stream().mapToLong(Long::longValue).sum() == 3);
		assertThat(closes()).as("errors %s", Peers.allErrors(this.server)).containsKey(CloseReason.TLS_HANDSHAKE_FAILED);
		assertThat(closes().keySet()).as("errors %s", Peers.allErrors(this.server))
			.isSubsetOf(CloseReason.TLS_HANDSHAKE_FAILED, CloseReason.PEER_CLOSED, CloseReason.RESET);
		assertThat(Peers.allErrors(this.server)).isEmpty();
		assertThat(this.opened).hasSize(1);
		// Both refused clients began a handshake, whichever side gave up first.
		assertThat(handshakes()).containsExactly(1L, 2L, 0L);
	}

	@Test
	void aPlaintextClientFailsTheHandshakeAndASilentOneTimesOutWithoutReachingTheHandler() throws Exception {
		int port = start(serverTls(TlsSettings.ClientAuth.NONE, Duration.ofMillis(400)));
		try (Socket plain = Peers.connect(port)) {
			plain.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
			InputStream in = plain.getInputStream();
			// An alert (or nothing), then the end of the stream: never an echo.
			byte[] answer = in.readAllBytes();
			assertThat(new String(answer, StandardCharsets.ISO_8859_1)).doesNotContain("PING");
		}
		try (Socket silent = Peers.connect(port)) {
			assertThat(Peers.awaitEnd(silent)).isEqualTo(Peers.Ending.END_OF_STREAM);
		}
		await().atMost(Duration.ofSeconds(30))
			.until(() -> Peers.closed(this.server, "tls", CloseReason.TLS_HANDSHAKE_FAILED) == 1
					&& Peers.closed(this.server, "tls", CloseReason.TLS_HANDSHAKE_TIMEOUT) == 1);
		assertThat(this.opened).isEmpty();
		assertThat(handshakes()).containsExactly(0L, 1L, 1L);
	}

	@Test
	void aGracefulCloseSendsTheQueuedRepliesThenCloseNotify() throws Exception {
		int port = start(serverTls(TlsSettings.ClientAuth.NONE, Duration.ofSeconds(10)));
		try (SSLSocket socket = client(port, null, null)) {
			socket.getOutputStream().write("bye\n".getBytes(StandardCharsets.US_ASCII));
			socket.getOutputStream().flush();
			InputStream in = socket.getInputStream();
			assertThat(in.readNBytes(8)).isEqualTo("see you\n".getBytes(StandardCharsets.US_ASCII));
			// close_notify reads as a clean end of stream, not an SSLException.
			assertThat(in.read()).isEqualTo(-1);
		}
		await().atMost(Duration.ofSeconds(30))
			.until(() -> Peers.closed(this.server, "tls", CloseReason.LOCAL_CLOSE) == 1);
	}

	@Test
	void aHalfCloseSendsCloseNotifyAfterTheQueuedBytesAndTheServerGoesOnReading() throws Exception {
		int port = start(serverTls(TlsSettings.ClientAuth.NONE, Duration.ofSeconds(10)));
		try (SSLSocket socket = client(port, null, "TLSv1.3")) {
			socket.getOutputStream().write("half\n".getBytes(StandardCharsets.US_ASCII));
			socket.getOutputStream().flush();
			InputStream in = socket.getInputStream();
			assertThat(in.readNBytes(13)).isEqualTo("done writing\n".getBytes(StandardCharsets.US_ASCII));
			// close_notify: a clean end of the server's stream, while ours stays open.
			assertThat(in.read()).isEqualTo(-1);
			socket.getOutputStream().write("after the half-close\n".getBytes(StandardCharsets.US_ASCII));
			socket.getOutputStream().flush();
			await().atMost(Duration.ofSeconds(30)).until(() -> !this.afterHalfClose.isEmpty());
			assertThat(String.join("", this.afterHalfClose)).isEqualTo("after the half-close\n");
		}
	}

	@Test
	void opensslSClientTalksToTheServer() throws Exception {
		int port = start(serverTls(TlsSettings.ClientAuth.NONE, Duration.ofSeconds(10)));
		Process openssl = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + port, "-quiet",
				"-no_ign_eof", "-servername", "localhost")
			.redirectErrorStream(false)
			.start();
		try {
			openssl.getOutputStream().write("hello from openssl\n".getBytes(StandardCharsets.US_ASCII));
			openssl.getOutputStream().flush();
			byte[] echoed = openssl.getInputStream().readNBytes(19);
			assertThat(new String(echoed, StandardCharsets.US_ASCII)).isEqualTo("hello from openssl\n");
			openssl.getOutputStream().close();
			assertThat(openssl.waitFor(30, TimeUnit.SECONDS)).isTrue();
		}
		finally {
			openssl.destroyForcibly();
		}
		assertThat(this.opened).singleElement().satisfies((tls) -> {
			assertThat(tls.protocol()).isEqualTo("TLSv1.3");
			assertThat(tls.serverName()).isEqualTo("localhost");
		});
	}

	/** Handshakes of the one loop: succeeded, failed, timed out. */
	private List<Long> handshakes() {
		ListenerStats stats = this.server.listenerStats().getFirst();
		return List.of(stats.handshakesSucceeded(), stats.handshakesFailed(), stats.handshakesTimedOut());
	}

	private java.util.Map<CloseReason, Long> closes() {
		java.util.Map<CloseReason, Long> closes = new java.util.EnumMap<>(CloseReason.class);
		for (CloseReason reason : CloseReason.values()) {
			long count = Peers.closed(this.server, "tls", reason);
			if (count > 0) {
				closes.put(reason, count);
			}
		}
		return closes;
	}

}
