package dev.iouring.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * The TCP sockets in the LISTEN state in this process's network namespace, of every process, as Linux
 * lists them in {@code /proc/net/tcp} and {@code /proc/net/tcp6}.
 *
 * <p>Each line of those files is one socket: {@code sl local_address rem_address st ...}, the local
 * address as hexadecimal 32-bit words printed in the host's byte order, a colon, and the port in
 * hexadecimal; {@code st} is the state, {@code 0A} for LISTEN. Every socket of a SO_REUSEPORT group has
 * its own line, which is what lets a server tell its own sockets from another process's.
 *
 * <p>The kernel lists the listening sockets first (from its listening hash), then the others, so reading
 * stops at the first socket that does not listen: a host with many connections generates and parses
 * only the few lines that matter. (Kernels before 4.4 listed half-open connections among the listening
 * sockets; there a count may stop short, which can only miss a socket, never invent one.)
 */
final class ListeningSockets {

	/** TCP_LISTEN in include/net/tcp_states.h, as /proc/net/tcp prints it. */
	private static final String LISTEN = "0A";

	private static final Path[] TABLES = { Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6") };

	private ListeningSockets() {
	}

	/**
	 * Returns the local address of every listening TCP socket.
	 * @return the addresses, one per socket (so a SO_REUSEPORT group appears once per member), or
	 * {@code null} where the system has no {@code /proc/net/tcp} (not Linux)
	 * @throws UncheckedIOException if a table exists but cannot be read
	 */
	static @Nullable List<InetSocketAddress> read() {
		if (!Files.exists(TABLES[0])) {
			return null;
		}
		List<InetSocketAddress> listening = new ArrayList<>();
		for (Path table : TABLES) {
			try (BufferedReader reader = Files.newBufferedReader(table, StandardCharsets.US_ASCII)) {
				reader.readLine();
				String line;
				InetSocketAddress address;
				while ((line = reader.readLine()) != null && (address = parseListening(line)) != null) {
					listening.add(address);
				}
			}
			catch (NoSuchFileException ex) {
				// No tcp6 table: IPv6 is disabled, so there is no IPv6 socket to count.
			}
			catch (IOException ex) {
				throw new UncheckedIOException("could not read " + table, ex);
			}
		}
		return listening;
	}

	/**
	 * Parses one line of {@code /proc/net/tcp} or {@code tcp6}.
	 * @param line the line, header excluded
	 * @return the local address when the socket listens, else {@code null}
	 */
	static @Nullable InetSocketAddress parseListening(String line) {
		// Fields by hand, not with a regular expression: a busy host lists tens of thousands of sockets.
		int sl = nextField(line, 0);
		int localStart = nextField(line, fieldEnd(line, sl));
		int localEnd = fieldEnd(line, localStart);
		int state = nextField(line, fieldEnd(line, nextField(line, localEnd)));
		if (!line.startsWith(LISTEN, state) || fieldEnd(line, state) != state + LISTEN.length()) {
			return null;
		}
		String local = line.substring(localStart, localEnd);
		int colon = local.indexOf(':');
		int words = colon / 8;
		if (colon < 0 || colon % 8 != 0 || (words != 1 && words != 4)) {
			throw new IllegalArgumentException("unexpected local address '" + local + "' in: " + line);
		}
		ByteBuffer ip = ByteBuffer.allocate(words * 4).order(ByteOrder.nativeOrder());
		for (int word = 0; word < words; word++) {
			ip.putInt(Integer.parseUnsignedInt(local, word * 8, word * 8 + 8, 16));
		}
		int port = Integer.parseInt(local, colon + 1, local.length(), 16);
		try {
			// Sixteen bytes of an IPv4-mapped address come back as the IPv4 address.
			return new InetSocketAddress(InetAddress.getByAddress(ip.array()), port);
		}
		catch (UnknownHostException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static int nextField(String line, int from) {
		int at = from;
		while (at < line.length() && line.charAt(at) == ' ') {
			at++;
		}
		return at;
	}

	private static int fieldEnd(String line, int from) {
		int at = from;
		while (at < line.length() && line.charAt(at) != ' ') {
			at++;
		}
		return at;
	}

}
