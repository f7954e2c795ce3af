package dev.iouring.sample.resp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;

import dev.iouring.ring.IoUring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The mini-Redis's memory limit ({@code sample.resp.maxmemory}) over real sockets against the whole
 * application: past it, commands that may add data get Redis's OOM error while reads and deletes still
 * work, and deleting, flushing or expiring keys makes room again.
 */
class RespMemoryLimitEndToEndTests {

	static final String OUT_OF_MEMORY = "-OOM command not allowed when used memory > 'maxmemory'.";

	private static final int READ_TIMEOUT_MILLIS = 15_000;

	/** Eleven of these fit under 1 MiB with the store's estimate of what holds each one; twelve do not. */
	private static final int VALUE_LENGTH = 95_000;

	@BeforeAll
	static void assumeIoUring() {
		assumeTrue(IoUring.isAvailable(), () -> "io_uring unavailable: " + IoUring.availability().cause());
	}

	@Nested
	@SpringBootTest(properties = { "iouring.server.listeners.echo.port=0", "iouring.server.listeners.resp.port=0",
			"iouring.server.listeners.line.port=0",
			"iouring.server.listeners.resp-tls.port=0", "iouring.server.listeners.echo-tls.port=0",
			"sample.resp.maxmemory=1MB" },
			webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
	class OneMebibyte {

		@Value("${local.iouring.server.resp.port}")
		int port;

		@Test
		void refusesWritesPastTheLimitButServesReadsAndDeletes() throws IOException {
			String value = "x".repeat(VALUE_LENGTH);
			try (RespSocket client = new RespSocket(this.port, READ_TIMEOUT_MILLIS)) {
				assertThat(client.call("FLUSHALL")).isEqualTo("+OK");
				int stored = fillUntilRefused(client, value, null);
				assertThat(stored).as("values stored before the limit").isEqualTo(12);
				// Reads work.
				assertThat(client.call("GET", "key-0")).isEqualTo(value.getBytes(StandardCharsets.US_ASCII));
				assertThat(client.call("EXISTS", "key-0", "key-11", "key-12")).isEqualTo(2L);
				assertThat(client.call("DBSIZE")).isEqualTo(12L);
				assertThat(client.call("MGET", "key-1", "missing")).asInstanceOf(InstanceOfAssertFactories.LIST)
					.containsExactly(value.getBytes(StandardCharsets.US_ASCII), null);
				// Every command that may add data is refused, even an overwrite that would shrink a value.
				assertThat(client.call("SET", "key-0", "small")).isEqualTo(OUT_OF_MEMORY);
				assertThat(client.call("SET", "new", "v", "NX")).isEqualTo(OUT_OF_MEMORY);
				assertThat(client.call("MSET", "a", "1", "b", "2")).isEqualTo(OUT_OF_MEMORY);
				assertThat(client.call("INCR", "counter")).isEqualTo(OUT_OF_MEMORY);
				assertThat(client.call("DECR", "counter")).isEqualTo(OUT_OF_MEMORY);
				assertThat(client.call("EXISTS", "a", "counter")).isEqualTo(0L);
				String info = new String((byte[]) client.call("INFO"), StandardCharsets.US_ASCII);
				assertThat(info).contains("maxmemory:1048576\r\n", "db0:keys=12\r\n");
				assertThat(usedMemory(info)).isGreaterThan(1024 * 1024);
				// Deleting makes room.
				assertThat(client.call("DEL", "key-0", "key-1")).isEqualTo(2L);
				assertThat(client.call("SET", "new", "v")).isEqualTo("+OK");
				assertThat(client.call("INCR", "counter")).isEqualTo(1L);
				// So does flushing, all of it.
				assertThat(client.call("FLUSHALL")).isEqualTo("+OK");
				info = new String((byte[]) client.call("INFO"), StandardCharsets.US_ASCII);
				assertThat(usedMemory(info)).isZero();
				assertThat(fillUntilRefused(client, value, null)).isEqualTo(12);
				assertThat(client.call("FLUSHALL")).isEqualTo("+OK");
			}
		}

		@Test
		void keysThatExpireMakeRoomAgain() throws IOException {
			String value = "y".repeat(VALUE_LENGTH);
			try (RespSocket client = new RespSocket(this.port, READ_TIMEOUT_MILLIS)) {
				assertThat(client.call("FLUSHALL")).isEqualTo("+OK");
				int stored = fillUntilRefused(client, value, "1000");
				assertThat(stored).as("values stored before the limit").isGreaterThanOrEqualTo(10);
				// Nothing reads the expired keys: reaching the limit is what reclaims them.
				await().atMost(Duration.ofSeconds(10))
					.until(() -> "+OK".equals(client.call("SET", "after-expiry", "v")));
				await().atMost(Duration.ofSeconds(10)).until(() -> Long.valueOf(1).equals(client.call("DBSIZE")));
				assertThat(client.call("FLUSHALL")).isEqualTo("+OK");
			}
		}

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
		void theLimitIsSixtyFourMebibytes() throws IOException {
			try (RespSocket client = new RespSocket(this.port, READ_TIMEOUT_MILLIS)) {
				String info = new String((byte[]) client.call("INFO"), StandardCharsets.US_ASCII);
				assertThat(info).contains("maxmemory:67108864\r\n", "maxmemory_policy:noeviction\r\n");
			}
		}

	}

	/**
	 * SETs {@code key-0}, {@code key-1}, ... until the server refuses one with the OOM error, which must
	 * happen within 2 MiB of values.
	 * @return how many were stored
	 */
	private static int fillUntilRefused(RespSocket client, String value, String expiryMillis) throws IOException {
		for (int i = 0; i * value.length() < 2 * 1024 * 1024; i++) {
			List<String> command = (expiryMillis != null) ? List.of("SET", "key-" + i, value, "PX", expiryMillis)
					: List.of("SET", "key-" + i, value);
			Object reply = client.call(command.toArray(String[]::new));
			if (OUT_OF_MEMORY.equals(reply)) {
				return i;
			}
			assertThat(reply).as("reply to SET key-%d", i).isEqualTo("+OK");
		}
		throw new AssertionError("2 MiB of values stored under a 1 MiB limit, none refused");
	}

	private static long usedMemory(String info) {
		return Arrays.stream(info.split("\r\n"))
			.filter((line) -> line.startsWith("used_memory:"))
			.mapToLong((line) -> Long.parseLong(line.substring("used_memory:".length())))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no used_memory in INFO:\n" + info));
	}

}
