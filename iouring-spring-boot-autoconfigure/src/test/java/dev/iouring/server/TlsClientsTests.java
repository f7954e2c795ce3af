package dev.iouring.server;

import java.nio.file.Path;
import java.security.cert.CertificateExpiredException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;


import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * TLS against clients other than the JDK's, over real sockets on both transports: {@code openssl
 * s_client} with TLS 1.3 and 1.2 and a server name (SNI picks the certificate), Python's {@code ssl}
 * module, mutual TLS with a trusted and an untrusted client certificate, and an expired server
 * certificate, which every client refuses.
 */
@EachTransport
class TlsClientsTests {

	private static final String LINE = "hello over tls\n";

	@Parameter
	Transport transport;

	@TempDir
	static Path dir;

	private static TestCertificates certificates;

	private TcpServer server;

	private final List<NegotiatedTls> opened = new CopyOnWriteArrayList<>();

	@BeforeEach
	void certificates() throws Exception {
		if (certificates == null) {
			certificates = TestCertificates.generate(dir, "localhost", "api.example.com", "client",
					"stranger@" + TestCertificates.OTHER_CA);
			certificates.leaf("expired", TestCertificates.CA, -1);
		}
	}

	@AfterEach
	void stop() {
		if (this.server != null) {
			this.server.stop();
		}
	}

	/** An echo server presenting {@code leaf}, and api.example.com's certificate to clients asking for it. */
	private int start(String leaf, TlsSettings.ClientAuth clientAuth) throws Exception {
		TlsContext main = TlsContext.of(leaf, certificates.context(leaf, TestCertificates.CA));
		TlsContext api = TlsContext.of("api", certificates.context("api.example.com", TestCertificates.CA));
		TlsSettings tls = TlsSettings.builder(() -> main)
			.serverName("api.example.com", () -> api)
			.clientAuth(clientAuth)
			.build();
		TcpHandler echo = new TcpHandler() {
			@Override
			public void onOpen(Connection connection) {
				TlsClientsTests.this.opened.add(connection.tls());
			}

			@Override
			public void onData(Connection connection, Bytes data) {
				connection.write(data);
			}
		};
		this.server = TestServers.startTls(this.transport, tls, echo);
		return this.server.port();
	}

	private static List<String> sClient(int port, String... options) {
		List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port,
				"-brief", "-verify_return_error", "-CAfile", certificates.certificate(TestCertificates.CA).toString()));
		command.addAll(List.of(options));
		return command;
	}

	/** Runs openssl s_client, sends a line and reads its echo. */
	private static ClientProcess.Result echoThrough(List<String> command) throws Exception {
		try (ClientProcess client = ClientProcess.start(command.toArray(String[]::new))) {
			client.send(LINE);
			String echoed = client.read(LINE.length());
			ClientProcess.Result result = client.finish();
			assertThat(echoed).as("echo through %s; stderr:%n%s", command, result.stderr()).isEqualTo(LINE);
			return result;
		}
	}

	@Test
	void opensslSClientNegotiatesTls13AndTls12AndVerifiesTheServer() throws Exception {
		int port = start("localhost", TlsSettings.ClientAuth.NONE);
		for (String version : new String[] { "1.3", "1.2" }) {
			ClientProcess.Result result = echoThrough(
					sClient(port, "-servername", "localhost", "-tls" + version.replace('.', '_')));
			assertThat(result.exitCode()).isZero();
			assertThat(result.stderr()).contains("Protocol version: TLSv" + version, "Verification: OK",
					"Peer certificate: CN = localhost");
		}
		assertThat(this.opened).extracting(NegotiatedTls::protocol).containsExactly("TLSv1.3", "TLSv1.2");
		assertThat(this.opened).extracting(NegotiatedTls::serverName).containsExactly("localhost", "localhost");
	}

	@Test
	void theServerNameAClientAsksForPicksTheCertificate() throws Exception {
		int port = start("localhost", TlsSettings.ClientAuth.NONE);
		assertThat(echoThrough(sClient(port, "-servername", "api.example.com")).stderr())
			.contains("Peer certificate: CN = api.example.com", "Verification: OK");
		assertThat(echoThrough(sClient(port, "-servername", "other.example.org")).stderr())
			.contains("Peer certificate: CN = localhost");
		assertThat(echoThrough(sClient(port, "-noservername")).stderr()).contains("Peer certificate: CN = localhost");
		assertThat(this.opened).extracting(NegotiatedTls::serverName)
			.containsExactly("api.example.com", "other.example.org", null);
	}

	@Test
	void pythonsSslModuleTalksTls13AndTls12CheckingTheHostName() throws Exception {
		int port = start("localhost", TlsSettings.ClientAuth.NONE);
		String script = """
				import socket, ssl, sys
				port, ca, line = int(sys.argv[1]), sys.argv[2], sys.argv[3].encode()
				for version in (ssl.TLSVersion.TLSv1_3, ssl.TLSVersion.TLSv1_2):
				    context = ssl.create_default_context(cafile=ca)
				    context.minimum_version = context.maximum_version = version
				    with socket.create_connection(("127.0.0.1", port), timeout=30) as raw:
				        with context.wrap_socket(raw, server_hostname="localhost") as tls:
				            tls.sendall(line)
				            echoed = b""
				            while len(echoed) < len(line):
				                chunk = tls.recv(4096)
				                if not chunk:
				                    break
				                echoed += chunk
				            print(tls.version(), echoed == line)
				""";
		try (ClientProcess python = ClientProcess.start("python3", "-c", script, Integer.toString(port),
				certificates.certificate(TestCertificates.CA).toString(), LINE)) {
			ClientProcess.Result result = python.finish();
			assertThat(result.exitCode()).as("python3 stderr:%n%s", result.stderr()).isZero();
			assertThat(result.stdout()).isEqualTo("TLSv1.3 True\nTLSv1.2 True\n");
		}
		assertThat(this.opened).extracting(NegotiatedTls::protocol).containsExactly("TLSv1.3", "TLSv1.2");
	}

	@Test
	void mutualTlsServesATrustedClientCertificateAndRefusesAnUntrustedOne() throws Exception {
		int port = start("localhost", TlsSettings.ClientAuth.NEED);
		echoThrough(sClient(port, "-cert", certificates.certificate("client").toString(), "-key",
				certificates.privateKey("client").toString()));
		assertThat(this.opened).singleElement()
			.satisfies((tls) -> assertThat(tls.peerCertificates().getFirst().getSubjectX500Principal().getName())
				.isEqualTo("CN=client"));
		List<String> stranger = sClient(port, "-cert", certificates.certificate("stranger").toString(), "-key",
				certificates.privateKey("stranger").toString());
		try (ClientProcess client = ClientProcess.start(stranger.toArray(String[]::new))) {
			client.send(LINE);
			// Under TLS 1.3 the client finishes before the server checks its certificate: the refusal is an
			// alert and the end of the stream, never an echo.
			assertThat(client.read(LINE.length())).isEmpty();
			assertThat(client.finish().exitCode()).isNotZero();
		}
		await().atMost(Duration.ofSeconds(30))
			.until(() -> Peers.closed(this.server, "tls", CloseReason.TLS_HANDSHAKE_FAILED) == 1);
		ListenerStats stats = this.server.listenerStats().getFirst();
		assertThat(List.of(stats.handshakesSucceeded(), stats.handshakesFailed())).containsExactly(1L, 1L);
		assertThat(this.opened).hasSize(1);
	}

	@Test
	void clientsRefuseAnExpiredServerCertificate() throws Exception {
		assertThat(certificates.x509("expired").getNotAfter()).isInThePast();
		int port = start("expired", TlsSettings.ClientAuth.NONE);
		try (ClientProcess client = ClientProcess.start(sClient(port).toArray(String[]::new))) {
			ClientProcess.Result result = client.finish();
			assertThat(result.exitCode()).isNotZero();
			assertThat(result.stderr()).contains("certificate has expired");
		}
		SSLContext trusting = certificates.context(null, TestCertificates.CA);
		try (SSLSocket socket = (SSLSocket) trusting.getSocketFactory().createSocket("127.0.0.1", port)) {
			socket.setSoTimeout(Peers.READ_TIMEOUT_MILLIS);
			assertThatExceptionOfType(SSLHandshakeException.class).isThrownBy(socket::startHandshake)
				.withRootCauseInstanceOf(CertificateExpiredException.class);
		}
		// Both clients gave up inside the handshake; neither reached the handler.
		await().atMost(Duration.ofSeconds(30))
			.until(() -> this.server.listenerStats().getFirst().handshakesFailed() == 2);
		assertThat(this.opened).isEmpty();
	}

}
