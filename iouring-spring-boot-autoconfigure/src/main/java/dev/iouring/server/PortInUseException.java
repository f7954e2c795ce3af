package dev.iouring.server;

import org.jspecify.annotations.Nullable;

/**
 * A listener could not start because its port is taken: another socket listens on it, whether the bind
 * failed (EADDRINUSE) or the other socket shares the port through SO_REUSEPORT and the listener does not
 * allow sharing ({@link ListenerSettings#reusePort()}).
 */
public class PortInUseException extends RuntimeException {

	private final String listenerName;

	private final int port;

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
	 * @return the port
	 */
	public int port() {
		return this.port;
	}

}
