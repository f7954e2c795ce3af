package dev.iouring.server;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import dev.iouring.ring.RingOptions;

/**
 * A server for a child JVM with a small heap whose handler keeps a copy of every byte it receives, so
 * a peer that sends enough runs the JVM out of memory on an event loop, for real. It prints
 * {@code READY port=P}, then {@code FAILED <exception>} when the server fails, and on end of standard
 * input stops the server and prints {@code STOPPED ms=N} (how long stop took) before exiting.
 *
 * <p>Arguments: the transport, {@code IO_URING} or {@code NIO}.
 */
public final class ChildHoardingServer {

	private ChildHoardingServer() {
	}

	public static void main(String[] args) throws IOException {
		List<byte[]> hoard = Collections.synchronizedList(new ArrayList<>());
		TcpServer server = TcpServers.create(ServerSettings.builder()
			.ring(RingOptions.of(256, 1024))
			.buffers(64, 16 * 1024)
			.eventLoops(2)
			.listener(ListenerSettings.of("hoard", 0, (connection, data) -> hoard.add(data.toByteArray()))
				.withLimits(1000, java.time.Duration.ZERO))
			.build(), Transport.valueOf(args[0]));
		server.onFailure((failure) -> {
			// Let go of the hoard first: printing needs memory.
			hoard.clear();
			System.out.println("FAILED " + failure.getClass().getSimpleName());
			System.out.flush();
		});
		server.start();
		System.out.println("READY port=" + server.port() + " transport=" + server.transport());
		System.out.flush();
		while (System.in.read() >= 0) {
			// wait for end of input
		}
		long started = System.nanoTime();
		server.stop();
		System.out.println("STOPPED ms=" + (System.nanoTime() - started) / 1_000_000);
		System.out.flush();
	}

}
