package dev.iouring.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real client program (openssl s_client, python3, redis-cli) driven by a test: text to its standard
 * input, bytes read from its standard output, its standard error kept in a file. A watchdog destroys it
 * past a generous deadline, so a client that hangs fails the test instead of blocking it.
 */
public final class ClientProcess implements AutoCloseable {

	/** Generous bound for one client run on a loaded two-core CI machine. */
	public static final Duration DEADLINE = Duration.ofSeconds(60);

	private final List<String> command;

	private final Process process;

	private final Path stderr;

	private ClientProcess(List<String> command, Process process, Path stderr) {
		this.command = command;
		this.process = process;
		this.stderr = stderr;
		Thread.ofVirtual().start(() -> {
			try {
				if (!process.waitFor(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
					process.destroyForcibly();
				}
			}
			catch (InterruptedException ex) {
				process.destroyForcibly();
			}
		});
	}

	/**
	 * Starts a program.
	 * @param command the program and its arguments
	 * @return the running client
	 */
	public static ClientProcess start(String... command) throws IOException {
		Path stderr = Files.createTempFile("client", ".err");
		Process process = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
		return new ClientProcess(List.of(command), process, stderr);
	}

	/** Writes text to the program's standard input. */
	public void send(String text) throws IOException {
		OutputStream in = this.process.getOutputStream();
		in.write(text.getBytes(StandardCharsets.UTF_8));
		in.flush();
	}

	/**
	 * Reads bytes from the program's standard output.
	 * @param length how many to wait for
	 * @return them, or fewer if the program closed its output first
	 */
	public String read(int length) throws IOException {
		return new String(this.process.getInputStream().readNBytes(length), StandardCharsets.UTF_8);
	}

	/**
	 * Closes the program's standard input, reads the rest of its output and waits for it to exit.
	 * @return how it ended
	 */
	public Result finish() throws IOException, InterruptedException {
		try {
			this.process.getOutputStream().close();
		}
		catch (IOException ex) {
			// It exited already.
		}
		String stdout;
		try (InputStream out = this.process.getInputStream()) {
			stdout = new String(out.readAllBytes(), StandardCharsets.UTF_8);
		}
		if (!this.process.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
			throw new AssertionError(String.join(" ", this.command) + " did not exit within " + DEADLINE);
		}
		return new Result(this.process.exitValue(), stdout, Files.readString(this.stderr));
	}

	@Override
	public void close() throws IOException {
		this.process.destroyForcibly();
		Files.deleteIfExists(this.stderr);
	}

	/**
	 * How a client program ended.
	 * @param exitCode its exit code
	 * @param stdout what it printed after the last {@link #read}
	 * @param stderr everything it printed to standard error
	 */
	public record Result(int exitCode, String stdout, String stderr) {
	}

}
