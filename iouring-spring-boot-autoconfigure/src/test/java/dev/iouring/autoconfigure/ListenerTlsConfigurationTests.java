package dev.iouring.autoconfigure;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.iouring.server.ListenerSettings;
import dev.iouring.server.ServerSettings;
import dev.iouring.server.TcpHandler;
import dev.iouring.server.TestCertificates;
import dev.iouring.server.TlsPair;
import dev.iouring.server.TlsSettings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code ssl.*} on the server and its listeners, read through Spring Boot's SSL bundles: what a
 * listener's TLS becomes, the startup failures that name the property and the fix, and a reloaded
 * bundle serving new engines. Each handshake is a real one, in memory, against a client engine.
 */
class ListenerTlsConfigurationTests {

	@TempDir
	static Path directory;

	static TestCertificates certificates;

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, IoUringServerAutoConfiguration.class))
		.withBean(IoUringServerAutoConfiguration.START_STOP_LIFECYCLE_BEAN, Object.class, Object::new)
		.withBean(IoUringServerAutoConfiguration.GRACEFUL_SHUTDOWN_LIFECYCLE_BEAN, Object.class, Object::new)
		.withBean("echo", TcpHandler.class, () -> (connection, data) -> connection.write(data));

	@BeforeAll
	static void certificates() throws Exception {
		certificates = TestCertificates.generate(directory, "localhost", "api.example.com");
	}

	private static String[] pemBundle(String name, String leaf, boolean trust) {
		String prefix = "spring.ssl.bundle.pem." + name + ".";
		return new String[] { prefix + "keystore.certificate=" + location(certificates.certificate(leaf)),
				prefix + "keystore.private-key=" + location(certificates.privateKey(leaf)),
				trust ? prefix + "truststore.certificate=" + location(certificates.certificate(TestCertificates.CA))
						: prefix + "reload-on-update=false" };
	}

	private static String location(Path path) {
		return "file:" + path.toAbsolutePath();
	}

	private static ListenerSettings listener(AssertableApplicationContext context, String name) {
		return context.getBean(ServerSettings.class)
			.listeners()
			.stream()
			.filter((listener) -> listener.name().equals(name))
			.findFirst()
			.orElseThrow();
	}

	private static X509Certificate presented(TlsSettings tls, String serverName) throws Exception {
		SSLContext client = certificates.context(null, TestCertificates.CA);
		Certificate[] chain = TlsPair.serverChain(tls, TlsPair.clientEngine(client, serverName));
		return (X509Certificate) chain[0];
	}

	private static FailureAnalysis analysis(AssertableApplicationContext context) {
		assertThat(context).hasFailed();
		FailureAnalysis analysis = new InvalidSslBundleFailureAnalyzer().analyze(context.getStartupFailure());
		assertThat(analysis).as("analysis of %s", context.getStartupFailure()).isNotNull();
		return analysis;
	}

	@Test
	void aServerLevelBundleGivesEveryListenerTlsWithSafeDefaults() {
		this.contextRunner.withPropertyValues(pemBundle("server", "localhost", false))
			.withPropertyValues("iouring.server.ssl.bundle=server")
			.run((context) -> {
				TlsSettings tls = listener(context, "default").tls();
				assertThat(tls).isNotNull();
				assertThat(tls.clientAuth()).isEqualTo(TlsSettings.ClientAuth.NONE);
				assertThat(tls.handshakeTimeout()).isEqualTo(Duration.ofSeconds(10));
				assertThat(tls.selectsByServerName()).isFalse();
				assertThat(tls.context(null).name()).isEqualTo("server");
				assertThat(presented(tls, null).getSubjectX500Principal().getName()).isEqualTo("CN=localhost");
			});
	}

	@Test
	void withoutABundleListenersArePlaintext() {
		this.contextRunner.run((context) -> assertThat(listener(context, "default").tls()).isNull());
	}

	@Test
	void listenerValuesOverrideTheServerDefaultsAndEnabledFalseKeepsOnePlaintext() {
		this.contextRunner.withPropertyValues(pemBundle("server", "localhost", true))
			.withPropertyValues("iouring.server.ssl.bundle=server", "iouring.server.ssl.handshake-timeout=3s",
					"iouring.server.listeners.secure.port=0", "iouring.server.listeners.secure.ssl.client-auth=need",
					"iouring.server.listeners.plain.port=0", "iouring.server.listeners.plain.ssl.enabled=false")
			.run((context) -> {
				TlsSettings secure = listener(context, "secure").tls();
				assertThat(secure.clientAuth()).isEqualTo(TlsSettings.ClientAuth.NEED);
				assertThat(secure.handshakeTimeout()).isEqualTo(Duration.ofSeconds(3));
				assertThat(secure.createEngine(null).getNeedClientAuth()).isTrue();
				assertThat(listener(context, "plain").tls()).isNull();
			});
	}

	@Test
	void theBundlesOptionsChooseProtocolsAndCiphers() throws Exception {
		Path keyStore = certificates.pkcs12("localhost", "secret");
		this.contextRunner
			.withPropertyValues("spring.ssl.bundle.jks.legacy.keystore.location=" + location(keyStore),
					"spring.ssl.bundle.jks.legacy.keystore.password=secret",
					"spring.ssl.bundle.jks.legacy.keystore.type=PKCS12",
					"spring.ssl.bundle.jks.legacy.options.enabled-protocols=TLSv1.2",
					"spring.ssl.bundle.jks.legacy.options.ciphers=TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
					"iouring.server.ssl.bundle=legacy")
			.run((context) -> {
				TlsSettings tls = listener(context, "default").tls();
				assertThat(tls.createEngine(null).getEnabledProtocols()).containsExactly("TLSv1.2");
				SSLContext client = certificates.context(null, TestCertificates.CA);
				javax.net.ssl.SSLEngine engine = TlsPair.clientEngine(client, null);
				TlsPair.serverChain(tls, engine);
				assertThat(engine.getSession().getProtocol()).isEqualTo("TLSv1.2");
				assertThat(engine.getSession().getCipherSuite()).isEqualTo("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
			});
	}

	@Test
	void serverNameBundlesChooseTheCertificateByTheRequestedHost() {
		this.contextRunner.withPropertyValues(pemBundle("server", "localhost", false))
			.withPropertyValues(pemBundle("api", "api.example.com", false))
			.withPropertyValues("iouring.server.ssl.bundle=server",
					"iouring.server.ssl.server-name-bundles[api.example.com]=api")
			.run((context) -> {
				TlsSettings tls = listener(context, "default").tls();
				assertThat(tls.serverNames()).containsOnlyKeys("api.example.com");
				assertThat(presented(tls, "api.example.com").getSubjectX500Principal().getName())
					.isEqualTo("CN=api.example.com");
				assertThat(presented(tls, "other.example.com").getSubjectX500Principal().getName())
					.isEqualTo("CN=localhost");
			});
	}

	@Test
	void anUnknownBundleStopsStartupNamingThePropertyAndTheDefinedBundles() {
		this.contextRunner.withPropertyValues(pemBundle("server", "localhost", false))
			.withPropertyValues("iouring.server.listeners.edge.port=0", "iouring.server.listeners.edge.ssl.bundle=srever")
			.run((context) -> {
				FailureAnalysis analysis = analysis(context);
				assertThat(analysis.getDescription()).isEqualTo("Listener 'edge' names SSL bundle 'srever' "
						+ "(iouring.server.listeners.edge.ssl.bundle), but no bundle has that name; defined bundles: server.");
				assertThat(analysis.getAction()).isEqualTo("Define it under spring.ssl.bundle.pem.srever or "
						+ "spring.ssl.bundle.jks.srever, or set iouring.server.listeners.edge.ssl.bundle to the name of a "
						+ "defined bundle.");
			});
	}

	@Test
	void aKeyStoreThatDoesNotLoadStopsStartupNamingTheBundle() throws Exception {
		Path keyStore = certificates.pkcs12("localhost", "secret");
		this.contextRunner
			.withPropertyValues("spring.ssl.bundle.jks.broken.keystore.location=" + location(keyStore),
					"spring.ssl.bundle.jks.broken.keystore.password=wrong",
					"iouring.server.ssl.bundle=broken")
			.run((context) -> {
				FailureAnalysis analysis = analysis(context);
				assertThat(analysis.getDescription()).startsWith("SSL bundle 'broken' (iouring.server.ssl.bundle, "
						+ "listener 'default') could not be loaded: ");
				assertThat(analysis.getAction()).isEqualTo("Check the location, type and password of the key store "
						+ "and trust store under spring.ssl.bundle.pem.broken.* (or spring.ssl.bundle.jks.broken.*).");
			});
	}

	@Test
	void clientAuthNeedWithoutATrustStoreStopsStartupNamingTheClientAuthProperty() {
		this.contextRunner.withPropertyValues(pemBundle("server", "localhost", false))
			.withPropertyValues("iouring.server.ssl.bundle=server", "iouring.server.ssl.client-auth=need")
			.run((context) -> {
				FailureAnalysis analysis = analysis(context);
				assertThat(analysis.getDescription()).isEqualTo("SSL bundle 'server' (iouring.server.ssl.bundle, "
						+ "listener 'default') has no trust store, but iouring.server.ssl.client-auth is 'need': client "
						+ "certificates would be checked against the JDK's public CAs.");
				assertThat(analysis.getAction()).isEqualTo("Set the truststore of spring.ssl.bundle.pem.server.* (or "
						+ "spring.ssl.bundle.jks.server.*) to the CA that signs your clients' certificates, or set "
						+ "iouring.server.ssl.client-auth to none.");
			});
	}

	@Test
	void listenersNamingOneBundleShareOneSslContext() {
		this.contextRunner.withPropertyValues(pemBundle("shared", "localhost", false))
			.withPropertyValues("iouring.server.listeners.a.port=0", "iouring.server.listeners.a.ssl.bundle=shared",
					"iouring.server.listeners.b.port=0", "iouring.server.listeners.b.ssl.bundle=shared",
					"iouring.server.listeners.b.ssl.handshake-timeout=2s")
			.run((context) -> {
				TlsSettings a = listener(context, "a").tls();
				TlsSettings b = listener(context, "b").tls();
				assertThat(b.context(null).sslContext()).isSameAs(a.context(null).sslContext());
				assertThat(b.handshakeTimeout()).isEqualTo(Duration.ofSeconds(2));
				assertThat(presented(b, null).getSubjectX500Principal().getName()).isEqualTo("CN=localhost");
			});
	}

	@Test
	void aSharedBundleIsStillCheckedForEachListener() {
		this.contextRunner.withPropertyValues(pemBundle("shared", "localhost", false))
			.withPropertyValues("iouring.server.listeners.a.port=0", "iouring.server.listeners.a.ssl.bundle=shared",
					"iouring.server.listeners.b.port=0", "iouring.server.listeners.b.ssl.bundle=shared",
					"iouring.server.listeners.b.ssl.client-auth=need")
			.run((context) -> assertThat(analysis(context).getDescription()).isEqualTo("SSL bundle 'shared' "
					+ "(iouring.server.listeners.b.ssl.bundle, listener 'b') has no trust store, but "
					+ "iouring.server.listeners.b.ssl.client-auth is 'need': client certificates would be checked "
					+ "against the JDK's public CAs."));
	}

	@Test
	void enabledWithoutABundleStopsStartup() {
		this.contextRunner.withPropertyValues("iouring.server.ssl.enabled=true")
			.run((context) -> assertThat(analysis(context).getDescription())
				.isEqualTo("Listener 'default' has TLS enabled (iouring.server.ssl.enabled=true) but names no SSL bundle."));
	}

	@Test
	void aReloadedBundleServesNewEnginesWithItsNewCertificate() throws Exception {
		Path live = Files.createDirectories(directory.resolve("live"));
		Path certificate = live.resolve("server.crt");
		Path key = live.resolve("server.key");
		certificates.copyTo("localhost", certificate, key);
		this.contextRunner
			.withPropertyValues("spring.ssl.bundle.pem.live.keystore.certificate=" + location(certificate),
					"spring.ssl.bundle.pem.live.keystore.private-key=" + location(key),
					"spring.ssl.bundle.pem.live.reload-on-update=true", "spring.ssl.bundle.watch.file.quiet-period=50ms",
					"iouring.server.ssl.bundle=live")
			.run((context) -> {
				TlsSettings tls = listener(context, "default").tls();
				BigInteger before = presented(tls, null).getSerialNumber();
				certificates.leaf("renewed", TestCertificates.CA, 2);
				certificates.copyTo("renewed", certificate, key);
				await().atMost(Duration.ofSeconds(60))
					.untilAsserted(() -> assertThat(presented(tls, null).getSubjectX500Principal().getName())
						.isEqualTo("CN=renewed"));
				assertThat(presented(tls, null).getSerialNumber()).isNotEqualTo(before);
			});
	}

	@Test
	void aMisspelledSslKeyStopsStartup() {
		this.contextRunner.withPropertyValues("iouring.server.listeners.edge.port=0",
				"iouring.server.listeners.edge.ssl.bundel=server", "iouring.server.ssl.client-atuh=need")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.isInstanceOf(UnknownIoUringPropertiesException.class)
					.hasMessageContaining("'bundel' is not an ssl setting; ssl takes bundle, client-auth, enabled, "
							+ "handshake-timeout, server-name-bundles")
					.hasMessageContaining("'client-atuh' is not an ssl setting");
			});
	}

	@Test
	void aHandshakeTimeoutOfZeroIsRefused() {
		this.contextRunner.withPropertyValues("iouring.server.ssl.handshake-timeout=0s")
			.run((context) -> {
				assertThat(context).hasFailed();
				FailureAnalysis analysis = new InvalidIoUringPropertiesFailureAnalyzer()
					.analyze(context.getStartupFailure());
				assertThat(analysis.getDescription()).contains("Property: iouring.server.ssl.handshake-timeout")
					.contains("Value: \"0s\"")
					.contains("Reason: must be positive");
			});
	}

}
