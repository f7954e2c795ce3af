package dev.iouring.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import dev.iouring.ring.RingOptions;

/**
 * A server for a child JVM with a small direct memory limit whose handler answers every byte it
 * receives with a {@link #REPLY_SIZE} reply, so peers that ask and never read fill send memory up to the
 * limit, for real. It prints {@code READY port=P}, {@code FAILED <exception>} if the server fails, and
 * answers each {@code stats} line on standard input with one {@code STATS ...} line; it stops at end of
 * input.
 *
 * <p>Arguments: the transport, {@code IO_URING} or {@code NIO}; then {@code plain}, {@code proxied} for a
 * listener that reads a PROXY protocol header first (its connections run a stage pipeline), or {@code tls}
 * followed by a PKCS#12 key store and its password, for a TLS listener presenting that key (its
 * connections borrow TLS buffers from direct memory too). The {@code STATS} line counts connections
 * closed as {@code outbound-overflow}, and of them those refused send memory ({@code starved}) and those
 * refused a TLS buffer ({@code tlsStarved}).
 */
public final class ChildAmplifyingServer {

	/** Bytes sent back for each byte received. */
	static final int REPLY_SIZE = 256 * 1024;

	private ChildAmplifyingServer() {
	}

	public static void main(String[] args) throws IOException, GeneralSecurityException {
		byte[] reply = new byte[REPLY_SIZE];
		ListenerSettings listener = ListenerSettings.of("amp", 0, (connection, data) -> {
			for (int i = 0; i < data.length(); i++) {
				connection.write(reply);
			}
		});
		if (args[1].equals("proxied")) {
			listener = listener.withProxyProtocol(ProxyProtocolMode.ON, Duration.ofSeconds(30));
		}
		if (args[1].equals("tls")) {
			SSLContext context = serverContext(Path.of(args[2]), args[3].toCharArray());
			// Long enough for peers that stop in the middle of their ClientHello to stay while others connect.
			listener = listener.withTls(TlsSettings.builder(() -> TlsContext.of("test", context))
				.handshakeTimeout(Duration.ofMinutes(2))
				.build())
				// Each TLS peer connects after a handshake, so the loop flushes each reply before the next
				// one comes; a small kernel send buffer keeps that reply in send memory, not the kernel's.
				.withSocketOptions(SocketOptions.builder().sendBuffer(64 * 1024).build());
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
						+ Peers.errors(server, "write/OutOfDirectMemory") + " tlsStarved="
						+ Peers.errors(server, "tls/OutOfDirectMemory") + " failed=" + (server.loopFailure() != null));
				System.out.flush();
			}
		}
		server.stop();
	}

	private static SSLContext serverContext(Path keyStore, char[] password) throws IOException, GeneralSecurityException {
		KeyStore store = KeyStore.getInstance("PKCS12");
		try (InputStream in = Files.newInputStream(keyStore)) {
			store.load(in, password);
		}
		KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
		keys.init(store, password);
		SSLContext context = SSLContext.getInstance("TLS");
		context.init(keys.getKeyManagers(), null, null);
		return context;
	}

}
