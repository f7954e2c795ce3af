package dev.iouring.sample.resp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

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
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The mini-Redis allocates, on its event loop, only what the stored values need: nothing for PING or a
 * GET of an existing key, and for a SET that overwrites a key only the new value and its entry. Bytes
 * are counted with {@code ThreadMXBean.getThreadAllocatedBytes} on the loop thread over real pipelined
 * traffic, so this is about bytes, never time.
 */
class RespAllocationTest {

	private static final int BATCH = 100;

	private static final int VALUE_LENGTH = 32;

	/** The positive control's allocation: far above anything the assertions allow. */
	private static final int CONTROL_BYTES = 1024 * 1024;

	/** Keeps the control array reachable, so the compiler cannot remove its allocation. */
	static volatile byte[] control;

	private IoUringServer server;

	private Socket socket;

	private final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory
		.getThreadMXBean();

	private final AtomicLong loopThread = new AtomicLong(-1);

	private final AtomicLong onDataElsewhere = new AtomicLong();

	private final AtomicBoolean allocateControl = new AtomicBoolean();

	@BeforeEach
	void start() throws IOException {
		IoUring.Availability availability = IoUring.availability();
		assumeTrue(availability.available(), () -> "io_uring unavailable: " + availability.cause());
		assertThat(this.threads.isThreadAllocatedMemorySupported()).as("thread allocation counting supported").isTrue();
		assertThat(this.threads.isThreadAllocatedMemoryEnabled()).as("thread allocation counting enabled").isTrue();
		// The loop thread is the one that runs the handler's onData: found that way, not by name, because
		// other servers (a cached Spring test context) may have loop threads of the same name in this JVM.
		RespHandler resp = new RespHandler(new KeyValueStore());
		TcpHandler recordingThread = new TcpHandler() {
			@Override
			public void onOpen(Connection connection) {
				resp.onOpen(connection);
			}

			@Override
			public void onData(Connection connection, Bytes data) {
				ranOnData();
				resp.onData(connection, data);
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
		this.socket = new Socket(InetAddress.getLoopbackAddress(), this.server.port());
		this.socket.setSoTimeout(30_000);
		this.socket.setTcpNoDelay(true);
		exchange(command("SET", "key", "v".repeat(VALUE_LENGTH)), "+OK\r\n", 1);
		assertThat(this.loopThread.get()).as("the loop thread ran onData").isNotNegative();
		assertThat(allocated()).as("allocated bytes of the loop thread, -1 if it is not counted").isNotNegative();
	}

	/**
	 * Records the thread of the first {@code onData} and counts calls on any other; on request allocates
	 * the control array. Allocates nothing otherwise.
	 */
	private void ranOnData() {
		long current = Thread.currentThread().threadId();
		if (!this.loopThread.compareAndSet(-1, current) && this.loopThread.get() != current) {
			this.onDataElsewhere.incrementAndGet();
		}
		if (this.allocateControl.get() && this.allocateControl.compareAndSet(true, false)) {
			control = new byte[CONTROL_BYTES];
		}
	}

	/**
	 * The positive control, after a measurement: one more PING makes {@code onData} allocate a known
	 * array on its thread, and the counter read for the measured thread must see it, so a counter that
	 * reads nothing, or the wrong thread, cannot pass the test.
	 */
	private void assertMeasuresTheLoop() throws IOException {
		assertThat(this.onDataElsewhere.get()).as("onData calls on a thread other than the measured one").isZero();
		long before = allocated();
		this.allocateControl.set(true);
		exchange(command("PING"), "+PONG\r\n", 1);
		assertThat(allocated() - before)
			.as("bytes counted on the measured thread for a %d-byte array allocated there", CONTROL_BYTES)
			.isGreaterThanOrEqualTo(CONTROL_BYTES);
	}

	@AfterEach
	void stop() throws IOException {
		if (this.socket != null) {
			this.socket.close();
		}
		if (this.server != null) {
			this.server.stop();
		}
	}

	@Test
	void pingAndGetAllocateNothingPerCommand() throws IOException {
		byte[] ping = command("PING");
		byte[] get = command("GET", "key");
		String getReply = "$" + VALUE_LENGTH + "\r\n" + "v".repeat(VALUE_LENGTH) + "\r\n";
		// Warm up long enough for the loop's blocking io_uring_enter to reach the optimising compiler (it
		// runs about twice per batch): until then the JDK's errno-capture slice of each call is a real
		// 40-byte allocation, which escape analysis removes only in fully compiled code.
		exchange(ping, "+PONG\r\n", 1_000_000);
		exchange(get, getReply, 1_000_000);
		long before = allocated();
		exchange(ping, "+PONG\r\n", 100_000);
		exchange(get, getReply, 100_000);
		long bytes = allocated() - before;
		System.out.printf("RESP loop allocated %d bytes for 200000 PING and GET commands%n", bytes);
		assertMeasuresTheLoop();
		assertThat(bytes).as("bytes allocated on the loop for 200,000 PING and GET commands").isLessThan(4096);
	}

	@Test
	void overwritingSetAllocatesOnlyTheStoredValue() throws IOException {
		byte[] set = command("SET", "key", "w".repeat(VALUE_LENGTH));
		exchange(set, "+OK\r\n", 1_000_000);
		int commands = 100_000;
		long before = allocated();
		exchange(set, "+OK\r\n", commands);
		double perCommand = (double) (allocated() - before) / commands;
		assertMeasuresTheLoop();
		System.out.printf("RESP loop allocated %.1f bytes per overwriting SET of a %d-byte value%n", perCommand,
				VALUE_LENGTH);
		// The value's array (16-byte header + 32 bytes) and its entry (value and expiry time, 24 bytes):
		// at least the value itself, and nothing else beyond those two small objects.
		assertThat(perCommand).isGreaterThanOrEqualTo(VALUE_LENGTH).isLessThanOrEqualTo(VALUE_LENGTH + 48);
	}

	private long allocated() {
		return this.threads.getThreadAllocatedBytes(this.loopThread.get());
	}

	/**
	 * Sends the command {@code count} times, pipelined in batches, and checks every reply byte.
	 */
	private void exchange(byte[] command, String reply, int count) throws IOException {
		OutputStream out = this.socket.getOutputStream();
		InputStream in = this.socket.getInputStream();
		byte[] expected = reply.getBytes(StandardCharsets.ISO_8859_1);
		int batch = Math.min(BATCH, count);
		byte[] requests = new byte[command.length * batch];
		byte[] replies = new byte[expected.length * batch];
		for (int i = 0; i < batch; i++) {
			System.arraycopy(command, 0, requests, i * command.length, command.length);
			System.arraycopy(expected, 0, replies, i * expected.length, expected.length);
		}
		byte[] read = new byte[replies.length];
		for (int sent = 0; sent < count; sent += batch) {
			out.write(requests);
			int got = 0;
			while (got < read.length) {
				int n = in.read(read, got, read.length - got);
				if (n < 0) {
					throw new IOException("server closed the connection");
				}
				got += n;
			}
			assertThat(Arrays.equals(read, replies)).as("replies to a batch of %s", reply.trim()).isTrue();
		}
	}

	private static byte[] command(String... arguments) {
		StringBuilder builder = new StringBuilder("*").append(arguments.length).append("\r\n");
		for (String argument : arguments) {
			builder.append('$').append(argument.length()).append("\r\n").append(argument).append("\r\n");
		}
		return builder.toString().getBytes(StandardCharsets.ISO_8859_1);
	}

}
