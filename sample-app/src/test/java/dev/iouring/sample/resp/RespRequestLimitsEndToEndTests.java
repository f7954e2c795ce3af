package dev.iouring.sample.resp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;

import dev.iouring.ring.IoUring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * How much of an unfinished request one connection of the sample's mini-Redis may make the server hold,
 * over real sockets against the whole application: a value up to {@code sample.resp.max-bulk-length}
 * is stored whatever pieces it arrives in, and a bulk string over that bound, or a request that does
 * not fit in {@code sample.resp.max-pending-bytes}, is answered with a protocol error and the
 * connection closes, as Redis does with its own (far larger) bounds.
 */
class RespRequestLimitsEndToEndTests {

	private static final int READ_TIMEOUT_MILLIS = 15_000;

	@BeforeAll
	static void assumeIoUring() {
		assumeTrue(IoUring.isAvailable(), () -> "io_uring unavailable: " + IoUring.availability().cause());
	}

	@Nested
	@SpringBootTest(properties = { "iouring.server.listeners.echo.port=0", "iouring.server.listeners.resp.port=0",
			"iouring.server.listeners.line.port=0",
			"iouring.server.listeners.resp-tls.port=0", "iouring.server.listeners.echo-tls.port=0" },
			webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
	class Defaults {

		@Value("${local.iouring.server.resp.port}")
		int port;

		@Test
		void storesA512KiBValueThatArrivesInPieces() throws IOException {
			byte[] value = value(512 * 1024, 'a');
			try (RespSocket client = new RespSocket(this.port, READ_TIMEOUT_MILLIS)) {
				byte[] request = RespClient.command(bytes("SET"), bytes("half-mib"), value);
				for (int from = 0; from < request.length; from += 7_000) {
					client.send(Arrays.copyOfRange(request, from, Math.min(request.length, from + 7_000)));
				}
				assertThat(client.read()).isEqualTo("+OK");
				assertThat(client.call("GET", "half-mib")).isEqualTo(value);
			}
		}

		@Test
		void refusesARequestLargerThanOneMebibyteAndCloses() throws IOException {
			// Two values within the bulk-string bound make one request past max-pending-bytes.
			byte[] request = RespClient.command(bytes("MSET"), bytes("a"), value(512 * 1024, 'a'), bytes("b"),
					value(512 * 1024, 'b'));
			assertRefusedAndClosed(this.port, request, "-ERR Protocol error: command longer than 1048576 bytes");
		}

		@Test
		void refusesABulkStringLongerThan512KiBAndCloses() throws IOException {
			byte[] header = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$524289\r\n".getBytes(StandardCharsets.US_ASCII);
			assertRefusedAndClosed(this.port, header, "-ERR Protocol error: invalid bulk length");
		}

	}

	@Nested
	@SpringBootTest(properties = { "iouring.server.listeners.echo.port=0", "iouring.server.listeners.resp.port=0",
			"iouring.server.listeners.line.port=0",
			"iouring.server.listeners.resp-tls.port=0", "iouring.server.listeners.echo-tls.port=0",
			"sample.resp.max-pending-bytes=64KB",
			"sample.resp.max-bulk-length=32KB" }, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
	class Configured {

		@Value("${local.iouring.server.resp.port}")
		int port;

		@Test
		void storesAValueAsLongAsTheConfiguredBulkLength() throws IOException {
			byte[] value = value(32 * 1024, 'c');
			try (RespSocket client = new RespSocket(this.port, READ_TIMEOUT_MILLIS)) {
				client.send(RespClient.command(bytes("SET"), bytes("k"), value));
				assertThat(client.read()).isEqualTo("+OK");
				assertThat(client.call("GET", "k")).isEqualTo(value);
			}
		}

		@Test
		void refusesABulkStringPastTheConfiguredLength() throws IOException {
			byte[] request = RespClient.command(bytes("SET"), bytes("k"), value(32 * 1024 + 1, 'c'));
			assertRefusedAndClosed(this.port, request, "-ERR Protocol error: invalid bulk length");
		}

		@Test
		void refusesARequestPastTheConfiguredPendingBytes() throws IOException {
			byte[] request = RespClient.command(bytes("MSET"), bytes("a"), value(32 * 1024, 'a'), bytes("b"),
					value(32 * 1024, 'b'));
			assertRefusedAndClosed(this.port, request, "-ERR Protocol error: command longer than 65536 bytes");
		}

	}

	/**
	 * Sends the request from another thread (the server may stop reading it half way) and checks that the
	 * reply is the error, then that the server closes the connection.
	 */
	static void assertRefusedAndClosed(int port, byte[] request, String error) throws IOException {
		try (RespSocket client = new RespSocket(port, READ_TIMEOUT_MILLIS)) {
			CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
				try {
					client.send(request);
				}
				catch (IOException ex) {
					// The server closed while the rest was on its way: expected once it refused.
				}
			});
			assertThat(client.read()).isEqualTo(error);
			assertThat(client.awaitClose()).as("the server closed the connection").isTrue();
			sending.join();
		}
	}

	static byte[] value(int length, char fill) {
		byte[] value = new byte[length];
		Arrays.fill(value, (byte) fill);
		return value;
	}

	static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.US_ASCII);
	}

}
