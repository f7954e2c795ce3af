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

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import dev.iouring.ring.IoUring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The whole sample application on free ports: echo, mini-Redis and the line service over io_uring,
 * and Actuator's health over HTTP.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "iouring.server.listeners.echo.port=0", "iouring.server.listeners.resp.port=0",
				"iouring.server.listeners.line.port=0",
				"iouring.server.listeners.resp-tls.port=0", "iouring.server.listeners.echo-tls.port=0" })
class SampleApplicationTests {

	@Value("${local.iouring.server.echo.port}")
	int echoPort;

	@Value("${local.iouring.server.resp.port}")
	int respPort;

	@Value("${local.iouring.server.line.port}")
	int linePort;

	@LocalServerPort
	int httpPort;

	@BeforeAll
	static void assumeIoUring() {
		assumeTrue(IoUring.isAvailable(), () -> "io_uring unavailable: " + IoUring.availability().cause());
	}

	@Test
	void echoListenerSendsBytesBack() throws Exception {
		try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), this.echoPort)) {
			socket.setSoTimeout(30_000);
			socket.getOutputStream().write("ping over io_uring".getBytes(StandardCharsets.UTF_8));
			assertThat(new String(socket.getInputStream().readNBytes(18), StandardCharsets.UTF_8))
				.isEqualTo("ping over io_uring");
		}
	}

	@Test
	void respListenerAnswersSetAndGet() throws Exception {
		try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), this.respPort)) {
			socket.setSoTimeout(30_000);
			socket.getOutputStream()
				.write("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nvalue\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"
					.getBytes(StandardCharsets.UTF_8));
			BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
			assertThat(in.readLine()).isEqualTo("+OK");
			assertThat(in.readLine()).isEqualTo("$5");
			assertThat(in.readLine()).isEqualTo("value");
		}
	}

	@Test
	void lineListenerUpperCasesEachLineFramedByConfiguration() throws Exception {
		try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), this.linePort)) {
			socket.setSoTimeout(30_000);
			socket.getOutputStream().write("hello\r\nwor".getBytes(StandardCharsets.UTF_8));
			socket.getOutputStream().write("ld\n".getBytes(StandardCharsets.UTF_8));
			BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
			assertThat(in.readLine()).isEqualTo("HELLO");
			assertThat(in.readLine()).isEqualTo("WORLD");
		}
	}

	@Test
	void actuatorHealthIsUp() throws Exception {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + this.httpPort + "/actuator/health"))
			.timeout(Duration.ofSeconds(30))
			.build();
		HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).contains("\"status\":\"UP\"");
	}

}
