package dev.iouring.sample.resp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import com.sun.management.ThreadMXBean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.iouring.ring.IoUring;
import dev.iouring.server.Bytes;
import dev.iouring.server.CloseReason;
import dev.iouring.server.Connection;
import dev.iouring.server.IoUringServer;
import dev.iouring.server.ListenerSettings;
import dev.iouring.server.ServerSettings;
import dev.iouring.server.TcpHandler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * DBSIZE and INFO over a real io_uring server: the key count follows SET, DEL, expiry and FLUSHALL, and
 * reading it costs the event loop no more with 200,000 keys than a PING does, because it is a running
 * count rather than a walk over the keyspace. The work is measured as CPU time of the loop thread
 * ({@code ThreadMXBean.getThreadCpuTime}), the least of several rounds, so other threads and processes
 * do not count; a walk over the keys costs thousands of times a PING, far past the margin allowed.
 */
class RespKeyCountEndToEndTest {

	private static final int READ_TIMEOUT_MILLIS = 30_000;

	private static final int KEYS = 200_000;

	private static final int PAIRS_PER_MSET = 500;

	private static final int READS = 100;

	private IoUringServer server;

	private volatile long loopThread = -1;

	@BeforeEach
	void start() {
		IoUring.Availability availability = IoUring.availability();
		assumeTrue(availability.available(), () -> "io_uring unavailable: " + availability.cause());
		RespHandler resp = new RespHandler(new KeyValueStore());
		// Records the loop thread, the one whose allocations are measured.
		TcpHandler recordingThread = new TcpHandler() {
			@Override
			public void onOpen(Connection connection) {
				RespKeyCountEndToEndTest.this.loopThread = Thread.currentThread().threadId();
				resp.onOpen(connection);
			}

			@Override
			public void onData(Connection connection, Bytes data) {
				resp.onData(connection, data);
			}

			@Override
			public void onWritabilityChanged(Connection connection, boolean writable) {
				resp.onWritabilityChanged(connection, writable);
			}

			@Override
			public void onClose(Connection connection, CloseReason reason) {
				resp.onClose(connection, reason);
			}
		};
		this.server = new IoUringServer(ServerSettings.builder()
			.eventLoops(1)
			.listener(ListenerSettings.of("resp", 0, recordingThread))
			.build());
		this.server.start();
	}

	@AfterEach
	void stop() {
		if (this.server != null) {
			this.server.stop();
		}
	}

	@Test
	void dbsizeFollowsSetDelExpiryAndFlushall() throws IOException {
		try (RespSocket client = new RespSocket(this.server.port(), READ_TIMEOUT_MILLIS)) {
			assertThat(client.call("DBSIZE")).isEqualTo(0L);
			client.call("SET", "a", "1");
			client.call("SET", "b", "2");
			client.call("SET", "short-lived", "3", "PX", "200");
			client.call("MSET", "c", "4", "d", "5");
			assertThat(client.call("DBSIZE")).isEqualTo(5L);
			client.call("SET", "a", "overwritten");
			client.call("SET", "b", "again", "XX");
			client.call("SET", "c", "kept", "NX");
			assertThat(client.call("DBSIZE")).isEqualTo(5L);
			assertThat(client.call("DEL", "a", "missing")).isEqualTo(1L);
			assertThat(client.call("DBSIZE")).isEqualTo(4L);
			assertThat(client.call("INCR", "counter")).isEqualTo(1L);
			assertThat(client.call("INCR", "counter")).isEqualTo(2L);
			assertThat(client.call("DBSIZE")).isEqualTo(5L);
			// Nothing touches the key that expires: the count drops by itself.
			await().atMost(Duration.ofSeconds(10)).until(() -> Long.valueOf(4).equals(client.call("DBSIZE")));
			assertThat(new String((byte[]) client.call("INFO"), StandardCharsets.US_ASCII)).contains("db0:keys=4\r\n");
			assertThat(client.call("FLUSHALL")).isEqualTo("+OK");
			assertThat(client.call("DBSIZE")).isEqualTo(0L);
			assertThat(new String((byte[]) client.call("INFO"), StandardCharsets.US_ASCII)).contains("db0:keys=0\r\n",
					"used_memory:0\r\n");
		}
	}

	@Test
	void readingTheKeyCountDoesNotWalkTheKeyspace() throws Exception {
		try (RespSocket client = new RespSocket(this.server.port(), READ_TIMEOUT_MILLIS)) {
			fill(client);
			assertThat(client.call("DBSIZE")).isEqualTo((long) KEYS);
			byte[] dbsizes = RespClient.command("DBSIZE").repeat(READS).getBytes(StandardCharsets.US_ASCII);
			byte[] infos = RespClient.command("INFO").repeat(READS).getBytes(StandardCharsets.US_ASCII);
			byte[] pings = RespClient.command("PING").repeat(READS).getBytes(StandardCharsets.US_ASCII);
			// Warm-up, so that what is measured is the commands and not the first calls' compilation.
			for (int round = 0; round < 3; round++) {
				exchange(client, pings, "+PONG");
				exchange(client, dbsizes, (long) KEYS);
				exchange(client, infos, null);
			}
			long pingNanos = Long.MAX_VALUE;
			long dbsizeNanos = Long.MAX_VALUE;
			long infoNanos = Long.MAX_VALUE;
			for (int round = 0; round < 5; round++) {
				pingNanos = Math.min(pingNanos, loopCpuNanos(() -> exchange(client, pings, "+PONG")));
				dbsizeNanos = Math.min(dbsizeNanos, loopCpuNanos(() -> exchange(client, dbsizes, (long) KEYS)));
				infoNanos = Math.min(infoNanos, loopCpuNanos(() -> exchange(client, infos, null)));
			}
			System.out.printf("With %d keys, loop CPU per command: PING %d ns, DBSIZE %d ns, INFO %d ns%n", KEYS,
					pingNanos / READS, dbsizeNanos / READS, infoNanos / READS);
			// Generous: INFO formats a few hundred bytes of text; a walk over the keys costs milliseconds each.
			long allowed = 10 * pingNanos + Duration.ofMillis(10).toNanos();
			assertThat(dbsizeNanos).as("loop CPU for %d DBSIZE over %d keys (%d PINGs: %d ns)", READS, KEYS, READS,
					pingNanos).isLessThan(allowed);
			assertThat(infoNanos).as("loop CPU for %d INFO over %d keys (%d PINGs: %d ns)", READS, KEYS, READS,
					pingNanos).isLessThan(allowed);
		}
	}

	private long loopCpuNanos(IoAction action) throws IOException {
		ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
		long before = threads.getThreadCpuTime(this.loopThread);
		action.run();
		return threads.getThreadCpuTime(this.loopThread) - before;
	}

	/** Stores the keys with pipelined MSETs, sent from another thread while the replies are read. */
	private static void fill(RespSocket client) throws IOException {
		ByteArrayOutputStream requests = new ByteArrayOutputStream();
		for (int first = 0; first < KEYS; first += PAIRS_PER_MSET) {
			List<String> mset = new ArrayList<>(List.of("MSET"));
			for (int i = first; i < first + PAIRS_PER_MSET; i++) {
				mset.add("key:" + i);
				mset.add("v");
			}
			requests.writeBytes(RespClient.command(mset.toArray(String[]::new)).getBytes(StandardCharsets.US_ASCII));
		}
		CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
			try {
				client.send(requests.toByteArray());
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
		});
		for (int i = 0; i < KEYS / PAIRS_PER_MSET; i++) {
			assertThat(client.read()).as("reply to MSET %d", i).isEqualTo("+OK");
		}
		sending.join();
	}

	/** Sends a pipeline of the same command and checks each reply: the expected one, or any bulk. */
	private static void exchange(RespSocket client, byte[] pipeline, Object expected) throws IOException {
		client.send(pipeline);
		for (int i = 0; i < READS; i++) {
			Object reply = client.read();
			if (expected != null) {
				assertThat(reply).isEqualTo(expected);
			}
			else {
				assertThat(reply).isInstanceOf(byte[].class);
			}
		}
	}

	@FunctionalInterface
	private interface IoAction {

		void run() throws IOException;

	}

}
