package dev.iouring.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;

import dev.iouring.ring.NativeMemory;
import dev.iouring.ring.RingOptions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * The soak client ({@code benchmarks/soak/SoakClient.java}, run from source in a child JVM) against an
 * in-process server with a small buffer ring, on each transport for {@code soak.seconds} seconds (60 by
 * default, so the pair takes the two minutes one run used to; set it higher for a longer run): every
 * byte verified, no loop failure, nothing left open after stop.
 */
@EachTransport
class SoakFaultTests {

	private static final long SECONDS = Long.getLong("soak.seconds", 60);

	private static final int WORKERS = Integer.getInteger("soak.workers", 6);

	@Parameter
	Transport transport;

	@Test
	// Longer than the suite's default: the run, then the client's own bound (180 s past it) and the drain
	// waits. A longer soak.seconds run passes -Djunit.jupiter.execution.timeout.mode=disabled.
	@org.junit.jupiter.api.Timeout(value = 10, unit = TimeUnit.MINUTES)
	void chaosRunVerifiesEveryByteAndLeavesNothingBehind() throws Exception {
		Path client = Path.of("..", "benchmarks", "soak", "SoakClient.java").toAbsolutePath().normalize();
		assumeThat(client).as("soak client source (run from the module directory)").exists();
		long ringsBefore = OpenDescriptors.ioUringCount();
		long socketsBefore = OpenDescriptors.socketCount();
		long nativeBefore = NativeMemory.reservedBytes();
		TcpServer server = TestServers.create(this.transport, ServerSettings.builder()
			.ring(RingOptions.of(64, 256))
			.buffers(32, 4096)
			.eventLoops(2)
			.listener(ListenerSettings.of("echo", 0, (connection, data) -> connection.write(data)))
			.build());
		server.start();
		Path log = Files.createTempFile("soak", ".log");
		try {
			Process soak = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
					"-XX:TieredStopAtLevel=1", client.toString(), "--port", Integer.toString(server.port()), "--seconds",
					Long.toString(SECONDS), "--workers", Integer.toString(WORKERS))
				.redirectErrorStream(true)
				.redirectOutput(log.toFile())
				.start();
			boolean finished = soak.waitFor(SECONDS + 180, TimeUnit.SECONDS);
			if (!finished) {
				soak.destroyForcibly();
			}
			String output = Files.readString(log, StandardCharsets.UTF_8);
			System.out.println(output);
			assertThat(finished).as("soak client finished: %s", output).isTrue();
			assertThat(soak.exitValue()).as("soak client exit status: %s", output).isZero();
			assertThat(output).contains("failures=0");
			assertThat(server.loopFailure()).isNull();
			await().atMost(Duration.ofSeconds(60)).until(() -> server.activeConnections() == 0);
			assertThat(Peers.allErrors(server)).isEmpty();
		}
		finally {
			server.stop();
			deleteQuietly(log);
		}
		assertThat(OpenDescriptors.ioUringCount()).isEqualTo(ringsBefore);
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(OpenDescriptors.socketCount()).isLessThanOrEqualTo(socketsBefore));
		assertThat(NativeMemory.reservedBytes()).isEqualTo(nativeBefore);
	}

	private static void deleteQuietly(Path path) {
		try {
			Files.deleteIfExists(path);
		}
		catch (IOException ex) {
			// a temporary file
		}
	}

}
