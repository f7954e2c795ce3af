package dev.iouring.server;

import org.jspecify.annotations.Nullable;

/**
 * What a {@link LoopedTcpServer} needs from one event loop of a transport.
 */
interface ServerLoop {

	/** Starts the loop's thread and returns once it serves, or throws why it could not. */
	void start();

	/** Asks the loop to close everything and end; {@link #awaitTermination} waits for it. */
	void stop();

	/**
	 * Waits for the loop's thread to end.
	 * @param millis the longest wait
	 * @return whether it ended in time
	 */
	boolean awaitTermination(long millis);

	/**
	 * Stops accepting and reading; closes each connection once its queued bytes are sent.
	 * @param onDrained run on the loop once it has no connection left
	 */
	void drain(Runnable onDrained);

	/**
	 * Registers what to tell if the loop fails (it then has closed its listeners and connections).
	 * Called before {@link #start()}.
	 * @param listener told once, with the failure
	 */
	void onFailure(java.util.function.Consumer<Throwable> listener);

	/**
	 * Returns the loop's open connections. Any thread.
	 * @return the number of connections
	 */
	int connectionCount();

	/**
	 * Returns the bytes queued for sending on the loop's connections (asks the loop).
	 * @return the queued bytes
	 */
	long queuedBytes();

	/**
	 * Returns the loop's statistics.
	 * @return the statistics
	 */
	LoopStats stats();

	/**
	 * Returns the loop's statistics per listener.
	 * @return one entry per listener, in the server's listener order
	 */
	ListenerStats[] listenerStats();

	/**
	 * Returns why the loop died.
	 * @return the failure, or {@code null} while the loop lives or after a clean stop
	 */
	@Nullable Throwable failure();

}
