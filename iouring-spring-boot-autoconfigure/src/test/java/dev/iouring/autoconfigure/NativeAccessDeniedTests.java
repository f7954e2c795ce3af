package dev.iouring.autoconfigure;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * An application whose JVM denies native access ({@code java --illegal-native-access=deny}, what a
 * later JDK will do by default) is told so, with the flag and the manifest entry that allow it, instead
 * of a bare ExceptionInInitializerError; and it is told nothing about kernels, sysctls or seccomp,
 * which have nothing to do with it. Each test starts {@link NativeAccessDeniedApplication} in a child
 * JVM, since a JVM's native access is fixed at its launch.
 */
class NativeAccessDeniedTests {

	private static final Duration STARTUP_LIMIT = Duration.ofSeconds(90);

	/** Added to a child's lines once its output has ended. */
	private static final String END_OF_OUTPUT = "(end of the child's output)";

	private static final List<String> OTHER_FIXES = List.of("seccomp", "sysctl", "ulimit", "Linux 6.1");

	private final List<Process> children = new ArrayList<>();

	@BeforeEach
	void onLinux() {
		assumeTrue(System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux"),
				"elsewhere the probe stops at 'not Linux' before it needs native access");
	}

	@AfterEach
	void stopChildren() throws InterruptedException {
		for (Process child : this.children) {
			child.destroy();
			if (!child.waitFor(20, TimeUnit.SECONDS)) {
				child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
	}

	@Test
	void withTransportAutoTheApplicationServesOverNioAndWarnsThatNativeAccessIsDenied() throws Exception {
		Process child = start();
		List<String> output = collectLines(child);
		await().atMost(STARTUP_LIMIT)
			.until(() -> line(output, NativeAccessDeniedApplication.SERVING).isPresent() || !child.isAlive());
		String serving = line(output, NativeAccessDeniedApplication.SERVING)
			.orElseThrow(() -> new AssertionError("the child stopped before serving:\n" + String.join("\n", output)));
		String[] transportAndPort = serving.substring(serving.indexOf(NativeAccessDeniedApplication.SERVING)
				+ NativeAccessDeniedApplication.SERVING.length()).trim().split(" ");
		assertThat(transportAndPort[0]).isEqualTo("nio");
		assertThat(echo(Integer.parseInt(transportAndPort[1]), "served without native access"))
			.isEqualTo("served without native access");
		assertThat(output).filteredOn((logged) -> logged.contains("WARN"))
			.singleElement(InstanceOfAssertFactories.STRING)
			.contains("io_uring is not available, so the server uses the NIO transport")
			.contains("native access is not enabled for the class path")
			.contains("java.lang.IllegalCallerException: Illegal native access")
			.contains("--enable-native-access=ALL-UNNAMED")
			.contains("Enable-Native-Access: ALL-UNNAMED")
			.doesNotContain("ExceptionInInitializerError")
			.satisfies((warning) -> assertThat(OTHER_FIXES).noneMatch(warning::contains));
	}

	@Test
	void withTransportIoUringStartupFailsWithNativeAccessAsTheCauseAndItsFixAlone() throws Exception {
		Process child = start("--iouring.server.transport=io-uring");
		List<String> output = collectLines(child);
		assertThat(child.waitFor(STARTUP_LIMIT.toSeconds(), TimeUnit.SECONDS)).as("the child exits").isTrue();
		assertThat(child.exitValue()).isNotZero();
		await().atMost(Duration.ofSeconds(10)).until(() -> line(output, END_OF_OUTPUT).isPresent());
		String report = String.join("\n", output.subList(output.indexOf(line(output, "APPLICATION FAILED TO START")
			.orElseThrow(() -> new AssertionError("no failure report:\n" + String.join("\n", output)))), output.size()));
		String description = report.substring(report.indexOf("Description:"), report.indexOf("Action:"));
		String action = report.substring(report.indexOf("Action:"));
		assertThat(description).contains("io_uring is not available: native access is not enabled for the class path")
			.contains("java.lang.IllegalCallerException: Illegal native access");
		assertThat(action).contains("add --enable-native-access=ALL-UNNAMED to the java command")
			.contains("Enable-Native-Access: ALL-UNNAMED")
			.contains("iouring.server.transport=auto");
		assertThat(OTHER_FIXES).noneMatch(report::contains);
	}

	private Process start(String... arguments) throws IOException {
		List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"--illegal-native-access=deny", "-Xmx256m", "-cp", System.getProperty("java.class.path"),
				NativeAccessDeniedApplication.class.getName()));
		command.addAll(List.of(arguments));
		Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
		this.children.add(child);
		return child;
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
			lines.add(END_OF_OUTPUT);
		});
		return lines;
	}

	private static Optional<String> line(List<String> output, String marker) {
		return output.stream().filter((line) -> line.contains(marker)).findFirst();
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
