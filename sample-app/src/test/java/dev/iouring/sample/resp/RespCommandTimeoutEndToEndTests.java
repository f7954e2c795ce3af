package dev.iouring.sample.resp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;

import dev.iouring.ring.IoUring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The mini-Redis's command timeout ({@code sample.resp.command-timeout}, 2 s here) over real sockets
 * against the whole application. Its listeners have no framing, so the server's frame timeout does not
 * apply, and the idle timeout restarts with every byte: without the command timeout a peer trickling a
 * command, or one that stops half way through, keeps its connection and its bytes until the idle
 * timeout (5 minutes), or for ever if it sends a byte now and then.
 */
@SpringBootTest(properties = { "iouring.server.listeners.echo.port=0", "iouring.server.listeners.resp.port=0",
		"iouring.server.listeners.line.port=0", "iouring.server.listeners.resp-tls.port=0",
		"iouring.server.listeners.echo-tls.port=0", "sample.resp.command-timeout=2s" },
		webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RespCommandTimeoutEndToEndTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(2);

	/**
	 * How late the close may come: a sweep every 500 ms or the next trickled byte (every 200 ms), plus
	 * room for a busy shared machine.
	 */
	private static final Duration MARGIN = Duration.ofSeconds(3);

	private static final int READ_TIMEOUT_MILLIS = 15_000;

	/** A command of one bulk string well under max-bulk-length, so no protocol error closes it. */
	private static final byte[] UNFINISHED = ("*1\r\n$100000\r\n" + "z".repeat(1000)).getBytes(StandardCharsets.US_ASCII);

	@Value("${local.iouring.server.resp.port}")
	int port;

	@BeforeAll
	static void assumeIoUring() {
		assumeTrue(IoUring.isAvailable(), () -> "io_uring unavailable: " + IoUring.availability().cause());
	}

	@Test
	void aPeerTricklingACommandIsClosedOnceTheTimeoutPassesWhileAnotherClientIsServed() throws Exception {
		ExecutorService reader = Executors.newSingleThreadExecutor();
		try (RespSocket trickler = new RespSocket(this.port, READ_TIMEOUT_MILLIS);
				RespSocket client = new RespSocket(this.port, READ_TIMEOUT_MILLIS)) {
			long started = System.nanoTime();
			CompletableFuture<Closed> closed = CompletableFuture.supplyAsync(() -> awaitClose(trickler), reader);
			int calls = 0;
			for (int i = 0; i < UNFINISHED.length && !closed.isDone()
					&& elapsed(started).compareTo(TIMEOUT.plus(MARGIN)) < 0; i++) {
				if (!sendQuietly(trickler, UNFINISHED[i])) {
					break;
				}
				assertThat(client.call("SET", "served", Integer.toString(i))).isEqualTo("+OK");
				calls++;
				// Pacing of the trickle (one byte per 200 ms), not a wait for a condition.
				Thread.sleep(200);
			}
			Closed close = closed.get();
			assertThat(close.bytes()).as("bytes the server sent the trickler before closing it (-1: never closed)")
				.isZero();
			assertThat(Duration.ofNanos(close.atNanos() - started)).isBetween(TIMEOUT, TIMEOUT.plus(MARGIN));
			assertThat(calls).as("round trips of the other client meanwhile").isGreaterThanOrEqualTo(5);
			assertThat(client.call("GET", "served")).isEqualTo(Integer.toString(calls - 1).getBytes());
		}
		finally {
			reader.shutdownNow();
		}
	}

	@Test
	void aPeerThatStopsHalfWayThroughACommandIsClosedOnceTheTimeoutPasses() throws Exception {
		try (RespSocket silent = new RespSocket(this.port, READ_TIMEOUT_MILLIS)) {
			long started = System.nanoTime();
			silent.send(UNFINISHED);
			// Nothing more arrives, so only the periodic sweep can see the deadline pass.
			assertThat(silent.bytesUntilClose()).as("bytes before the close (-1: never closed)").isZero();
			assertThat(elapsed(started)).isBetween(TIMEOUT, TIMEOUT.plus(MARGIN));
		}
	}

	@Test
	void theTimeoutIsPerCommandSoASlowClientWhoseCommandsEachFinishInTimeStaysServed() throws Exception {
		byte[] ping = "*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII);
		try (RespSocket slow = new RespSocket(this.port, READ_TIMEOUT_MILLIS)) {
			long started = System.nanoTime();
			int pongs = 0;
			// Each PING takes 14 x 50 ms = 0.7 s to arrive, under the timeout; together they take longer.
			while (elapsed(started).compareTo(TIMEOUT.multipliedBy(2)) < 0) {
				for (byte b : ping) {
					slow.send(new byte[] { b });
					// Pacing of the trickle, not a wait for a condition.
					Thread.sleep(50);
				}
				assertThat(slow.read()).isEqualTo("+PONG");
				pongs++;
			}
			assertThat(pongs).isGreaterThanOrEqualTo(3);
			assertThat(slow.call("PING")).isEqualTo("+PONG");
		}
	}

	private static Closed awaitClose(RespSocket socket) {
		try {
			long bytes = socket.bytesUntilClose();
			return new Closed(bytes, System.nanoTime());
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** Sends one byte; {@code false} once the server has closed the connection. */
	private static boolean sendQuietly(RespSocket socket, byte b) {
		try {
			socket.send(new byte[] { b });
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	private static Duration elapsed(long startedNanos) {
		return Duration.ofNanos(System.nanoTime() - startedNanos);
	}

	/** What a peer saw of its connection's end: the bytes that came first, and when it ended. */
	private record Closed(long bytes, long atNanos) {
	}

}
