package dev.iouring.server;

/**
 * A TCP server on io_uring: one event-loop thread per configured loop, each with its own ring,
 * provided-buffer ring and SO_REUSEPORT listening socket per listener.
 *
 * <p>Life cycle: {@link #start()} binds every listener and returns once every loop serves;
 * {@link #shutDownGracefully(Runnable)} stops accepting and lets pending writes finish;
 * {@link #stop()} closes what is left, joins the loops and frees every ring, socket and arena.
 */
public final class IoUringServer {

	private final ServerSettings settings;

	/**
	 * Creates a server; nothing is opened until {@link #start()}.
	 * @param settings the server settings
	 */
	public IoUringServer(ServerSettings settings) {
		this.settings = settings;
	}

	/**
	 * Returns the settings the server was created with.
	 * @return the settings
	 */
	public ServerSettings settings() {
		return this.settings;
	}

	/**
	 * Opens the rings and listeners and starts the event loops. Returns once all of them serve.
	 * @throws PortInUseException if a listener's port is taken
	 * @throws dev.iouring.ring.IoUringUnavailableException if io_uring cannot be used here
	 */
	public synchronized void start() {
		throw new UnsupportedOperationException("not yet");
	}

	/**
	 * Returns the bound port of the first listener.
	 * @return the port, or -1 when not started
	 */
	public int port() {
		return port(this.settings.listeners().getFirst().name());
	}

	/**
	 * Returns the bound port of a listener (useful with port 0).
	 * @param listenerName the listener name
	 * @return the port, or -1 when not started
	 */
	public int port(String listenerName) {
		throw new UnsupportedOperationException("not yet");
	}

	/**
	 * Returns whether the server was started and not stopped.
	 * @return whether it runs
	 */
	public boolean isRunning() {
		throw new UnsupportedOperationException("not yet");
	}

	/**
	 * Returns the number of open connections across loops and listeners.
	 * @return the connection count
	 */
	public int activeConnections() {
		throw new UnsupportedOperationException("not yet");
	}

	/**
	 * Stops accepting, stops reading, and closes each connection once its pending writes are sent. Runs
	 * asynchronously; {@code onDrained} runs (on an event-loop thread) once no connection is left.
	 * @param onDrained called when every connection has closed
	 */
	public void shutDownGracefully(Runnable onDrained) {
		throw new UnsupportedOperationException("not yet");
	}

	/**
	 * Closes every connection and listener at once, joins the loops and frees all native resources.
	 * Idempotent.
	 */
	public synchronized void stop() {
		throw new UnsupportedOperationException("not yet");
	}

}
