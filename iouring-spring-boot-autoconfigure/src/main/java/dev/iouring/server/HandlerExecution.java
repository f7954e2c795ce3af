package dev.iouring.server;

/**
 * Where a listener's handler callbacks run.
 */
public enum HandlerExecution {

	/** On the connection's event-loop thread: fastest, and callbacks must not block. */
	EVENT_LOOP,

	/**
	 * On virtual threads, one connection's callbacks in order: callbacks may block (JDBC, HTTP calls)
	 * while the loop keeps serving other connections. Received bytes are copied for the handler.
	 */
	VIRTUAL_THREADS

}
