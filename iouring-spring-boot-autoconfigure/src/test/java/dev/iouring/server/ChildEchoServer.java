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
 * An echo server for a child JVM that a test starts with a low descriptor limit, on the transport named
 * by its one argument ({@code IO_URING} or {@code NIO}, a {@link Transport} name). It prints
 * {@code READY port=P fds=F} once it serves (F: descriptors open at that point), then answers each
 * {@code stats} line on standard input with one {@code STATS ...} line, and stops at end of input.
 */
public final class ChildEchoServer {

	private ChildEchoServer() {
	}

	public static void main(String[] args) throws IOException {
		if (args.length != 1) {
			throw new IllegalArgumentException("usage: ChildEchoServer IO_URING|NIO");
		}
		TcpServer server = TcpServers.create(ServerSettings.builder()
			.ring(RingOptions.of(256, 1024))
			.buffers(64, 4096)
			.eventLoops(1)
			.listener(new ListenerSettings("echo", InetAddress.getLoopbackAddress(), 0, 4096,
					(connection, data) -> connection.write(data), null, 100_000, Duration.ZERO,
					HandlerExecution.EVENT_LOOP))
			.build(), Transport.valueOf(args[0]));
		server.start();
		// Load what the EMFILE path and the stats answer use now, while descriptors are left to open jars and
		// class files: out of descriptors, a class not loaded yet cannot be loaded from a directory on the
		// class path (target/classes), and the loop would die of the NoClassDefFoundError. NIO names the
		// failure through Failures, which nothing loads before the first failure.
		Failures.errorName(new IOException("Too many open files"));
		LoggerFactory.getLogger(ChildEchoServer.class).info("child echo server warmed up");
		String warmUp = stats(server);
		System.out.println("READY transport=" + server.transport() + " port=" + server.port() + " fds="
				+ openDescriptors() + " " + warmUp.length());
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

	private static String stats(TcpServer server) {
		return "STATS active=" + server.activeConnections() + " accepted=" + Peers.accepted(server) + " emfile="
				+ Peers.errors(server, "accept/EMFILE") + " errors=" + Peers.allErrors(server).toString().replace(' ', '_');
	}

	private static long openDescriptors() throws IOException {
		try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
			return fds.count();
		}
	}

}
