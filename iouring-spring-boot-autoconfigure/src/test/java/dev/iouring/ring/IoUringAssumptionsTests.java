package dev.iouring.ring;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What {@link IoUringAssumptions#assumeIoUring()} does in a process the kernel refuses io_uring to (a
 * child JVM under {@link IoUringSeccompFilter}): it skips the test with the cause, unless
 * {@value IoUringAssumptions#REQUIRED} is {@code true}, where it fails it with the cause, so a CI machine
 * that lost io_uring shows red instead of skipping every io_uring run.
 */
class IoUringAssumptionsTests {

	@Test
	void skipsWithTheCauseWhereIoUringIsRefused() throws Exception {
		String outcome = runRefused(null);
		assertThat(outcome).startsWith(IoUringRefusedAssumption.SKIPPED)
			.contains("io_uring unavailable")
			.contains("EPERM");
	}

	@Test
	void failsWithTheCauseWhereIoUringIsRefusedButRequired() throws Exception {
		String outcome = runRefused("true");
		assertThat(outcome).startsWith(IoUringRefusedAssumption.FAILED)
			.contains(IoUringAssumptions.REQUIRED + "=true")
			.contains("EPERM");
	}

	@Test
	void skipsWhereTheVariableIsNotTrue() throws Exception {
		assertThat(runRefused("false")).startsWith(IoUringRefusedAssumption.SKIPPED);
	}

	/**
	 * Runs {@link IoUringRefusedAssumption} with {@value IoUringAssumptions#REQUIRED} set to
	 * {@code required}, or unset for {@code null}; returns its one line of outcome.
	 */
	private static String runRefused(String required) throws IOException, InterruptedException {
		assumeTrue(System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux"),
				"seccomp filters are a Linux feature");
		Path log = Files.createTempFile("refused-assumption", ".log");
		ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"--enable-native-access=ALL-UNNAMED", "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp",
				System.getProperty("java.class.path"), IoUringRefusedAssumption.class.getName())
			.redirectErrorStream(true)
			.redirectOutput(log.toFile());
		builder.environment().remove(IoUringAssumptions.REQUIRED);
		if (required != null) {
			builder.environment().put(IoUringAssumptions.REQUIRED, required);
		}
		Process child = builder.start();
		try {
			boolean exited = child.waitFor(60, TimeUnit.SECONDS);
			String output = Files.readString(log, StandardCharsets.UTF_8);
			assertThat(exited).as("the child exited: %s", output).isTrue();
			List<String> outcomes = output.lines().filter((line) -> line.startsWith("ASSUMPTION ")).toList();
			assertThat(outcomes).as("one outcome in: %s", output).hasSize(1);
			String outcome = outcomes.getFirst();
			assumeFalse(outcome.startsWith(IoUringRefusedAssumption.NO_SECCOMP),
					() -> "cannot refuse io_uring to a process here: " + outcome);
			return outcome;
		}
		finally {
			child.destroyForcibly();
			Files.deleteIfExists(log);
		}
	}

}
