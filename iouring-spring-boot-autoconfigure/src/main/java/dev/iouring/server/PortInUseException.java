package dev.iouring.server;

import org.jspecify.annotations.Nullable;

/**
 * A listener could not start because its port is taken: another socket listens on it, whether the bind
 * failed (EADDRINUSE) or the other socket shares the port through SO_REUSEPORT and the listener does not
 * allow sharing ({@link ListenerSettings#reusePort()}); or, for a Unix listener
 * ({@link #unixSocket()}), because a live process listens on its socket.
 */
public class PortInUseException extends RuntimeException {

	private final String listenerName;

	private final int port;

	private final @Nullable UnixSocket unixSocket;

	/**
	 * Creates an exception for a bind that failed with EADDRINUSE.
	 * @param listenerName the listener that failed to bind
	 * @param port the port that is in use
	 * @param cause the bind failure
	 */
	public PortInUseException(String listenerName, int port, Throwable cause) {
		this(listenerName, port, "EADDRINUSE", cause);
	}

	/**
	 * Creates an exception that says how the port was found taken.
	 * @param listenerName the listener that could not start
	 * @param port the port that is in use
	 * @param reason how it was found in use, shown in the message
	 * @param cause the failure that revealed it, or {@code null}
	 */
	public PortInUseException(String listenerName, int port, String reason, @Nullable Throwable cause) {
		super("TCP listener '" + listenerName + "' could not bind port " + port + ": the port is already in use ("
				+ reason + ")", cause);
		this.listenerName = listenerName;
		this.port = port;
		this.unixSocket = null;
	}

	/**
	 * Creates an exception for a Unix listener whose socket is taken.
	 * @param listenerName the listener that could not start
	 * @param unixSocket the socket's path or abstract name
	 * @param reason how it was found in use, shown in the message
	 * @param cause the failure that revealed it, or {@code null}
	 */
	public PortInUseException(String listenerName, UnixSocket unixSocket, String reason, @Nullable Throwable cause) {
		super("Unix socket listener '" + listenerName + "' could not bind " + unixSocket
				+ ": the socket is already in use (" + reason + ")", cause);
		this.listenerName = listenerName;
		this.port = -1;
		this.unixSocket = unixSocket;
	}

	/**
	 * Returns the listener that failed to bind.
	 * @return the listener name
	 */
	public String listenerName() {
		return this.listenerName;
	}

	/**
	 * Returns the port that is in use.
	 * @return the port, or -1 for a Unix listener
	 */
	public int port() {
		return this.port;
	}

	/**
	 * Returns the Unix socket that is in use.
	 * @return the socket, or {@code null} for a TCP listener
	 */
	public @Nullable UnixSocket unixSocket() {
		return this.unixSocket;
	}

}
