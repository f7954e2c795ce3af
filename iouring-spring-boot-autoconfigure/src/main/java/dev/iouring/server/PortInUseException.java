package dev.iouring.server;

/**
 * A listener could not bind because its port is taken (EADDRINUSE).
 */
public class PortInUseException extends RuntimeException {

	private final String listenerName;

	private final int port;

	/**
	 * Creates an exception.
	 * @param listenerName the listener that failed to bind
	 * @param port the port that is in use
	 * @param cause the bind failure
	 */
	public PortInUseException(String listenerName, int port, Throwable cause) {
		super("TCP listener '" + listenerName + "' could not bind port " + port
				+ ": the port is already in use (EADDRINUSE)", cause);
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
