package dev.iouring.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.iouring.ring.IoUringAssumptions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Peers that ask for replies and never read them, in a child JVM whose direct memory limit (16 MiB) is
 * far below what they ask for together, while each stays under the write limit. Send memory lives in
 * direct buffers, so reaching the limit is the peers' doing: only the connections that needed more
 * memory close ({@code outbound-overflow}), the server does not fail, and it serves a fresh client once
 * the greedy peers leave.
 */
@EachTransport
class DirectMemoryLimitTests {

	private static final Duration DEADLINE = Duration.ofSeconds(60);

	/** Greedy peers; together they ask for 35 MiB, each 3.5 MiB (under the 4 MiB write limit). */
	private static final int PEERS = 10;

	private static final int REQUESTS_PER_PEER = 14;

	@Parameter
	Transport transport;

	private final List<String> output = new CopyOnWriteArrayList<>();

	private @Nullable Process child;

	/**
	 * On a plain listener the starved connection closes at once; on one with stages (here a PROXY
	 * protocol header first) it closes from the loop's task queue, once the stage is done.
	 */
	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "plain", "proxied" })
	void peersThatFillDirectMemoryCloseAsOverflowsAndTheServerGoesOn(String listener) throws Exception {
		if (this.transport == Transport.IO_URING) {
			IoUringAssumptions.assumeIoUring();
		}
		int port = startChild(listener);
		byte[] header = listener.equals("proxied")
				? "PROXY TCP4 192.0.2.1 127.0.0.1 5000 6000\r\n".getBytes(StandardCharsets.US_ASCII) : new byte[0];
		List<Socket> greedy = new ArrayList<>();
		try {
			for (int i = 0; i < PEERS; i++) {
				Socket peer = new Socket();
				// A small window keeps the replies in the server's queue instead of the kernel's buffers.
				peer.setReceiveBufferSize(4096);
				peer.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), Peers.READ_TIMEOUT_MILLIS);
				peer.setSoTimeout(Peers.READ_TIMEOUT_MILLIS);
				greedy.add(peer);
				OutputStream out = peer.getOutputStream();
				out.write(header);
				out.write(new byte[REQUESTS_PER_PEER]);
				out.flush();
			}
			await().atMost(DEADLINE).alias("child output " + this.output)
				.until(() -> failed() || number(stats(), "starved") > 0);
			assertThat(failed()).as("the server failed: %s", this.output).isFalse();
			Map<String, String> during = stats();
			assertThat(number(during, "overflow")).as("closed as outbound-overflow").isPositive();
			assertThat(number(during, "active")).as("peers whose replies fit stay connected").isPositive();
		}
		finally {
			greedy.forEach(Peers::reset);
		}
		await().atMost(DEADLINE).until(() -> number(stats(), "active") == 0);
		try (Socket fresh = Peers.connect(port)) {
			fresh.getOutputStream().write(header);
			fresh.getOutputStream().write(1);
			byte[] reply = fresh.getInputStream().readNBytes(ChildAmplifyingServer.REPLY_SIZE);
			assertThat(reply).hasSize(ChildAmplifyingServer.REPLY_SIZE);
		}
		Map<String, String> after = stats();
		assertThat(after.get("failed")).isEqualTo("false");
		// Every overflow was a connection that found no memory: none reached the write limit.
		assertThat(number(after, "overflow")).isEqualTo(number(after, "starved"));
		stopChild();
	}

	private int startChild(String listener) throws IOException {
		Path java = Path.of(System.getProperty("java.home"), "bin", "java");
		this.child = new ProcessBuilder(java.toString(), "--enable-native-access=ALL-UNNAMED", "-Xmx128m",
				"-XX:MaxDirectMemorySize=16m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
				ChildAmplifyingServer.class.getName(), this.transport.name(), listener)
			.redirectErrorStream(true)
			.start();
		Thread.ofVirtual().start(() -> {
			try (BufferedReader reader = new BufferedReader(
					new InputStreamReader(this.child.getInputStream(), StandardCharsets.UTF_8))) {
				String line;
				while ((line = reader.readLine()) != null) {
					this.output.add(line);
				}
			}
			catch (IOException ex) {
				// the child is gone
			}
		});
		await().atMost(DEADLINE).alias("child output " + this.output)
			.until(() -> this.output.stream().anyMatch((line) -> line.startsWith("READY")));
		String ready = this.output.stream().filter((line) -> line.startsWith("READY")).findFirst().orElseThrow();
		return Integer.parseInt(ready.replaceAll(".*port=(\\d+).*", "$1"));
	}

	private boolean failed() {
		return this.output.stream().anyMatch((line) -> line.startsWith("FAILED"));
	}

	/** Asks the child for its counters and waits for the answer. */
	private Map<String, String> stats() throws IOException {
		long before = statsLines().size();
		OutputStream in = this.child.getOutputStream();
		in.write("stats\n".getBytes(StandardCharsets.UTF_8));
		in.flush();
		await().atMost(DEADLINE).alias("child output " + this.output).until(() -> statsLines().size() > before);
		List<String> lines = statsLines();
		Map<String, String> stats = new HashMap<>();
		for (String field : lines.get(lines.size() - 1).substring("STATS ".length()).split(" ")) {
			String[] pair = field.split("=", 2);
			stats.put(pair[0], pair[1]);
		}
		return stats;
	}

	private List<String> statsLines() {
		return List.copyOf(this.output).stream().filter((line) -> line.startsWith("STATS")).toList();
	}

	private static long number(Map<String, String> stats, String name) {
		return Long.parseLong(stats.get(name));
	}

	/** Ends standard input, which stops the child's server, and waits for the child to exit. */
	private void stopChild() throws InterruptedException {
		try {
			this.child.getOutputStream().close();
		}
		catch (IOException ex) {
			// it exited already
		}
		assertThat(this.child.waitFor(30, TimeUnit.SECONDS)).as("child output %s", this.output).isTrue();
	}

	@AfterEach
	void destroyChild() throws InterruptedException {
		if (this.child != null) {
			this.child.destroyForcibly();
			this.child.waitFor(30, TimeUnit.SECONDS);
		}
	}

}
