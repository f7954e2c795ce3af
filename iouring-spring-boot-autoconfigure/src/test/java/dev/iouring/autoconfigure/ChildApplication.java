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
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An application's main class run in a JVM of its own, on the test's class path, for what only a launch
 * decides: the JVM's native access, or a seccomp filter the child puts on its own process. Its standard
 * output and error are collected line by line. Closing it stops the child, forcibly if it does not end
 * in time.
 */
final class ChildApplication implements AutoCloseable {

	/** Generous bound for a child to start, or to fail and exit, on a loaded two-core machine. */
	static final Duration STARTUP_LIMIT = Duration.ofSeconds(90);

	/** Added to the lines once the child's output has ended. */
	private static final String END_OF_OUTPUT = "(end of the child's output)";

	/** The first line of the report Spring Boot prints when a failure analyzer explained the failure. */
	private static final String FAILURE_REPORT = "APPLICATION FAILED TO START";

	private final Process process;

	private final List<String> output = new CopyOnWriteArrayList<>();

	private ChildApplication(Process process) {
		this.process = process;
		Thread.ofVirtual().name("child-output").start(this::collectOutput);
	}

	/**
	 * Starts {@code mainClass} in a child JVM.
	 * @param jvmOptions options of the child's java command, before the class path
	 * @param mainClass the class whose main method runs
	 * @param arguments the program arguments, e.g. {@code --iouring.server.transport=io-uring}
	 * @return the running child
	 */
	static ChildApplication start(List<String> jvmOptions, Class<?> mainClass, String... arguments)
			throws IOException {
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.addAll(jvmOptions);
		command.addAll(List.of("-Xmx256m", "-cp", System.getProperty("java.class.path"), mainClass.getName()));
		command.addAll(List.of(arguments));
		return new ChildApplication(new ProcessBuilder(command).redirectErrorStream(true).start());
	}

	private void collectOutput() {
		try (BufferedReader reader = new BufferedReader(
				new InputStreamReader(this.process.getInputStream(), StandardCharsets.UTF_8))) {
			String line;
			while ((line = reader.readLine()) != null) {
				this.output.add(line);
			}
		}
		catch (IOException ex) {
			this.output.add("(reading the child's output failed: " + ex + ")");
		}
		this.output.add(END_OF_OUTPUT);
	}

	Process process() {
		return this.process;
	}

	/** The lines the child printed so far. */
	List<String> output() {
		return this.output;
	}

	/** The first line printed so far that contains {@code marker}. */
	Optional<String> line(String marker) {
		return this.output.stream().filter((line) -> line.contains(marker)).findFirst();
	}

	/** What follows {@code marker} on the first line printed so far that contains it. */
	Optional<String> after(String marker) {
		return line(marker).map((line) -> line.substring(line.indexOf(marker) + marker.length()).trim());
	}

	/** The output so far, one line after the other, for assertion messages. */
	String text() {
		return String.join("\n", this.output);
	}

	/**
	 * Waits until the child has exited and all its output is read.
	 * @return its exit status
	 * @throws AssertionError if it does not exit within {@link #STARTUP_LIMIT}
	 */
	int awaitExit() throws InterruptedException {
		assertThat(this.process.waitFor(STARTUP_LIMIT.toSeconds(), TimeUnit.SECONDS)).as("the child exits: %s", text())
			.isTrue();
		await().atMost(Duration.ofSeconds(10)).until(() -> line(END_OF_OUTPUT).isPresent());
		return this.process.exitValue();
	}

	/**
	 * Returns the failure report Spring Boot printed, once {@link #awaitExit()} returned.
	 * @throws AssertionError if the child printed none
	 */
	FailureReport failureReport() {
		String printed = text();
		int start = printed.indexOf(FAILURE_REPORT);
		assertThat(start).as("a failure report in the child's output:\n%s", printed).isNotNegative();
		String report = printed.substring(start);
		int action = report.indexOf("Action:");
		return new FailureReport(report.substring(report.indexOf("Description:"), action), report.substring(action));
	}

	/**
	 * Sends text to a server the child runs and returns what came back.
	 * @param port the server's port on the loopback address
	 * @param text what to send
	 * @return as many bytes as were sent, as text
	 */
	static String echo(int port, String text) throws IOException {
		try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
			socket.setSoTimeout(30_000);
			byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
			socket.getOutputStream().write(bytes);
			return new String(socket.getInputStream().readNBytes(bytes.length), StandardCharsets.UTF_8);
		}
	}

	@Override
	public void close() throws InterruptedException {
		this.process.destroy();
		if (!this.process.waitFor(20, TimeUnit.SECONDS)) {
			this.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
		}
	}

	/**
	 * The two parts of Spring Boot's failure report.
	 * @param description from "Description:" up to "Action:"
	 * @param action from "Action:" to the end of the output
	 */
	record FailureReport(String description, String action) {
	}

}
