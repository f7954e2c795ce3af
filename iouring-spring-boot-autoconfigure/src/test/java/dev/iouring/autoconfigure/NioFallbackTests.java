package dev.iouring.autoconfigure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

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

	@Test
	void applicationWhoseKernelRefusesIoUringServesOverNioAndLogsTheCause() throws Exception {
		assumeTrue(System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux"),
				"seccomp filters are a Linux feature");
		try (ChildApplication child = ChildApplication.start(List.of("--enable-native-access=ALL-UNNAMED"),
				IoUringRefusedApplication.class)) {
			await().atMost(ChildApplication.STARTUP_LIMIT)
				.until(() -> child.line(IoUringRefusedApplication.SERVING).isPresent()
						|| child.line(IoUringRefusedApplication.NO_SECCOMP).isPresent() || !child.process().isAlive());
			Optional<String> noSeccomp = child.line(IoUringRefusedApplication.NO_SECCOMP);
			assumeFalse(noSeccomp.isPresent(), () -> "cannot refuse io_uring to a process here: " + noSeccomp.get());
			String[] transportAndPort = child.after(IoUringRefusedApplication.SERVING)
				.orElseThrow(() -> new AssertionError("the child stopped before serving:\n" + child.text()))
				.split(" ");
			assertThat(seccompMode(child.process())).as("seccomp mode of the child").isEqualTo("2");
			assertThat(transportAndPort[0]).isEqualTo("nio");
			assertThat(ChildApplication.echo(Integer.parseInt(transportAndPort[1]), "served without io_uring"))
				.isEqualTo("served without io_uring");
			assertThat(child.output()).filteredOn((logged) -> logged.contains("WARN")
					&& logged.contains("io_uring is not available, so the server uses the NIO transport"))
				.singleElement(InstanceOfAssertFactories.STRING)
				.contains("io_uring_setup failed with EPERM: a seccomp profile refuses io_uring to this process")
				.contains("To use io_uring, run the container with a seccomp profile that allows io_uring_setup")
				.doesNotContain("sysctl")
				.doesNotContain("ulimit");
			child.close();
			assertThat(child.process().isAlive()).isFalse();
		}
	}

	private static String seccompMode(Process child) throws IOException {
		return Files.readAllLines(Path.of("/proc", Long.toString(child.pid()), "status"))
			.stream()
			.filter((line) -> line.startsWith("Seccomp:"))
			.map((line) -> line.substring("Seccomp:".length()).trim())
			.findFirst()
			.orElse("unknown");
	}

}
