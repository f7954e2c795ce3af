package dev.iouring.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import org.slf4j.LoggerFactory;

import dev.iouring.ring.RingOptions;

/**
 * An echo server for a child JVM that a test starts with a low descriptor limit. It prints
 * {@code READY port=P fds=F} once it serves (F: descriptors open at that point), then answers each
 * {@code stats} line on standard input with one {@code STATS ...} line, and stops at end of input.
 */
public final class ChildEchoServer {

	private ChildEchoServer() {
	}

	public static void main(String[] args) throws IOException {
		IoUringServer server = new IoUringServer(ServerSettings.builder()
			.ring(RingOptions.of(256, 1024))
			.buffers(64, 4096)
			.eventLoops(1)
			.listener(new ListenerSettings("echo", InetAddress.getLoopbackAddress(), 0, 4096,
					(connection, data) -> connection.write(data), null, 100_000, Duration.ZERO,
					HandlerExecution.EVENT_LOOP))
			.build());
		server.start();
		// Load what the EMFILE path and the stats answer use now, while descriptors are left to open jars.
		LoggerFactory.getLogger(ChildEchoServer.class).info("child echo server warmed up");
		String warmUp = stats(server);
		System.out.println("READY port=" + server.port() + " fds=" + openDescriptors() + " " + warmUp.length());
		System.out.flush();
		BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
		String line;
		while ((line = in.readLine()) != null) {
			if (line.equals("stats")) {
				System.out.println(stats(server));
				System.out.flush();
			}
		}
		server.stop();
	}

	private static String stats(IoUringServer server) {
		return "STATS active=" + server.activeConnections() + " accepted=" + Peers.accepted(server) + " emfile="
				+ Peers.errors(server, "accept/EMFILE") + " errors=" + Peers.allErrors(server).toString().replace(' ', '_');
	}

	private static long openDescriptors() throws IOException {
		try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
			return fds.count();
		}
	}

}
