package dev.iouring.autoconfigure;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The fallback for real: an application in a child JVM whose kernel refuses io_uring serves over NIO
 * and says why, with the fix for that cause alone.
 *
 * <p>How io_uring is refused: the child installs a seccomp filter on itself before Spring starts
 * ({@link dev.iouring.ring.IoUringSeccompFilter}), so {@code io_uring_setup} fails with EPERM exactly as
 * under Docker's default seccomp profile, the most common reason the fallback is needed. The other way,
 * {@code sysctl kernel.io_uring_disabled=2}, was set aside: it refuses io_uring to every process on the
 * machine while the test runs (other builds, and this JVM's own new rings), needs root and a writable
 * /proc/sys (read-only in most containers), and a test killed before its finally block would leave the
 * machine without io_uring. The filter needs no privilege and dies with the child.
 */
class NioFallbackTests {

	private static final Duration STARTUP_LIMIT = Duration.ofSeconds(90);

	@Test
	void applicationWhoseKernelRefusesIoUringServesOverNioAndLogsTheCause() throws Exception {
		assumeTrue(System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux"),
				"seccomp filters are a Linux feature");
		Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-cp", System.getProperty("java.class.path"),
				IoUringRefusedApplication.class.getName())
			.redirectErrorStream(true)
			.start();
		List<String> output = collectLines(child);
		try {
			await().atMost(STARTUP_LIMIT)
				.until(() -> line(output, IoUringRefusedApplication.SERVING).isPresent()
						|| line(output, IoUringRefusedApplication.NO_SECCOMP).isPresent() || !child.isAlive());
			Optional<String> noSeccomp = line(output, IoUringRefusedApplication.NO_SECCOMP);
			assumeFalse(noSeccomp.isPresent(), () -> "cannot refuse io_uring to a process here: " + noSeccomp.get());
			String serving = line(output, IoUringRefusedApplication.SERVING)
				.orElseThrow(() -> new AssertionError("the child stopped before serving:\n" + String.join("\n", output)));
			assertThat(seccompMode(child)).as("seccomp mode of the child").isEqualTo("2");
			String[] transportAndPort = serving.substring(serving.indexOf(IoUringRefusedApplication.SERVING)
					+ IoUringRefusedApplication.SERVING.length()).trim().split(" ");
			assertThat(transportAndPort[0]).isEqualTo("nio");
			assertThat(echo(Integer.parseInt(transportAndPort[1]), "served without io_uring"))
				.isEqualTo("served without io_uring");
			assertThat(output).filteredOn((logged) -> logged.contains("WARN")
					&& logged.contains("io_uring is not available, so the server uses the NIO transport"))
				.singleElement(InstanceOfAssertFactories.STRING)
				.contains("io_uring_setup failed with EPERM: a seccomp profile refuses io_uring to this process")
				.contains("To use io_uring, run the container with a seccomp profile that allows io_uring_setup")
				.doesNotContain("sysctl")
				.doesNotContain("ulimit");
		}
		finally {
			child.destroy();
			if (!child.waitFor(20, TimeUnit.SECONDS)) {
				child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
		assertThat(child.isAlive()).isFalse();
	}

	private static List<String> collectLines(Process child) {
		List<String> lines = new CopyOnWriteArrayList<>();
		Thread.ofVirtual().name("child-output").start(() -> {
			try (BufferedReader reader = new BufferedReader(
					new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
				String line;
				while ((line = reader.readLine()) != null) {
					lines.add(line);
				}
			}
			catch (IOException ex) {
				lines.add("(reading the child's output failed: " + ex + ")");
			}
		});
		return lines;
	}

	private static Optional<String> line(List<String> output, String marker) {
		return output.stream().filter((line) -> line.contains(marker)).findFirst();
	}

	private static String seccompMode(Process child) throws IOException {
		return Files.readAllLines(Path.of("/proc", Long.toString(child.pid()), "status"))
			.stream()
			.filter((line) -> line.startsWith("Seccomp:"))
			.map((line) -> line.substring("Seccomp:".length()).trim())
			.findFirst()
			.orElse("unknown");
	}

	private static String echo(int port, String text) throws IOException {
		try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
			socket.setSoTimeout(30_000);
			byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
			socket.getOutputStream().write(bytes);
			return new String(socket.getInputStream().readNBytes(bytes.length), StandardCharsets.UTF_8);
		}
	}

}
