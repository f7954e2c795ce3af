package dev.iouring.sample;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import dev.iouring.ring.IoUring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The sample's TLS listeners from its test-only PEM bundle, driven by real clients: {@code redis-cli
 * --tls} and {@code redis-benchmark --tls} against the mini-Redis, {@code openssl s_client} and the
 * JDK's client against the echo, each trusting only the sample's test CA. Actuator then shows the
 * handshakes, the listeners' bundle, and Boot's own SSL health and certificate-expiry meter for the
 * same bundle.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "iouring.server.listeners.echo.port=0", "iouring.server.listeners.resp.port=0",
				"iouring.server.listeners.line.port=0", "iouring.server.listeners.resp-tls.port=0",
				"iouring.server.listeners.echo-tls.port=0" })
class TlsEndToEndTests {

	/** Generous bound for a tool run on a loaded two-core CI machine. */
	private static final long TOOL_TIMEOUT_SECONDS = 120;

	@TempDir
	static Path directory;

	private static Path ca;

	@Value("${local.iouring.server.resp-tls.port}")
	int respTlsPort;

	@Value("${local.iouring.server.echo-tls.port}")
	int echoTlsPort;

	@LocalServerPort
	int httpPort;

	private final HttpClient http = HttpClient.newHttpClient();

	@BeforeAll
	static void caFile() throws IOException {
		assumeTrue(IoUring.isAvailable(), () -> "io_uring unavailable: " + IoUring.availability().cause());
		ca = directory.resolve("ca.crt");
		try (InputStream in = TlsEndToEndTests.class.getResourceAsStream("/tls/ca.crt")) {
			Files.copy(in, ca);
		}
	}

	@Test
	void redisCliAndRedisBenchmarkTalkToTheMiniRedisOverTls() throws Exception {
		assumeTrue(onPath("redis-cli") && onPath("redis-benchmark"),
				"redis-cli and redis-benchmark are not on the PATH (install the Debian package redis-tools)");
		assertThat(redisCli("PING")).isEqualTo("PONG\n");
		assertThat(redisCli("SET", "secret", "kept over tls")).isEqualTo("OK\n");
		assertThat(redisCli("GET", "secret")).isEqualTo("kept over tls\n");
		String benchmark = run("redis-benchmark", "--tls", "--cacert", ca.toString(), "-h", "127.0.0.1", "-p",
				Integer.toString(this.respTlsPort), "-t", "set,get", "-n", "2000", "-P", "16", "-q");
		assertThat(benchmark).doesNotContain("Error", "ERR").containsPattern("SET: [0-9.]+ requests per second");
	}

	@Test
	void opensslSClientAndTheJdkClientTrustTheSampleCaOnTheTlsEcho() throws Exception {
		String line = "hello from openssl\n";
		Process openssl = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + this.echoTlsPort,
				"-quiet", "-no_ign_eof", "-verify_return_error", "-CAfile", ca.toString(), "-servername", "localhost")
			.redirectError(directory.resolve("openssl.err").toFile())
			.start();
		try {
			openssl.getOutputStream().write(line.getBytes(StandardCharsets.US_ASCII));
			openssl.getOutputStream().flush();
			assertThat(new String(openssl.getInputStream().readNBytes(line.length()), StandardCharsets.US_ASCII))
				.as("openssl stderr: %s", Files.readString(directory.resolve("openssl.err")))
				.isEqualTo(line);
			openssl.getOutputStream().close();
			assertThat(openssl.waitFor(TOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
		}
		finally {
			openssl.destroyForcibly();
		}
		try (SSLSocket socket = (SSLSocket) trustingTheSampleCa().getSocketFactory()
			.createSocket("localhost", this.echoTlsPort)) {
			socket.setSoTimeout(30_000);
			socket.getOutputStream().write("ping over tls".getBytes(StandardCharsets.UTF_8));
			assertThat(new String(socket.getInputStream().readNBytes(13), StandardCharsets.UTF_8))
				.isEqualTo("ping over tls");
			assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.3");
		}
		String handshakes = "/actuator/metrics/iouring.server.tls.handshakes?tag=listener:echo-tls&tag=result:success";
		await().untilAsserted(() -> assertThat(measurement(handshakes)).isGreaterThanOrEqualTo(2));
	}

	@Test
	void actuatorShowsTheTlsListenersAndBootsSslHealthAndExpiryCoverTheirBundle() throws Exception {
		String iouring = get("/actuator/iouring");
		for (String listener : List.of("resp-tls", "echo-tls")) {
			String tls = "$.listeners[?(@.name == '" + listener + "')].tls";
			assertThat(JsonPath.<List<String>>read(iouring, tls + ".bundle")).containsExactly("sample");
			assertThat(JsonPath.<List<String>>read(iouring, tls + ".clientAuth")).containsExactly("none");
			assertThat(JsonPath.<List<List<String>>>read(iouring, tls + ".protocols").getFirst()).contains("TLSv1.3");
		}
		assertThat(JsonPath.<List<Object>>read(iouring, "$.listeners[?(@.name == 'resp')].tls"))
			.allMatch(Objects::isNull);
		String health = get("/actuator/health/ssl");
		assertThat(JsonPath.<String>read(health, "$.status")).isEqualTo("UP");
		assertThat(JsonPath.<List<String>>read(health, "$.details.validChains[*].certificates[0].subject"))
			.contains("CN=localhost");
		// Seconds until the sample's certificate expires (it is valid until 2124).
		assertThat(measurement("/actuator/metrics/ssl.chain.expiry?tag=bundle:sample"))
			.isGreaterThan(TimeUnit.DAYS.toSeconds(365 * 50));
	}

	private SSLContext trustingTheSampleCa() throws Exception {
		KeyStore trust = KeyStore.getInstance("PKCS12");
		trust.load(null, null);
		try (InputStream in = Files.newInputStream(ca)) {
			trust.setCertificateEntry("sample-ca", (X509Certificate) CertificateFactory.getInstance("X.509")
				.generateCertificate(in));
		}
		TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
		factory.init(trust);
		SSLContext context = SSLContext.getInstance("TLS");
		context.init(null, factory.getTrustManagers(), null);
		return context;
	}

	private String redisCli(String... command) throws Exception {
		List<String> arguments = new ArrayList<>(List.of("redis-cli", "--tls", "--cacert", ca.toString(), "-h",
				"127.0.0.1", "-p", Integer.toString(this.respTlsPort)));
		arguments.addAll(List.of(command));
		return run(arguments.toArray(String[]::new));
	}

	private static String run(String... command) throws Exception {
		// Output goes to a file so that a tool that hangs cannot block the test past the timeout.
		Path output = Files.createTempFile(directory, "tool", ".out");
		Process process = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(output.toFile())
			.redirectInput(new File("/dev/null"))
			.start();
		boolean exited = process.waitFor(TOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
		if (!exited) {
			process.destroyForcibly().waitFor();
		}
		String text = Files.readString(output);
		assertThat(exited).as("%s finished within %d s", command[0], TOOL_TIMEOUT_SECONDS).isTrue();
		assertThat(process.exitValue()).as("exit code of %s; output:%n%s", String.join(" ", command), text).isZero();
		return text;
	}

	private String get(String path) throws Exception {
		HttpResponse<String> response = this.http.send(
				HttpRequest.newBuilder(URI.create("http://localhost:" + this.httpPort + path)).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as("GET %s: %s", path, response.body()).isEqualTo(200);
		return response.body();
	}

	private double measurement(String path) throws Exception {
		return JsonPath.<Double>read(get(path), "$.measurements[0].value");
	}

	private static boolean onPath(String executable) {
		String path = System.getenv("PATH");
		return path != null && Arrays.stream(path.split(File.pathSeparator))
			.anyMatch((directory) -> Files.isExecutable(Path.of(directory, executable)));
	}

}
