package dev.iouring.server;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * A running TCP server, whatever carries it: io_uring ({@link IoUringServer}) or the NIO fallback. The
 * handler API, codecs, limits and statistics are the same on both.
 */
public interface TcpServer {

	/**
	 * Returns the transport's name as shown in logs, health and the Actuator endpoint.
	 * @return {@code io_uring} or {@code nio}
	 */
	String transport();

	/**
	 * Returns the settings the server was created with.
	 * @return the settings
	 */
	ServerSettings settings();

	/**
	 * Binds every listener and starts serving; returns once all loops serve.
	 * @throws PortInUseException if a listener's port is taken: another socket listens on it, also one that
	 * shares it through SO_REUSEPORT unless the listener allows that ({@link ListenerSettings#reusePort()})
	 */
	void start();

	/**
	 * Stops accepting and reading, and closes each connection once its pending writes are sent; runs
	 * {@code onDrained} when no connection is left. Asynchronous.
	 * @param onDrained called once every connection has closed
	 */
	void shutDownGracefully(Runnable onDrained);

	/**
	 * Closes everything at once, joins the loops and frees every resource. Idempotent.
	 */
	void stop();

	/**
	 * Returns whether the server was started and not stopped.
	 * @return whether it runs
	 */
	boolean isRunning();

	/**
	 * Returns whether a graceful shutdown is under way.
	 * @return whether it drains
	 */
	boolean isDraining();

	/**
	 * Returns the bound port of the first listener.
	 * @return the port, or -1 when not started or when the first listener is a Unix listener
	 */
	int port();

	/**
	 * Returns the bound port of a listener.
	 * @param listenerName the listener
	 * @return the port, or -1 when not started, and always for a listener on a Unix socket (whose
	 * address is {@code settings().listener(listenerName).unixSocket()})
	 */
	int port(String listenerName);

	/**
	 * Returns every listener's bound port by name, in configuration order.
	 * @return the ports, -1 for a Unix listener
	 */
	Map<String, Integer> ports();

	/**
	 * Returns where each listener listens, by name, in configuration order: its bound port as
	 * {@link #ports()} has it, or for a Unix listener its socket as configured ({@code unix:/path} or
	 * {@code unix:@name}).
	 * @return a port ({@link Integer}) or a Unix socket ({@link String}) per listener
	 */
	default Map<String, Object> endpoints() {
		Map<String, Object> endpoints = new LinkedHashMap<>();
		ports().forEach((name, port) -> {
			UnixSocket unix = settings().listener(name).unixSocket();
			endpoints.put(name, (unix != null) ? unix.toString() : port);
		});
		return endpoints;
	}

	/**
	 * Returns the open connection count.
	 * @return the count
	 */
	int activeConnections();

	/**
	 * Returns the bytes queued for sending across all connections (asks each loop; not for hot paths).
	 * @return queued bytes
	 */
	long queuedBytes();

	/**
	 * Returns per-loop statistics (ring figures are zero on transports without a ring).
	 * @return one entry per loop
	 */
	List<LoopStats> loopStats();

	/**
	 * Returns per-loop, per-listener statistics.
	 * @return one entry per loop and listener
	 */
	List<ListenerStats> listenerStats();

	/**
	 * Returns why a loop died, if one did.
	 * @return the failure, or {@code null}
	 */
	@Nullable Throwable loopFailure();

	/**
	 * Registers what to tell when the server fails as a whole: an event loop died of a fatal error (such
	 * as an OutOfMemoryError), and the server has closed every listener and connection. Failures while
	 * serving one connection never get here; they close only that connection.
	 * @param listener told once, on the failed loop's thread, with the failure
	 */
	void onFailure(java.util.function.Consumer<Throwable> listener);

}
