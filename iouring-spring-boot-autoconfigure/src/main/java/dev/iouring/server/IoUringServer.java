package dev.iouring.server;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.iouring.ring.IoUring;

/**
 * A TCP server on io_uring: one event-loop thread per configured loop, each with its own ring,
 * provided-buffer ring and SO_REUSEPORT listening socket per listener.
 *
 * <p>Life cycle: {@link #start()} binds every listener and returns once every loop serves;
 * {@link #shutDownGracefully(Runnable)} stops accepting and lets pending writes finish;
 * {@link #stop()} closes what is left, joins the loops and frees every ring, socket and arena. The
 * statistics objects outlive {@code stop()}, so meters bound to them keep reading final values.
 */
public final class IoUringServer implements TcpServer {

	private static final Logger logger = LoggerFactory.getLogger(IoUringServer.class);

	private static final AtomicInteger SERVER_COUNT = new AtomicInteger();

	/** How long stop() waits for each loop to finish closing. */
	private static final long JOIN_MILLIS = 15_000;

	private final ServerSettings settings;

	private final ListenerRuntime[] listeners;

	private final List<EventLoop> loops = new ArrayList<>();

	private volatile boolean running;

	private volatile boolean draining;

	/**
	 * Creates a server; nothing is opened until {@link #start()}.
	 * @param settings the server settings
	 */
	public IoUringServer(ServerSettings settings) {
		this.settings = settings;
		this.listeners = new ListenerRuntime[settings.listeners().size()];
		for (int i = 0; i < this.listeners.length; i++) {
			this.listeners[i] = new ListenerRuntime(i, settings.listeners().get(i));
		}
	}

	@Override
	public String transport() {
		return "io_uring";
	}

	/**
	 * Returns the settings the server was created with.
	 * @return the settings
	 */
	@Override
	public ServerSettings settings() {
		return this.settings;
	}

	/**
	 * Opens the rings and listeners and starts the event loops. Returns once all of them serve.
	 * @throws PortInUseException if a listener's port is taken
	 * @throws dev.iouring.ring.IoUringUnavailableException if io_uring cannot be used here
	 */
	@Override
	public synchronized void start() {
		if (this.running || !this.loops.isEmpty()) {
			return;
		}
		IoUring.ensureAvailable();
		int serverNumber = SERVER_COUNT.incrementAndGet();
		try {
			// One after the other: the first loop binds port 0 to a real port that the others then share.
			for (int i = 0; i < this.settings.eventLoops(); i++) {
				String name = "iouring-" + ((serverNumber > 1) ? serverNumber + "-" : "") + "loop-" + i;
				EventLoop loop = new EventLoop(i, this.settings, this.listeners, name);
				loop.start();
				this.loops.add(loop);
			}
		}
		catch (RuntimeException ex) {
			stopLoops();
			this.loops.clear();
			throw ex;
		}
		this.running = true;
		logger.info("TCP server started on transport io_uring: {} event loop(s), ring {}/{} ({}), {} x {} B buffers per loop, listeners {}",
				this.loops.size(), this.loops.getFirst().stats().sqEntries(), this.loops.getFirst().stats().cqEntries(),
				this.loops.getFirst().stats().setupFlags(), this.settings.bufferCount(), this.settings.bufferSize(),
				ports());
	}

	/**
	 * Returns the bound port of the first listener.
	 * @return the port, or -1 when not started
	 */
	@Override
	public int port() {
		return port(this.listeners[0].name());
	}

	/**
	 * Returns the bound port of a listener (useful with port 0).
	 * @param listenerName the listener name
	 * @return the port, or -1 when not started
	 */
	@Override
	public int port(String listenerName) {
		for (ListenerRuntime listener : this.listeners) {
			if (listener.name().equals(listenerName)) {
				return this.running ? listener.boundPort : -1;
			}
		}
		throw new IllegalArgumentException("no listener named '" + listenerName + "'");
	}

	/**
	 * Returns every listener's bound port, by listener name, in configuration order.
	 * @return the ports (-1 when not started)
	 */
	@Override
	public Map<String, Integer> ports() {
		Map<String, Integer> ports = new LinkedHashMap<>();
		for (ListenerRuntime listener : this.listeners) {
			ports.put(listener.name(), this.running ? listener.boundPort : -1);
		}
		return ports;
	}

	/**
	 * Returns whether the server was started and not stopped.
	 * @return whether it runs
	 */
	@Override
	public boolean isRunning() {
		return this.running;
	}

	/**
	 * Returns whether a graceful shutdown is under way.
	 * @return whether the server is draining
	 */
	@Override
	public boolean isDraining() {
		return this.draining;
	}

	/**
	 * Returns the number of open connections across loops and listeners.
	 * @return the connection count
	 */
	@Override
	public int activeConnections() {
		int total = 0;
		for (EventLoop loop : this.loops) {
			total += loop.connectionCount();
		}
		return total;
	}

	/**
	 * Returns the bytes queued for sending across every connection (asks each loop; not for hot paths).
	 * @return queued bytes
	 */
	@Override
	public long queuedBytes() {
		long total = 0;
		for (EventLoop loop : this.loops) {
			total += loop.queuedBytes();
		}
		return total;
	}

	/**
	 * Returns each loop's ring statistics.
	 * @return one entry per loop
	 */
	@Override
	public List<LoopStats> loopStats() {
		return this.loops.stream().map(EventLoop::stats).toList();
	}

	/**
	 * Returns each loop's statistics per listener.
	 * @return one entry per loop and listener
	 */
	@Override
	public List<ListenerStats> listenerStats() {
		return this.loops.stream().flatMap((loop) -> java.util.Arrays.stream(loop.listenerStats())).toList();
	}

	/**
	 * Returns the failure of the first event loop that died, if any.
	 * @return the failure, or {@code null} while every loop is healthy
	 */
	@Override
	public @Nullable Throwable loopFailure() {
		for (EventLoop loop : this.loops) {
			Throwable failure = loop.failure();
			if (failure != null) {
				return failure;
			}
		}
		return null;
	}

	/**
	 * Stops accepting, stops reading, and closes each connection once its pending writes are sent. Runs
	 * asynchronously; {@code onDrained} runs (on an event-loop thread) once no connection is left.
	 * @param onDrained called when every connection has closed
	 */
	@Override
	public void shutDownGracefully(Runnable onDrained) {
		if (!this.running || this.loops.isEmpty()) {
			onDrained.run();
			return;
		}
		this.draining = true;
		AtomicInteger remaining = new AtomicInteger(this.loops.size());
		logger.info("io_uring server draining {} connection(s)", activeConnections());
		for (EventLoop loop : this.loops) {
			loop.drain(() -> {
				if (remaining.decrementAndGet() == 0) {
					logger.info("io_uring server drained");
					onDrained.run();
				}
			});
		}
	}

	/**
	 * Closes every connection and listener at once, joins the loops and frees all native resources.
	 * Idempotent.
	 */
	@Override
	public synchronized void stop() {
		if (this.loops.isEmpty()) {
			return;
		}
		this.running = false;
		stopLoops();
		this.draining = false;
		logger.info("io_uring server stopped");
	}

	private void stopLoops() {
		for (EventLoop loop : this.loops) {
			loop.stop();
		}
		for (EventLoop loop : this.loops) {
			if (!loop.awaitTermination(JOIN_MILLIS)) {
				logger.warn("io_uring event loop did not stop within {} ms", JOIN_MILLIS);
			}
		}
	}

}
