package dev.iouring.sample.resp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.iouring.ring.IoUring;
import dev.iouring.server.IoUringServer;
import dev.iouring.server.ListenerSettings;
import dev.iouring.server.ListenerStats;
import dev.iouring.server.ServerSettings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A client that pipelines thousands of GETs of a 1 MiB value and does not read, against a real
 * io_uring server: the server stops executing while the connection is unwritable, so what it queues
 * for sending stays near the high water mark plus one reply (read from {@link IoUringServer#queuedBytes()}),
 * instead of every reply at once (2 GiB); and once the client reads, every reply arrives, in order,
 * byte for byte.
 */
class RespBackpressureEndToEndTest {

	private static final int VALUE_LENGTH = 1024 * 1024;

	private static final int GETS = 2_000;

	private static final int READ_TIMEOUT_MILLIS = 30_000;

	private IoUringServer server;

	@BeforeEach
	void start() {
		IoUring.Availability availability = IoUring.availability();
		assumeTrue(availability.available(), () -> "io_uring unavailable: " + availability.cause());
		// Room for a SET of the 1 MiB value; the water marks are the server's defaults.
		RespLimits limits = new RespLimits(1024, VALUE_LENGTH, 64 * 1024, 2 * VALUE_LENGTH);
		this.server = new IoUringServer(ServerSettings.builder()
			.eventLoops(1)
			.listener(ListenerSettings.of("resp", 0, new RespHandler(new KeyValueStore(), limits)))
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
	void aPipelineOfLargeRepliesWaitsForTheReaderWithBoundedOutput() throws Exception {
		byte[] value = new byte[VALUE_LENGTH];
		new Random(6380).nextBytes(value);
		try (RespSocket setup = new RespSocket(this.server.port(), READ_TIMEOUT_MILLIS)) {
			setup.send(RespClient.command("SET".getBytes(StandardCharsets.US_ASCII),
					"big".getBytes(StandardCharsets.US_ASCII), value));
			assertThat(setup.read()).isEqualTo("+OK");
		}
		int highWaterMark = this.server.settings().writeHighWaterMark();
		int lowWaterMark = this.server.settings().writeLowWaterMark();
		long reply = VALUE_LENGTH + "$1048576\r\n\r\n".length();
		// One reply past the high water mark, plus the small replies the writer collects before a write.
		long bound = highWaterMark + reply + RespWriter.FLUSH_THRESHOLD;
		long rssBefore = residentBytes();
		try (RespSocket client = new RespSocket(this.server.port(), READ_TIMEOUT_MILLIS)) {
			byte[] pipeline = pipeline();
			// Sent from another thread: the server stops reading once its replies back up.
			CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
				try {
					client.send(pipeline);
				}
				catch (IOException ex) {
					throw new IllegalStateException(ex);
				}
			});
			// The client reads nothing: the socket buffers fill, then the rest of a reply waits in the
			// server's queue, above the low water mark for good (the connection stays unwritable).
			AtomicLong mostQueued = new AtomicLong();
			await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(30)).until(() -> {
				long queued = this.server.queuedBytes();
				mostQueued.accumulateAndGet(queued, Math::max);
				return queued > lowWaterMark;
			});
			long queued = this.server.queuedBytes();
			long sent = bytesSent();
			long rssGrowth = residentBytes() - rssBefore;
			System.out.printf("Non-reading client, %d pipelined GETs of 1 MiB: %d bytes queued (at most %d seen, bound"
					+ " %d), %d bytes sent into socket buffers (%d of %d replies produced), process RSS grew by %d KiB%n",
					GETS, queued, mostQueued.get(), bound, sent, (sent + queued) / reply, GETS, rssGrowth / 1024);
			assertThat(mostQueued.get()).as("most bytes queued for the non-reading client").isLessThanOrEqualTo(bound);
			assertThat(sent + queued).as("bytes of replies produced while the client reads nothing")
				.isLessThan(64 * reply);
			assertThat(rssGrowth).as("growth of the process's resident memory").isLessThan(256L * 1024 * 1024);

			byte[] read = new byte[VALUE_LENGTH];
			for (int i = 0; i < GETS; i++) {
				if (!client.readBulkInto(read) || !Arrays.equals(read, value)) {
					throw new AssertionError("reply " + i + " to GET big is not the stored value");
				}
				Object echo = client.read();
				byte[] expected = Integer.toString(i).getBytes(StandardCharsets.US_ASCII);
				if (!(echo instanceof byte[] bytes) || !Arrays.equals(bytes, expected)) {
					throw new AssertionError("reply " + i + " to ECHO is out of order: " + echo);
				}
			}
			sending.join();
			assertThat(client.call("PING")).isEqualTo("+PONG");
			await().atMost(Duration.ofSeconds(10)).until(() -> this.server.queuedBytes() == 0);
		}
	}

	/** GET big and ECHO i, for i from 0: the ECHO replies prove the order. */
	private static byte[] pipeline() {
		ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
		for (int i = 0; i < GETS; i++) {
			pipeline.writeBytes(RespClient.command("GET", "big").getBytes(StandardCharsets.US_ASCII));
			pipeline.writeBytes(RespClient.command("ECHO", Integer.toString(i)).getBytes(StandardCharsets.US_ASCII));
		}
		return pipeline.toByteArray();
	}

	private long bytesSent() {
		return this.server.listenerStats().stream().mapToLong(ListenerStats::bytesSent).sum();
	}

	private static long residentBytes() throws IOException {
		for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
			if (line.startsWith("VmRSS:")) {
				return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
			}
		}
		throw new IllegalStateException("no VmRSS in /proc/self/status");
	}

}
