package dev.iouring.sample.resp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;

import dev.iouring.ring.IoUring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The budget that all mini-Redis connections share for commands received but not executed yet
 * ({@code sample.resp.pending-budget}, 300 KB here), over real sockets against the whole application.
 * Each connection may hold up to max-pending-bytes (1 MiB), so without the budget a few hundred peers
 * holding unfinished commands fill the heap; with it, the connection that would pass it is closed (as
 * Redis closes a client over its query buffer limit) while the others keep what they hold.
 */
@SpringBootTest(properties = { "iouring.server.listeners.echo.port=0", "iouring.server.listeners.resp.port=0",
		"iouring.server.listeners.line.port=0", "iouring.server.listeners.resp-tls.port=0",
		"iouring.server.listeners.echo-tls.port=0", "sample.resp.pending-budget=300KB",
		"sample.resp.command-timeout=0" },
		webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RespPendingBudgetEndToEndTests {

	private static final long BUDGET = 300 * 1024;

	private static final int READ_TIMEOUT_MILLIS = 15_000;

	private static final Duration DEADLINE = Duration.ofSeconds(15);

	@Value("${local.iouring.server.resp.port}")
	int port;

	@Autowired
	UnfinishedCommands unfinished;

	@BeforeAll
	static void assumeIoUring() {
		assumeTrue(IoUring.isAvailable(), () -> "io_uring unavailable: " + IoUring.availability().cause());
	}

	@Test
	void theConnectionThatWouldPassTheBudgetIsClosedAndTheOthersKeepTheirCommands() throws Exception {
		byte[] value = RespRequestLimitsEndToEndTests.value(100_000, 'a');
		byte[] set = RespClient.command(bytes("SET"), bytes("held"), value);
		ExecutorService sender = Executors.newSingleThreadExecutor();
		try (RespSocket holder = new RespSocket(this.port, READ_TIMEOUT_MILLIS);
				RespSocket overflowing = new RespSocket(this.port, READ_TIMEOUT_MILLIS);
				RespSocket client = new RespSocket(this.port, READ_TIMEOUT_MILLIS)) {
			// All of the SET but its last byte: well within max-pending-bytes, and within the budget.
			holder.send(Arrays.copyOf(set, set.length - 1));
			await().atMost(DEADLINE).until(() -> this.unfinished.heldBytes() >= set.length - 1);
			long left = BUDGET - this.unfinished.heldBytes();
			assertThat(left).as("budget left while the first command is held").isPositive();
			// A second unfinished command longer than what is left of the budget, though far within its
			// connection's own limit.
			byte[] big = RespClient.command(bytes("SET"), bytes("over"), RespRequestLimitsEndToEndTests.value(400_000, 'b'));
			CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> sendQuietly(overflowing,
					Arrays.copyOf(big, (int) left + 1_000)), sender);
			assertThat(overflowing.bytesUntilClose()).as("bytes before the close (-1: never closed)").isZero();
			sending.join();
			// The budget holds what the first connection still holds; the server serves others meanwhile.
			assertThat(this.unfinished.heldBytes()).isBetween((long) set.length - 1, BUDGET);
			assertThat(client.call("PING")).isEqualTo("+PONG");
			// The first connection was not touched: its command completes.
			holder.send(Arrays.copyOfRange(set, set.length - 1, set.length));
			assertThat(holder.read()).isEqualTo("+OK");
			assertThat(holder.call("GET", "held")).isEqualTo(value);
			assertThat(holder.call("EXISTS", "over")).isEqualTo(0L);
			await().atMost(DEADLINE).until(() -> this.unfinished.heldBytes() == 0);
		}
		finally {
			sender.shutdownNow();
		}
	}

	@Test
	void whatAClosedConnectionHeldIsGivenBack() throws IOException {
		byte[] set = RespClient.command(bytes("SET"), bytes("k"), RespRequestLimitsEndToEndTests.value(100_000, 'c'));
		try (RespSocket peer = new RespSocket(this.port, READ_TIMEOUT_MILLIS)) {
			peer.send(Arrays.copyOf(set, set.length - 1));
			await().atMost(DEADLINE).until(() -> this.unfinished.heldBytes() >= set.length - 1);
		}
		// The peer left without finishing its command.
		await().atMost(DEADLINE).until(() -> this.unfinished.heldBytes() == 0);
	}

	private static void sendQuietly(RespSocket socket, byte[] bytes) {
		try {
			socket.send(bytes);
		}
		catch (IOException ex) {
			// The server closed while the rest was on its way: expected once the budget was spent.
		}
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.US_ASCII);
	}

}
