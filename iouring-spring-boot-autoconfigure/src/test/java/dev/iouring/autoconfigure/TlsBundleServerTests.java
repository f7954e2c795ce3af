package dev.iouring.autoconfigure;

import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLSocket;

import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.iouring.autoconfigure.endpoint.IoUringEndpoint;
import dev.iouring.autoconfigure.endpoint.IoUringEndpoint.ListenerDescriptor;
import dev.iouring.autoconfigure.endpoint.IoUringEndpointAutoConfiguration;
import dev.iouring.autoconfigure.endpoint.TlsDescriptor;
import dev.iouring.autoconfigure.metrics.IoUringMetricsAutoConfiguration;
import dev.iouring.ring.IoUringAssumptions;
import dev.iouring.server.Connection;
import dev.iouring.server.TcpHandler;
import dev.iouring.server.TcpServer;
import dev.iouring.server.TestCertificates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A running server whose TLS comes from Spring Boot SSL bundles, over real sockets: the handshake
 * meters and {@code /actuator/iouring} show each TLS listener's bundles, protocols, cipher suites and
 * handshakes, and a bundle reloaded from disk ({@code reload-on-update}) serves new connections with the
 * new certificate while a connection opened before goes on with the old one, on both transports.
 */
class TlsBundleServerTests {

	@TempDir
	static Path directory;

	static TestCertificates certificates;

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, IoUringServerAutoConfiguration.class,
				IoUringMetricsAutoConfiguration.class, IoUringEndpointAutoConfiguration.class))
		.withBean(SimpleMeterRegistry.class)
		.withBean("echo", TcpHandler.class, () -> Connection::write)
		.withPropertyValues("management.endpoints.web.exposure.include=iouring", "iouring.server.event-loops=2",
				"iouring.ring.entries=64", "iouring.ring.cq-entries=256", "iouring.buffers.count=64",
				"iouring.buffers.size=4KB");

	@BeforeAll
	static void certificates() throws Exception {
		certificates = TestCertificates.generate(directory, "localhost", "api.example.com");
	}

	private static String location(Path path) {
		return "file:" + path.toAbsolutePath();
	}

	private static String[] pemBundle(String name, String leaf) {
		String prefix = "spring.ssl.bundle.pem." + name + ".";
		return new String[] { prefix + "keystore.certificate=" + location(certificates.certificate(leaf)),
				prefix + "keystore.private-key=" + location(certificates.privateKey(leaf)) };
	}

	private static SSLSocket client(int port) throws Exception {
		SSLSocket socket = (SSLSocket) certificates.context(null, TestCertificates.CA)
			.getSocketFactory()
			.createSocket("127.0.0.1", port);
		socket.setSoTimeout(30_000);
		return socket;
	}

	private static void echo(Socket socket, String text) throws Exception {
		byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
		socket.getOutputStream().write(bytes);
		socket.getOutputStream().flush();
		assertThat(socket.getInputStream().readNBytes(bytes.length)).isEqualTo(bytes);
	}

	private static String presented(SSLSocket socket) throws Exception {
		return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
	}

	@Test
	void handshakeMetersAndTheEndpointShowEachTlsListener() {
		IoUringAssumptions.assumeIoUring();
		this.contextRunner.withPropertyValues(pemBundle("server", "localhost"))
			.withPropertyValues(pemBundle("api", "api.example.com"))
			.withPropertyValues("iouring.server.listeners.secure.port=0",
					"iouring.server.listeners.secure.handler=echo", "iouring.server.listeners.secure.ssl.bundle=server",
					"iouring.server.listeners.secure.ssl.handshake-timeout=300ms",
					"iouring.server.listeners.secure.ssl.server-name-bundles[api.example.com]=api",
					"iouring.server.listeners.plain.port=0", "iouring.server.listeners.plain.handler=echo")
			.run((context) -> {
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				int port = context.getBean(TcpServer.class).port("secure");
				try (SSLSocket socket = client(port)) {
					echo(socket, "hello");
				}
				try (Socket plaintext = new Socket(InetAddress.getLoopbackAddress(), port)) {
					plaintext.setSoTimeout(30_000);
					plaintext.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
					plaintext.getInputStream().readAllBytes();
				}
				try (Socket silent = new Socket(InetAddress.getLoopbackAddress(), port)) {
					silent.setSoTimeout(30_000);
					assertThat(silent.getInputStream().read()).isEqualTo(-1);
				}
				await().untilAsserted(() -> {
					assertThat(handshakes(registry, "success")).isEqualTo(1);
					assertThat(handshakes(registry, "failed")).isEqualTo(1);
					assertThat(handshakes(registry, "timeout")).isEqualTo(1);
					assertThat(registry.get("iouring.server.connections.closed")
						.tags("listener", "secure", "reason", "tls-handshake-timeout")
						.functionCounter()
						.count()).isEqualTo(1);
				});
				FunctionTimer duration = registry.get("iouring.server.tls.handshake.duration")
					.tag("listener", "secure")
					.functionTimer();
				assertThat(duration.count()).isEqualTo(1);
				assertThat(duration.totalTime(TimeUnit.NANOSECONDS)).isPositive();
				assertThat(registry.find("iouring.server.tls.handshakes").tag("listener", "plain").meters()).isEmpty();
				assertThat(registry.find("iouring.server.tls.handshake.duration").tag("listener", "plain").meters())
					.isEmpty();

				ListenerDescriptor secure = listener(context.getBean(IoUringEndpoint.class), "secure");
				TlsDescriptor tls = secure.tls();
				assertThat(tls.bundle()).isEqualTo("server");
				assertThat(tls.clientAuth()).isEqualTo("none");
				assertThat(tls.handshakeTimeoutMillis()).isEqualTo(300);
				assertThat(tls.protocols()).contains("TLSv1.3", "TLSv1.2");
				assertThat(tls.cipherSuites()).contains("TLS_AES_128_GCM_SHA256");
				assertThat(tls.serverNames()).containsOnlyKeys("api.example.com");
				assertThat(tls.serverNames().get("api.example.com").bundle()).isEqualTo("api");
				assertThat(tls.handshakes()).containsEntry("success", 1L)
					.containsEntry("failed", 1L)
					.containsEntry("timeout", 1L);
				assertThat(secure.closedConnections()).containsEntry("tls-handshake-timeout", 1L);
				assertThat(listener(context.getBean(IoUringEndpoint.class), "plain").tls()).isNull();
			});
	}

	@Test
	void theEndpointShowsTheProtocolsAndCiphersABundlesOptionsChoose() {
		this.contextRunner.withPropertyValues(pemBundle("legacy", "localhost"))
			.withPropertyValues("spring.ssl.bundle.pem.legacy.options.enabled-protocols=TLSv1.2",
					"spring.ssl.bundle.pem.legacy.options.ciphers=TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
					"iouring.server.transport=nio", "iouring.server.port=0", "iouring.server.ssl.bundle=legacy",
					"iouring.server.ssl.client-auth=want",
					"spring.ssl.bundle.pem.legacy.truststore.certificate="
							+ location(certificates.certificate(TestCertificates.CA)))
			.run((context) -> {
				TlsDescriptor tls = listener(context.getBean(IoUringEndpoint.class), "default").tls();
				assertThat(tls.protocols()).containsExactly("TLSv1.2");
				assertThat(tls.cipherSuites()).containsExactly("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
				assertThat(tls.clientAuth()).isEqualTo("want");
				assertThat(tls.handshakeTimeoutMillis()).isEqualTo(10_000);
				assertThat(tls.serverNames()).isEmpty();
			});
	}

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "io-uring", "nio" })
	void aReloadedBundleServesNewConnectionsWhileAnOpenOneGoesOn(String transport) throws Exception {
		if (transport.equals("io-uring")) {
			IoUringAssumptions.assumeIoUring();
		}
		Path live = Files.createDirectories(directory.resolve("live-" + transport));
		Path certificate = live.resolve("server.crt");
		Path key = live.resolve("server.key");
		certificates.copyTo("localhost", certificate, key);
		this.contextRunner
			.withPropertyValues("spring.ssl.bundle.pem.live.keystore.certificate=" + location(certificate),
					"spring.ssl.bundle.pem.live.keystore.private-key=" + location(key),
					"spring.ssl.bundle.pem.live.reload-on-update=true", "spring.ssl.bundle.watch.file.quiet-period=50ms",
					"iouring.server.transport=" + transport, "iouring.server.port=0", "iouring.server.ssl.bundle=live")
			.run((context) -> {
				int port = context.getBean(TcpServer.class).port();
				try (SSLSocket before = client(port)) {
					echo(before, "before the reload");
					assertThat(presented(before)).isEqualTo("CN=localhost");
					String renewed = "renewed-" + transport;
					certificates.leaf(renewed, TestCertificates.CA, 2);
					certificates.copyTo(renewed, certificate, key);
					await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
						try (SSLSocket after = client(port)) {
							echo(after, "after the reload");
							assertThat(presented(after)).isEqualTo("CN=" + renewed);
						}
					});
					assertThat(listener(context.getBean(IoUringEndpoint.class), "default").tls().bundle())
						.isEqualTo("live");
					// The connection from before keeps its session and its certificate.
					echo(before, "still here");
					assertThat(presented(before)).isEqualTo("CN=localhost");
				}
			});
	}

	private static double handshakes(MeterRegistry registry, String result) {
		return registry.get("iouring.server.tls.handshakes")
			.tags("listener", "secure", "result", result)
			.functionCounter()
			.count();
	}

	private static ListenerDescriptor listener(IoUringEndpoint endpoint, String name) {
		return endpoint.iouring()
			.listeners()
			.stream()
			.filter((listener) -> listener.name().equals(name))
			.findFirst()
			.orElseThrow();
	}

}
