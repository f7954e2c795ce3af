package dev.iouring.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The socket file of a Unix listener bound to a path, on both transports: before binding, a file left by
 * a process that died is removed and one a live process listens on refuses the start; once bound, the
 * file gets the configured permissions; on stop, the file is removed if it is still the one this server
 * created.
 *
 * <p>A file left behind is told from a live one the only way the kernel allows: by connecting to it. A
 * stale file refuses the connection (ECONNREFUSED: nobody listens on it) and is removed; a live one
 * takes it, and the other server sees a connection that closes at once. A file that is not a socket is
 * never removed. Two servers that find the same stale file at the same instant can both remove it; the
 * second then binds the path the first has just bound anew (EADDRINUSE), so one of them fails.
 *
 * <p>Threads: {@link #clearStale()} and {@link #remove()} run on the thread that starts and stops the
 * server, {@link #bound()} on the loop that binds.
 */
final class UnixSocketFile {

	private static final Logger logger = LoggerFactory.getLogger(UnixSocketFile.class);

	/** S_IFMT and S_IFSOCK from include/uapi/linux/stat.h: the file type bits, and the socket type. */
	private static final int S_IFMT = 0170000;

	private static final int S_IFSOCK = 0140000;

	private final String listenerName;

	private final UnixSocket socket;

	private final Path path;

	/** The bound file's identity (device and inode), or {@code null} while this server owns no file. */
	private volatile @Nullable Object fileKey;

	UnixSocketFile(String listenerName, UnixSocket socket) {
		this.listenerName = listenerName;
		this.socket = socket;
		this.path = Path.of(socket.name());
	}

	/**
	 * Before binding: removes a socket file nobody listens on, and fails if a process listens on it or the
	 * path is something other than a socket.
	 * @throws PortInUseException if a live process listens on the socket
	 * @throws IllegalStateException if the path exists and is not a socket
	 */
	void clearStale() {
		int mode;
		try {
			mode = (int) Files.getAttribute(this.path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
		}
		catch (NoSuchFileException ex) {
			return;
		}
		catch (IOException | UnsupportedOperationException ex) {
			// Bind reports whatever stops it.
			return;
		}
		if ((mode & S_IFMT) != S_IFSOCK) {
			throw new IllegalStateException("Unix socket listener '" + this.listenerName + "' cannot bind " + this.socket
					+ ": the path exists and is not a socket, so it is left alone; remove it or choose another path");
		}
		try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
			// Non-blocking: a live server whose backlog is full must not hold the start up.
			probe.configureBlocking(false);
			probe.connect(this.socket.socketAddress());
		}
		catch (ConnectException ex) {
			removeStale();
			return;
		}
		catch (IOException ex) {
			// Anything but a refusal (EAGAIN from a full backlog, EACCES) leaves the file to bind, which
			// then fails with EADDRINUSE if it is in use.
			return;
		}
		throw new PortInUseException(this.listenerName, this.socket, "a live process accepts connections on it",
				null);
	}

	private void removeStale() {
		try {
			Files.deleteIfExists(this.path);
			logger.info("Unix socket listener '{}' removed the stale socket file {} (nobody listened on it)",
					this.listenerName, this.path);
		}
		catch (IOException ex) {
			// Bind fails with EADDRINUSE and says so.
			logger.warn("Unix socket listener '{}' could not remove the stale socket file {}: {}", this.listenerName,
					this.path, ex.toString());
		}
	}

	/**
	 * Once the socket is bound (before it listens): records the file as this server's and sets its
	 * permissions.
	 * @throws UncheckedIOException if the permissions cannot be set
	 */
	void bound() {
		try {
			this.fileKey = Files.readAttributes(this.path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
				.fileKey();
			Files.setPosixFilePermissions(this.path, this.socket.permissions());
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Unix socket listener '" + this.listenerName + "' could not set the permissions "
					+ "of " + this.path + " to " + PosixFilePermissions.toString(this.socket.permissions()) + ": " + ex,
					ex);
		}
	}

	/** Removes the socket file if it is still the one this server bound. Idempotent; never throws. */
	void remove() {
		Object key = this.fileKey;
		if (key == null) {
			return;
		}
		this.fileKey = null;
		try {
			Object current = Files.readAttributes(this.path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
				.fileKey();
			if (key.equals(current)) {
				Files.delete(this.path);
			}
			else {
				logger.info("Unix socket listener '{}' leaves {} in place: another process replaced the socket file",
						this.listenerName, this.path);
			}
		}
		catch (NoSuchFileException ex) {
			// Someone removed it already.
		}
		catch (IOException ex) {
			logger.warn("Unix socket listener '{}' could not remove its socket file {}: {}", this.listenerName, this.path,
					ex.toString());
		}
	}

	/**
	 * Prepares every Unix listener's file before the loops bind.
	 * @param listeners the server's listeners
	 */
	static void clearStale(ListenerRuntime[] listeners) {
		for (ListenerRuntime listener : listeners) {
			if (listener.unixFile != null) {
				listener.unixFile.clearStale();
			}
		}
	}

	/**
	 * Removes every Unix listener's file once the loops have closed their sockets.
	 * @param listeners the server's listeners
	 */
	static void removeAll(ListenerRuntime[] listeners) {
		for (ListenerRuntime listener : listeners) {
			if (listener.unixFile != null) {
				listener.unixFile.remove();
			}
		}
	}

}
