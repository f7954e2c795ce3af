package dev.iouring.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * The server out of file descriptors, on each transport: an echo server in a child JVM under
 * {@code prlimit} ({@link ChildEchoServer}) gets more peers than it has descriptors for. Accepting backs
 * off, is counted as {@code accept/EMFILE} and warned about once; the peers already accepted are still
 * served; once some close, accepting resumes and takes every peer that waited in the backlog.
 */
@EachTransport
class DescriptorExhaustionTests {

	private static final Duration DEADLINE = Duration.ofSeconds(60);

	@Parameter
	Transport transport;

	@Test
	void serverOutOfDescriptorsBacksOffKeepsServingAndAcceptsAgainWhenSomeClose() throws Exception {
		TestServers.assumeAvailable(this.transport);
		assumeThat(Path.of("/usr/bin/prlimit")).as("prlimit from util-linux").exists();
		int limit = 400;
		Path java = Path.of(System.getProperty("java.home"), "bin", "java");
		ProcessBuilder builder = new ProcessBuilder("/usr/bin/prlimit", "--nofile=" + limit + ":" + limit, "--",
				java.toString(), "--enable-native-access=ALL-UNNAMED", "-Xshare:auto", "-XX:TieredStopAtLevel=1",
				"-cp", System.getProperty("java.class.path"), ChildEchoServer.class.getName(), this.transport.name())
			.redirectErrorStream(true);
		Process child = builder.start();
		List<String> output = new CopyOnWriteArrayList<>();
		BlockingQueue<String> stats = new LinkedBlockingQueue<>();
		Thread.ofVirtual().start(() -> {
			try (BufferedReader reader = new BufferedReader(
					new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
				String line;
				while ((line = reader.readLine()) != null) {
					output.add(line);
					if (line.startsWith("STATS") || line.startsWith("READY")) {
						stats.add(line);
					}
				}
			}
			catch (IOException ex) {
				// the child is gone
			}
		});
		List<Socket> sockets = new ArrayList<>();
		try {
			String ready = stats.poll(60, TimeUnit.SECONDS);
			assertThat(ready).as("child output: %s", output)
				.isNotNull()
				.startsWith("READY transport=" + ((this.transport == Transport.NIO) ? "nio" : "io_uring"));
			int port = intField(ready, "port");
			int free = limit - intField(ready, "fds");
			int opened = free + 40;
			for (int i = 0; i < opened; i++) {
				sockets.add(Peers.connect(port));
			}
			OutputStream commands = child.getOutputStream();
			Map<String, Long> atLimit = awaitStats(commands, stats, output, (s) -> s.get("emfile") > 0);
			long admitted = atLimit.get("active");
			assertThat(admitted).isLessThan(opened).isGreaterThan(60);
			// The accept queue is first in, first out: the first peers were accepted and are still served.
			for (int i = 0; i < 10; i++) {
				Peers.roundTrip(sockets.get(i), ("served " + i).getBytes(StandardCharsets.UTF_8));
			}
			assertThat(output).anyMatch((line) -> line.contains("cannot accept"));
			// Free 60 descriptors: accept resumes and takes every peer still waiting in the backlog.
			for (int i = 0; i < 60; i++) {
				sockets.get(i).close();
			}
			awaitStats(commands, stats, output, (s) -> s.get("accepted") == opened && s.get("active") == opened - 60);
			Peers.roundTrip(sockets.getLast(), "waited in the backlog".getBytes(StandardCharsets.UTF_8));
			try (Socket late = Peers.connect(port)) {
				Peers.roundTrip(late, "new after recovery".getBytes(StandardCharsets.UTF_8));
			}
			// One warning for the episode, not one per 100 ms retry; and one line when accepting resumes.
			assertThat(output.stream().filter((line) -> line.contains("cannot accept"))).hasSize(1);
			assertThat(output).anyMatch((line) -> line.contains("accepts again"));
		}
		finally {
			sockets.forEach(Peers::reset);
			child.destroyForcibly();
			child.waitFor(30, TimeUnit.SECONDS);
		}
	}

	/** Asks the child for its counts (every 50 ms) until they satisfy {@code condition}. */
	private static Map<String, Long> awaitStats(OutputStream commands, BlockingQueue<String> lines, List<String> output,
			Predicate<Map<String, Long>> condition) {
		return await().atMost(DEADLINE)
			.pollInterval(Duration.ofMillis(50))
			.alias("child stats; last output " + lastLines(output, 5))
			.until(() -> {
				commands.write("stats\n".getBytes(StandardCharsets.US_ASCII));
				commands.flush();
				String line = lines.poll(30, TimeUnit.SECONDS);
				assertThat(line).as("child answers stats; output: %s", output).isNotNull();
				return Map.of("active", (long) intField(line, "active"), "accepted", (long) intField(line, "accepted"),
						"emfile", (long) intField(line, "emfile"));
			}, condition::test);
	}

	/**
	 * The last lines of the child's output, from a snapshot: a sub-list view of the live list throws when
	 * the reader thread appends while it is printed.
	 */
	private static List<String> lastLines(List<String> output, int count) {
		List<String> snapshot = List.copyOf(output);
		return snapshot.subList(Math.max(0, snapshot.size() - count), snapshot.size());
	}

	private static int intField(String line, String name) {
		Matcher matcher = Pattern.compile(name + "=(\\d+)").matcher(line);
		assertThat(matcher.find()).as("%s in %s", name, line).isTrue();
		return Integer.parseInt(matcher.group(1));
	}

}
