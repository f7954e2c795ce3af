package dev.iouring.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import dev.iouring.ring.RingOptions;

/**
 * A server for a child JVM with a small direct memory limit whose handler answers every byte it
 * receives with a {@link #REPLY_SIZE} reply, so peers that ask and never read fill send memory up to the
 * limit, for real. It prints {@code READY port=P}, {@code FAILED <exception>} if the server fails, and
 * answers each {@code stats} line on standard input with one {@code STATS ...} line; it stops at end of
 * input.
 *
 * <p>Arguments: the transport, {@code IO_URING} or {@code NIO}; then {@code plain}, or {@code proxied} for a
 * listener that reads a PROXY protocol header first (its connections run a stage pipeline).
 */
public final class ChildAmplifyingServer {

	/** Bytes sent back for each byte received. */
	static final int REPLY_SIZE = 256 * 1024;

	private ChildAmplifyingServer() {
	}

	public static void main(String[] args) throws IOException {
		byte[] reply = new byte[REPLY_SIZE];
		ListenerSettings listener = ListenerSettings.of("amp", 0, (connection, data) -> {
			for (int i = 0; i < data.length(); i++) {
				connection.write(reply);
			}
		});
		if (args[1].equals("proxied")) {
			listener = listener.withProxyProtocol(ProxyProtocolMode.ON, Duration.ofSeconds(30));
		}
		TcpServer server = TcpServers.create(ServerSettings.builder()
			.ring(RingOptions.of(256, 1024))
			.buffers(64, 16 * 1024)
			.eventLoops(2)
			.listener(listener)
			.build(), Transport.valueOf(args[0]));
		server.onFailure((failure) -> {
			System.out.println("FAILED " + failure.getClass().getSimpleName() + ": " + failure.getMessage());
			System.out.flush();
		});
		server.start();
		System.out.println("READY port=" + server.port() + " transport=" + server.transport());
		System.out.flush();
		BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
		String line;
		while ((line = in.readLine()) != null) {
			if (line.equals("stats")) {
				System.out.println("STATS active=" + server.activeConnections() + " overflow="
						+ Peers.closed(server, "amp", CloseReason.OUTBOUND_OVERFLOW) + " starved="
						+ Peers.errors(server, "write/OutOfDirectMemory") + " failed=" + (server.loopFailure() != null));
				System.out.flush();
			}
		}
		server.stop();
	}

}
