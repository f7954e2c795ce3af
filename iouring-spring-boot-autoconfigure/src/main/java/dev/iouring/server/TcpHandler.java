package dev.iouring.server;

/**
 * The callbacks of a TCP listener, implemented by the application (usually as a Spring bean).
 *
 * <p>Callbacks of one connection never run concurrently and arrive in order: {@link #onOpen}, any number
 * of {@link #onData}, then {@link #onClose} exactly once. In the default execution mode they run on the
 * connection's event-loop thread, so they must not block: a handler that calls blocking code should run
 * with virtual-thread execution.
 *
 * <p>An exception thrown by a callback closes only that connection (reason
 * {@link CloseReason#HANDLER_ERROR}) after {@link #onError} has seen it; the event loop goes on.
 */
public interface TcpHandler {

	/**
	 * A connection was accepted. Writes made here are sent before any reply to data.
	 * @param connection the new connection
	 */
	default void onOpen(Connection connection) {
	}

	/**
	 * Bytes (or, with a framing codec, one whole frame) arrived.
	 * <p>{@code data} is a view over the receive buffer that is valid only until this method returns; a
	 * handler that keeps bytes copies them ({@link Bytes#toByteArray()}). Writing {@code data} back
	 * ({@code connection.write(data)}) is safe and is the whole of an echo handler.
	 * @param connection the connection the bytes came from
	 * @param data the received bytes or frame
	 */
	void onData(Connection connection, Bytes data);

	/**
	 * The connection is closed; it accepts no more writes. Called exactly once per opened connection.
	 * @param connection the closed connection
	 * @param reason why it closed
	 */
	default void onClose(Connection connection, CloseReason reason) {
	}

	/**
	 * The connection's writability changed: {@code false} once the bytes queued for sending rose above
	 * the high water mark (the server has stopped reading from it), {@code true} once they fell below the
	 * low water mark again. A producer that writes without being asked (a feed, a broadcast) should stop
	 * while the connection is not writable.
	 * @param connection the connection
	 * @param writable whether the queue is under the water marks
	 */
	default void onWritabilityChanged(Connection connection, boolean writable) {
	}

	/**
	 * A callback of this handler threw, or the connection failed. The connection is closed right after.
	 * @param connection the failing connection
	 * @param error what went wrong
	 */
	default void onError(Connection connection, Throwable error) {
	}

}
