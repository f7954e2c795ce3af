package dev.iouring.sample.resp;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.iouring.ring.IoUring;
import dev.iouring.server.IoUringServer;
import dev.iouring.server.ListenerSettings;
import dev.iouring.server.ServerSettings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The mini-Redis on a real io_uring server, driven by the real {@code redis-cli} and
 * {@code redis-benchmark} (Debian package {@code redis-tools}). Skipped, with the reason, where the
 * tools or io_uring are missing.
 */
class RespServerEndToEndTest {

	/** Generous bound for a tool run on a loaded two-core CI machine. */
	private static final long TOOL_TIMEOUT_SECONDS = 120;

	private static IoUringServer server;

	@BeforeAll
	static void startServer() {
		assumeTrue(onPath("redis-cli") && onPath("redis-benchmark"),
				"redis-cli and redis-benchmark are not on the PATH (install the Debian package redis-tools)");
		IoUring.Availability availability = IoUring.availability();
		assumeTrue(availability.available(), () -> "io_uring unavailable: " + availability.cause());
		RespHandler handler = new RespHandler(new KeyValueStore());
		server = new IoUringServer(ServerSettings.builder()
			.eventLoops(2)
			.listener(ListenerSettings.of("resp", 0, handler))
			.build());
		server.start();
	}

	@AfterAll
	static void stopServer() {
		if (server != null) {
			server.stop();
		}
	}

	@Test
	void redisCliReadsBackWhatItWrote() throws Exception {
		assertThat(redisCli("PING")).isEqualTo("PONG\n");
		assertThat(redisCli("SET", "greeting", "hello, io_uring ☃")).isEqualTo("OK\n");
		assertThat(redisCli("GET", "greeting")).isEqualTo("hello, io_uring ☃\n");
		assertThat(redisCli("INCR", "visits")).isEqualTo("1\n");
		assertThat(redisCli("NOSUCH", "x")).startsWith("ERR unknown command 'NOSUCH'");
	}

	@Test
	void redisCliReadsBackALargeBinaryValue(@TempDir Path directory) throws Exception {
		byte[] value = new byte[200_000];
		new Random(6380).nextBytes(value);
		Path file = directory.resolve("value.bin");
		Files.write(file, value);
		// -x takes the last argument from standard input, byte for byte.
		assertThat(run(file, "redis-cli", "-p", port(), "-x", "SET", "binary")).isEqualTo("OK\n");
		byte[] read = runForBytes(null, "redis-cli", "-p", port(), "GET", "binary");
		// redis-cli ends raw output with a newline of its own.
		assertThat(Arrays.copyOf(read, read.length - 1)).isEqualTo(value);
	}

	@Test
	void redisBenchmarkRunsPipelinedWithoutErrors() throws Exception {
		// redis-benchmark stops at the first error reply, printing "Error from server: ...".
		String output = run(null, "redis-benchmark", "-p", port(), "-t", "ping,set,get,incr,mset", "-n", "20000",
				"-P", "16", "-q");
		assertThat(output).doesNotContain("Error", "ERR");
		for (String test : List.of("PING_INLINE", "PING_MBULK", "SET", "GET", "INCR", "MSET")) {
			assertThat(output).containsPattern(test + "[^:]*: [0-9.]+ requests per second");
		}
	}

	private static String redisCli(String... command) throws Exception {
		List<String> arguments = new ArrayList<>(List.of("redis-cli", "-p", port()));
		arguments.addAll(List.of(command));
		return run(null, arguments.toArray(String[]::new));
	}

	private static String port() {
		return Integer.toString(server.port());
	}

	private static String run(Path input, String... command) throws Exception {
		return new String(runForBytes(input, command), StandardCharsets.UTF_8);
	}

	private static byte[] runForBytes(Path input, String... command) throws IOException, InterruptedException {
		// Output goes to a file so that a tool that hangs cannot block the test past the timeout.
		Path outputFile = Files.createTempFile("redis-tool", ".out");
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(outputFile.toFile())
				.redirectInput((input != null) ? input.toFile() : new File("/dev/null"))
				.start();
			boolean exited = process.waitFor(TOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
			if (!exited) {
				process.destroyForcibly().waitFor();
			}
			byte[] output = Files.readAllBytes(outputFile);
			assertThat(exited).as("%s finished within %d s", command[0], TOOL_TIMEOUT_SECONDS).isTrue();
			assertThat(process.exitValue()).as("exit code of %s; output:%n%s", String.join(" ", command),
					new String(output, StandardCharsets.UTF_8)).isZero();
			return output;
		}
		finally {
			Files.delete(outputFile);
		}
	}

	private static boolean onPath(String executable) {
		String path = System.getenv("PATH");
		return path != null && Arrays.stream(path.split(File.pathSeparator))
			.anyMatch((directory) -> Files.isExecutable(Path.of(directory, executable)));
	}

}
