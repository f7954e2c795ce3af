package dev.iouring.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Client-side helpers for the fault tests: blocking loopback sockets with generous read timeouts (a
 * stall fails a test instead of hanging it), and a pipelined echo client that checks every byte.
 */
final class Peers {

	/** A read that waits longer than this means the server stalled. */
	static final int READ_TIMEOUT_MILLIS = 30_000;

	private Peers() {
	}

	static Socket connect(int port) throws IOException {
		Socket socket = new Socket();
		socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), READ_TIMEOUT_MILLIS);
		socket.setSoTimeout(READ_TIMEOUT_MILLIS);
		return socket;
	}

	/** Closes with RST instead of FIN (SO_LINGER 0). */
	static void reset(Socket socket) {
		try {
			socket.setSoLinger(true, 0);
			socket.close();
		}
		catch (IOException ex) {
			// already gone
		}
	}

	/** How a connection ended, as its peer saw it. */
	enum Ending {

		/** The server closed its side in order (FIN): a read returned end of stream. */
		END_OF_STREAM,

		/** The server's kernel reset the connection (RST). */
		RESET,

		/** Nothing ended within the read timeout. */
		TIMEOUT

	}

	/**
	 * Reads, discarding what arrives, until the connection ends or the read timeout passes.
	 * @return how it ended
	 * @throws IOException any other failure of the socket
	 */
	static Ending awaitEnd(Socket socket) throws IOException {
		InputStream in = socket.getInputStream();
		byte[] sink = new byte[8192];
		try {
			while (in.read(sink) >= 0) {
				// discard
			}
			return Ending.END_OF_STREAM;
		}
		catch (SocketTimeoutException ex) {
			return Ending.TIMEOUT;
		}
		catch (SocketException ex) {
			// The JDK's text for ECONNRESET; any other socket failure is not an ending the server chose.
			if (ex.getMessage() != null && ex.getMessage().startsWith("Connection reset")) {
				return Ending.RESET;
			}
			throw ex;
		}
	}

	/** Sends bytes and reads the same number back, checking them. */
	static void roundTrip(Socket socket, byte[] message) throws IOException {
		socket.getOutputStream().write(message);
		byte[] echoed = socket.getInputStream().readNBytes(message.length);
		if (!Arrays.equals(echoed, message)) {
			throw new AssertionError("echo differs: sent " + message.length + " bytes, got " + echoed.length);
		}
	}

	/**
	 * Writes {@code total} pseudo-random bytes in random-sized writes on a virtual thread while this
	 * thread reads the echo and checks each byte, so the peer pipelines as much as the socket buffers allow.
	 * @return bytes verified (always {@code total})
	 */
	static long pipelinedEcho(Socket socket, long seed, int total, int maxWrite) throws Exception {
		byte[] payload = new byte[total];
		Random random = new Random(seed);
		random.nextBytes(payload);
		AtomicReference<Throwable> writeFailure = new AtomicReference<>();
		Thread writer = Thread.ofVirtual().start(() -> {
			try {
				OutputStream out = socket.getOutputStream();
				Random sizes = new Random(seed + 1);
				int offset = 0;
				while (offset < total) {
					int n = Math.min(total - offset, 1 + sizes.nextInt(maxWrite));
					out.write(payload, offset, n);
					offset += n;
				}
			}
			catch (Throwable ex) {
				writeFailure.set(ex);
			}
		});
		InputStream in = socket.getInputStream();
		byte[] buffer = new byte[64 * 1024];
		int verified = 0;
		while (verified < total) {
			int n = in.read(buffer, 0, Math.min(buffer.length, total - verified));
			if (n < 0) {
				throw new IOException("server closed after " + verified + " of " + total + " bytes");
			}
			if (!Arrays.equals(buffer, 0, n, payload, verified, verified + n)) {
				throw new AssertionError("echo differs within bytes " + verified + ".." + (verified + n));
			}
			verified += n;
		}
		writer.join();
		if (writeFailure.get() != null) {
			throw new AssertionError("writer failed", writeFailure.get());
		}
		return verified;
	}

	/** Sums one close reason over every loop of a listener. */
	static long closed(TcpServer server, String listener, CloseReason reason) {
		return server.listenerStats().stream()
			.filter((stats) -> stats.listener().equals(listener))
			.mapToLong((stats) -> stats.closed(reason))
			.sum();
	}

	static long rejected(TcpServer server) {
		return server.listenerStats().stream().mapToLong(ListenerStats::rejected).sum();
	}

	static long accepted(TcpServer server) {
		return server.listenerStats().stream().mapToLong(ListenerStats::accepted).sum();
	}

	/** Sums an error counter ("op/ERRNO") over every loop. */
	static long errors(TcpServer server, String key) {
		return server.loopStats().stream().mapToLong((stats) -> stats.errors().getOrDefault(key, 0L)).sum();
	}

	/** Every loop's error counters added up, for messages. */
	static Map<String, Long> allErrors(TcpServer server) {
		Map<String, Long> all = new java.util.TreeMap<>();
		server.loopStats().forEach((stats) -> stats.errors().forEach((key, value) -> all.merge(key, value, Long::sum)));
		return all;
	}

}
