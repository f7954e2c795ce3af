package dev.iouring.sample;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import dev.iouring.ring.IoUring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The sample's Actuator over HTTP: after known traffic on the echo and line listeners, the io_uring
 * meters under {@code /actuator/metrics} and {@code /actuator/prometheus}, {@code /actuator/health/iouring}
 * and {@code /actuator/iouring} show it. Every port is chosen by the system.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "iouring.server.listeners.echo.port=0", "iouring.server.listeners.resp.port=0",
				"iouring.server.listeners.line.port=0",
				"iouring.server.listeners.resp-tls.port=0", "iouring.server.listeners.echo-tls.port=0",
				"iouring.server.event-loops=2" })
class ObservabilityEndToEndTests {

	private static final int ECHOED_BYTES = 3000;

	@Value("${local.iouring.server.echo.port}")
	int echoPort;

	@Value("${local.iouring.server.line.port}")
	int linePort;

	@LocalServerPort
	int httpPort;

	private final HttpClient http = HttpClient.newHttpClient();

	@BeforeAll
	static void assumeIoUring() {
		assumeTrue(IoUring.isAvailable(), () -> "io_uring unavailable: " + IoUring.availability().cause());
	}

	@Test
	void metricsEndpointShowsEchoedBytesAndRingEnters() throws Exception {
		String path = "/actuator/metrics/iouring.server.bytes.received?tag=listener:echo";
		double before = measurement(path);
		echo(ECHOED_BYTES);
		await().untilAsserted(() -> assertThat(measurement(path)).isEqualTo(before + ECHOED_BYTES));
		assertThat(JsonPath.<String>read(get(path), "$.baseUnit")).isEqualTo("bytes");
		String enters = get("/actuator/metrics/iouring.ring.enters");
		assertThat(JsonPath.<Double>read(enters, "$.measurements[0].value")).isPositive();
		assertThat(JsonPath.<List<String>>read(enters, "$.availableTags[*].tag")).containsExactly("loop");
		assertThat(JsonPath.<String>read(enters, "$.description")).contains("io_uring_enter");
	}

	@Test
	void metricsEndpointCountsOneFramePerLine() throws Exception {
		String path = "/actuator/metrics/iouring.server.frames.received?tag=listener:line";
		double before = measurement(path);
		try (Socket client = new Socket(InetAddress.getLoopbackAddress(), this.linePort)) {
			client.setSoTimeout(30_000);
			client.getOutputStream().write("one\ntwo\nthree\n".getBytes(StandardCharsets.UTF_8));
			BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
			assertThat(in.readLine()).isEqualTo("ONE");
			assertThat(in.readLine()).isEqualTo("TWO");
			assertThat(in.readLine()).isEqualTo("THREE");
		}
		await().untilAsserted(() -> assertThat(measurement(path)).isEqualTo(before + 3));
	}

	@Test
	void prometheusScrapeHasTheMetersInPrometheusNaming() throws Exception {
		echo(10);
		String scrape = get("/actuator/prometheus");
		assertThat(scrape).contains("iouring_server_bytes_received_bytes_total{listener=\"echo\",loop=\"0\"}")
			.contains("iouring_server_connections_active_connections{listener=\"echo\",loop=\"1\"}")
			.contains("iouring_server_connections_closed_connections_total{listener=\"line\",reason=\"frame-too-large\"}")
			.contains("iouring_server_connections_rejected_connections_total{listener=\"resp\",reason=\"max-connections\"}")
			.contains("iouring_ring_enters_calls_total{loop=\"0\"}")
			.contains("iouring_ring_buffers_available_buffers{loop=\"1\"}")
			.contains("# HELP iouring_server_bytes_received_bytes_total Bytes received from clients");
	}

	@Test
	void healthOfTheServerIsUpWithItsDetails() throws Exception {
		String health = get("/actuator/health/iouring");
		assertThat(JsonPath.<String>read(health, "$.status")).isEqualTo("UP");
		assertThat(JsonPath.<String>read(health, "$.details.transport")).isEqualTo("io_uring");
		assertThat(JsonPath.<Integer>read(health, "$.details.listeners.echo")).isEqualTo(this.echoPort);
		assertThat(JsonPath.<Integer>read(health, "$.details.loops")).isEqualTo(2);
		assertThat(JsonPath.<List<String>>read(health, "$.details.setupFlags")).isNotEmpty();
	}

	@Test
	void iouringEndpointDescribesKernelLoopsAndListeners() throws Exception {
		echo(100);
		String body = get("/actuator/iouring");
		assertThat(JsonPath.<String>read(body, "$.transport")).isEqualTo("io_uring");
		assertThat(JsonPath.<String>read(body, "$.kernel.release")).isEqualTo(IoUring.kernelRelease());
		assertThat(JsonPath.<Boolean>read(body, "$.features.multishotAccept.used")).isTrue();
		assertThat(JsonPath.<Object>read(body, "$.features.registeredRingFd.used")).isNull();
		assertThat(JsonPath.<Integer>read(body, "$.loops.length()")).isEqualTo(2);
		assertThat(JsonPath.<Integer>read(body, "$.loops[0].sqEntries")).isEqualTo(4096);
		assertThat(JsonPath.<List<String>>read(body, "$.listeners[*].name")).containsExactly("echo", "resp",
				"line", "resp-tls", "echo-tls");
		assertThat(JsonPath.<Integer>read(body, "$.listeners[0].port")).isEqualTo(this.echoPort);
		assertThat(JsonPath.<Integer>read(body, "$.listeners[0].acceptedConnections")).isPositive();
	}

	private void echo(int bytes) throws Exception {
		byte[] message = new byte[bytes];
		Arrays.fill(message, (byte) 'e');
		try (Socket client = new Socket(InetAddress.getLoopbackAddress(), this.echoPort)) {
			client.setSoTimeout(30_000);
			client.getOutputStream().write(message);
			assertThat(client.getInputStream().readNBytes(bytes)).isEqualTo(message);
		}
	}

	private double measurement(String path) throws Exception {
		return JsonPath.<Double>read(get(path), "$.measurements[0].value");
	}

	private String get(String path) throws Exception {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + this.httpPort + path))
			.timeout(Duration.ofSeconds(30))
			.build();
		HttpResponse<String> response = this.http.send(request, HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as(path).isEqualTo(200);
		return response.body();
	}

}
