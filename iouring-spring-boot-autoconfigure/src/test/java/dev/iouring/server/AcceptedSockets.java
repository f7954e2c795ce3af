package dev.iouring.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import dev.iouring.ring.Sockets;

/**
 * Finds the server's end of a test client's connection among this process's own descriptors, on either
 * transport, so a test can read the options the server set on it with getsockopt. The server runs in the
 * test's process: its accepted socket is the descriptor whose peer is the client's local address.
 */
final class AcceptedSockets {

	private static final Path FDS = Path.of("/proc/self/fd");

	private AcceptedSockets() {
	}

	/**
	 * Returns the descriptor of the server's end of a connected client.
	 * @param client the client, connected to a server in this process
	 * @return the server's descriptor for that connection
	 * @throws IllegalStateException if none matches
	 */
	static int serverSideOf(Socket client) {
		InetSocketAddress clientAddress = (InetSocketAddress) client.getLocalSocketAddress();
		List<Integer> matches = new ArrayList<>();
		for (int fd : socketDescriptors()) {
			if (isPeerOf(fd, clientAddress, client.getPort())) {
				matches.add(fd);
			}
		}
		if (matches.size() != 1) {
			throw new IllegalStateException("expected one server socket connected to " + clientAddress + " but found "
					+ matches);
		}
		return matches.getFirst();
	}

	/**
	 * Reads an int socket option of a descriptor.
	 * @param fd the descriptor
	 * @param level the level, e.g. {@link Sockets#IPPROTO_TCP}
	 * @param option the option
	 * @return the value
	 */
	static int option(int fd, int level, int option) {
		return Sockets.intOption(fd, level, option);
	}

	private static boolean isPeerOf(int fd, InetSocketAddress client, int serverPort) {
		try {
			return Sockets.localAddress(fd).getPort() == serverPort && sameEndpoint(Sockets.remoteAddress(fd), client);
		}
		catch (RuntimeException ex) {
			// Not a connected inet socket (a listener, a Unix socket, or one closed since it was listed).
			return false;
		}
	}

	private static boolean sameEndpoint(InetSocketAddress a, InetSocketAddress b) {
		return a.getPort() == b.getPort() && a.getAddress().equals(b.getAddress());
	}

	private static List<Integer> socketDescriptors() {
		List<Integer> fds = new ArrayList<>();
		try (Stream<Path> entries = Files.list(FDS)) {
			for (Path entry : (Iterable<Path>) entries::iterator) {
				try {
					if (Files.readSymbolicLink(entry).toString().startsWith("socket:")) {
						fds.add(Integer.parseInt(entry.getFileName().toString()));
					}
				}
				catch (IOException ex) {
					// Closed between the listing and the read.
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return fds;
	}

}
