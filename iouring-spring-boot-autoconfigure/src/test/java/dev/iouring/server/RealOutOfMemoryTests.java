package dev.iouring.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * A real OutOfMemoryError on an event loop, in a child JVM with a 48 MiB heap whose handler hoards what
 * it receives. The server must fail visibly and as a whole, never as a zombie: it says so, its port
 * refuses new clients instead of leaving them in a backlog, and stop returns promptly.
 */
@EachTransport
class RealOutOfMemoryTests {

	private static boolean failed(List<String> output) {
		return output.stream().anyMatch((line) -> line.startsWith("FAILED"));
	}

	private static final Duration DEADLINE = Duration.ofSeconds(60);

	@Parameter
	Transport transport;

	@Test
	void outOfMemoryOnALoopClosesThePortAndStopsPromptly() throws Exception {
		if (this.transport == Transport.IO_URING) {
			dev.iouring.ring.IoUringAssumptions.assumeIoUring();
		}
		Path java = Path.of(System.getProperty("java.home"), "bin", "java");
		Process child = new ProcessBuilder(java.toString(), "--enable-native-access=ALL-UNNAMED", "-Xmx48m",
				"-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
				ChildHoardingServer.class.getName(), this.transport.name())
			.redirectErrorStream(true)
			.start();
		List<String> output = new CopyOnWriteArrayList<>();
		Thread.ofVirtual().start(() -> {
			try (BufferedReader reader = new BufferedReader(
					new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
				String line;
				while ((line = reader.readLine()) != null) {
					output.add(line);
				}
			}
			catch (IOException ex) {
				// the child is gone
			}
		});
		try {
			await().atMost(DEADLINE).until(() -> output.stream().anyMatch((line) -> line.startsWith("READY")));
			String ready = output.stream().filter((line) -> line.startsWith("READY")).findFirst().orElseThrow();
			int port = Integer.parseInt(ready.replaceAll(".*port=(\\d+).*", "$1"));
			// Peers send until the server gives up on them (the heap holds 48 MiB at most), from a thread of
			// their own: a write to a server that stopped reading would block this one.
			Thread senders = Thread.ofVirtual().start(() -> {
				byte[] chunk = new byte[64 * 1024];
				for (int peer = 0; peer < 8 && !failed(output); peer++) {
					try (Socket socket = Peers.connect(port)) {
						OutputStream out = socket.getOutputStream();
						for (int i = 0; i < 4096 && !failed(output); i++) {
							out.write(chunk);
						}
					}
					catch (IOException ex) {
						// the server closed the connection when its loop failed
					}
				}
			});
			await().atMost(DEADLINE).alias("child output " + output)
				.until(() -> output.contains("FAILED OutOfMemoryError"));
			// Every listener is closed: new clients are refused, not left waiting in a backlog.
			await().atMost(DEADLINE).untilAsserted(() -> assertThatExceptionOfType(ConnectException.class)
				.isThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), port).close()));
			senders.join(DEADLINE);
			child.getOutputStream().close();
			assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("child output %s", output).isTrue();
			String stopped = output.stream().filter((line) -> line.startsWith("STOPPED")).findFirst().orElseThrow();
			assertThat(Long.parseLong(stopped.replaceAll(".*ms=(\\d+).*", "$1"))).as("stop took, ms").isLessThan(5000);
		}
		finally {
			child.destroyForcibly();
			child.waitFor(30, TimeUnit.SECONDS);
		}
	}

}
