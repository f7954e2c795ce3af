package dev.iouring.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.iouring.ring.IoUringAssumptions;
import dev.iouring.ring.RingOptions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * With {@code iouring.ring.sqpoll=true} a kernel thread submits the SQEs; the server must work the same,
 * including after the poller went to sleep.
 *
 * <p>The poller seldom sleeps at the moment the loop submits: every completion wakes it to run the
 * completion's task work, and it then spins for its idle time, long enough for the loop to answer. It
 * sleeps under the loop's next SQE only when a turn takes longer than that idle time, which is what the
 * second test makes happen: its handler holds the loop until the poller sleeps, and the echo must then
 * go out through a wake-up (IORING_SQ_NEED_WAKEUP set, IORING_ENTER_SQ_WAKEUP passed).
 */
class SqpollEchoTests {

	/** The poller's idle time before it sleeps (sq_thread_idle). */
	private static final Duration POLLER_IDLE = Duration.ofMillis(10);

	/** Generous bound for the poller to fall asleep, and for an echo, on a loaded two-core machine. */
	private static final Duration LIMIT = Duration.ofSeconds(30);

	/** The SQPOLL thread's name, followed by the process id (io_uring/sqpoll.c). */
	private static final String POLLER_THREAD_NAME = "iou-sqp-";

	private IoUringServer server;

	@BeforeEach
	void assumeIoUring() {
		IoUringAssumptions.assumeIoUring();
	}

	@AfterEach
	void stop() {
		if (this.server != null) {
			this.server.stop();
		}
	}

	@Test
	void echoesOverAnSqpollRing() throws Exception {
		start((connection, data) -> connection.write(data));
		Random random = new Random(11);
		try (Socket socket = connect()) {
			OutputStream out = socket.getOutputStream();
			InputStream in = socket.getInputStream();
			for (int i = 0; i < 50; i++) {
				byte[] message = new byte[1 + random.nextInt(20_000)];
				random.nextBytes(message);
				out.write(message);
				byte[] echoed = in.readNBytes(message.length);
				assertThat(Arrays.equals(echoed, message)).as("message %d", i).isTrue();
			}
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> this.server.activeConnections() == 0);
	}

	@Test
	void anEchoAfterATurnLongerThanThePollerIdleTimeWakesThePoller() throws Exception {
		AtomicReference<String> pollerState = new AtomicReference<>("not looked at");
		start((connection, data) -> {
			if (!data.isEmpty() && data.getByte(0) == 's') {
				pollerState.set(awaitPollerAsleep());
			}
			connection.write(data);
		});
		try (Socket socket = connect()) {
			assertThat(echo(socket, "quick")).isEqualTo("quick");
			long wakeups = this.server.loopStats().getFirst().sqWakeups();
			assertThat(echo(socket, "slow turn")).isEqualTo("slow turn");
			assertThat(pollerState.get()).as("the poller, while the loop was held").isEqualTo("asleep");
			await().atMost(LIMIT)
				.untilAsserted(() -> assertThat(this.server.loopStats().getFirst().sqWakeups())
					.as("SQPOLL wake-ups").isGreaterThan(wakeups));
			assertThat(echo(socket, "after the wake-up")).isEqualTo("after the wake-up");
		}
	}

	private void start(TcpHandler handler) {
		this.server = new IoUringServer(ServerSettings.builder()
			.ring(new RingOptions(64, 256, true, POLLER_IDLE, -1))
			.buffers(64, 4096)
			.eventLoops(1)
			.listener(ListenerSettings.of("echo", 0, handler))
			.build());
		this.server.start();
		assertThat(this.server.loopStats().getFirst().setupFlagNames()).contains("SQPOLL");
	}

	private Socket connect() throws IOException {
		Socket socket = new Socket(InetAddress.getLoopbackAddress(), this.server.port());
		socket.setSoTimeout((int) LIMIT.toMillis());
		return socket;
	}

	private static String echo(Socket socket, String text) throws IOException {
		byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
		socket.getOutputStream().write(bytes);
		return new String(socket.getInputStream().readNBytes(bytes.length), StandardCharsets.US_ASCII);
	}

	/**
	 * Holds the calling loop until this process's SQPOLL thread sleeps: state S in its
	 * /proc/self/task/TID/stat, which it enters only in its idle wait, right where it sets
	 * IORING_SQ_NEED_WAKEUP (spinning it is R). The ring's own flag cannot be read here: its memory belongs
	 * to the loop's ring, which a handler does not see.
	 * @return "asleep", or what was seen instead when {@link #LIMIT} passed
	 */
	private static String awaitPollerAsleep() {
		long deadline = System.nanoTime() + LIMIT.toNanos();
		List<String> states = pollerStates();
		while (!states.equals(List.of("S"))) {
			if (System.nanoTime() - deadline > 0) {
				return "poller thread states " + states + " after " + LIMIT;
			}
			LockSupport.parkNanos(1_000_000L);
			states = pollerStates();
		}
		return "asleep";
	}

	/** The scheduler states of this process's SQPOLL threads. */
	private static List<String> pollerStates() {
		try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
			return tasks.filter((task) -> read(task.resolve("comm")).startsWith(POLLER_THREAD_NAME))
				.map((task) -> read(task.resolve("stat")))
				.filter((stat) -> !stat.isEmpty())
				// The state follows the command name, which is in parentheses and may contain spaces.
				.map((stat) -> stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3))
				.toList();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** A /proc file's text, empty when the thread ended meanwhile. */
	private static String read(Path file) {
		try {
			return Files.readString(file);
		}
		catch (NoSuchFileException ex) {
			return "";
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
