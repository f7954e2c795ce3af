package dev.iouring.server;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The part of a {@link TcpServer} that does not depend on the transport: listeners and their ports,
 * starting and stopping a group of {@link ServerLoop}s, the graceful drain across them, and the
 * statistics they keep. A transport says how its loops are created and started ({@link #startLoops})
 * and, if it must, in which order they stop ({@link #stopLoops}).
 *
 * @param <L> the transport's loop type
 */
abstract class LoopedTcpServer<L extends ServerLoop> implements TcpServer {

	private static final Logger logger = LoggerFactory.getLogger(LoopedTcpServer.class);

	/** Numbers servers in thread names when a JVM runs several. */
	private static final AtomicInteger SERVER_COUNT = new AtomicInteger();

	/** How long stop() waits for each loop to finish closing. */
	private static final long JOIN_MILLIS = 15_000;

	private final ServerSettings settings;

	private final ListenerRuntime[] listeners;

	private final List<L> loops = new ArrayList<>();

	private volatile boolean running;

	private volatile boolean draining;

	private final List<Consumer<Throwable>> failureListeners = new CopyOnWriteArrayList<>();

	private final AtomicBoolean failed = new AtomicBoolean();

	/**
	 * Creates a server; nothing is opened until {@link #start()}.
	 * @param settings the server settings
	 */
	protected LoopedTcpServer(ServerSettings settings) {
		this.settings = settings;
		this.listeners = new ListenerRuntime[settings.listeners().size()];
		for (int i = 0; i < this.listeners.length; i++) {
			this.listeners[i] = new ListenerRuntime(i, settings.listeners().get(i));
		}
	}

	/**
	 * Creates and starts the loops, adding each to {@code loops} as soon as it exists, so that a failure
	 * part-way stops exactly those.
	 * @param threadPrefix the prefix of the loop thread names, e.g. {@code iouring-loop-} or
	 * {@code iouring-2-loop-} for a JVM's second server
	 * @param listeners the listeners, shared by every loop
	 * @param loops where to add the loops, in index order
	 */
	protected abstract void startLoops(String threadPrefix, ListenerRuntime[] listeners, List<L> loops);

	/**
	 * Makes the server watch a loop before it starts: if the loop fails, the whole server fails with it.
	 * Transports call this for every loop they create, before starting it.
	 * @param loop the new loop
	 * @return the loop
	 */
	protected final L watched(L loop) {
		loop.onFailure(this::loopFailed);
		return loop;
	}

	/**
	 * A loop died (of a fatal error: everything else is contained to its connection). A server with a
	 * dead loop cannot be trusted to serve half its clients, so every other loop is stopped too: all
	 * listeners close, clients are refused rather than left hanging, health reports the failure, and
	 * the listeners (Spring publishes a broken liveness state) are told. Runs on the failed loop's thread.
	 */
	private void loopFailed(Throwable failure) {
		if (!this.failed.compareAndSet(false, true)) {
			return;
		}
		// Indexed loops: this may run right after an OutOfMemoryError, so it allocates nothing.
		for (int i = 0; i < this.loops.size(); i++) {
			this.loops.get(i).stop();
		}
		for (Consumer<Throwable> listener : this.failureListeners) {
			try {
				listener.accept(failure);
			}
			catch (Throwable ex) {
				Failures.rethrowIfFatal(ex);
				logger.warn("A server failure listener failed", ex);
			}
		}
	}

	@Override
	public final void onFailure(Consumer<Throwable> listener) {
		this.failureListeners.add(listener);
	}

	/**
	 * Returns how many listening sockets the started loops hold per listener, which the port-ownership
	 * check compares with the sockets it finds listening on the port.
	 * @return the count, e.g. one per loop when every loop listens
	 */
	protected abstract int listeningSocketsPerListener();

	/**
	 * Returns what the startup log line says about this transport after the loop count.
	 * @param loops the started loops
	 * @return e.g. ring sizes and flags
	 */
	protected abstract String describe(List<L> loops);

	/**
	 * Stops the loops and waits for them; stops all, then waits for all. Transports whose loops depend
	 * on each other override the order.
	 * @param loops the loops to stop
	 */
	protected void stopLoops(List<L> loops) {
		loops.forEach(ServerLoop::stop);
		awaitTermination(loops);
	}

	/**
	 * Waits for loops to end, logging any that does not within the join time.
	 * @param loops the loops
	 */
	protected final void awaitTermination(List<L> loops) {
		for (L loop : loops) {
			if (!loop.awaitTermination(JOIN_MILLIS)) {
				logger.warn("A {} event loop did not stop within {} ms", transport(), JOIN_MILLIS);
			}
		}
	}

	@Override
	public final ServerSettings settings() {
		return this.settings;
	}

	@Override
	public final synchronized void start() {
		if (this.running || !this.loops.isEmpty()) {
			return;
		}
		// The loops' sockets share each port through SO_REUSEPORT, which would let another server's sockets
		// share it silently: see PortOwnership for the checks on both sides of binding.
		PortOwnership.probe(this.listeners);
		UnixSocketFile.clearStale(this.listeners);
		int number = SERVER_COUNT.incrementAndGet();
		String prefix = "iouring-" + (transport().equals("nio") ? "nio-" : "") + ((number > 1) ? number + "-" : "")
				+ "loop-";
		try {
			startLoops(prefix, this.listeners, this.loops);
			PortOwnership.verify(this.listeners, listeningSocketsPerListener());
		}
		catch (RuntimeException ex) {
			stopLoops(List.copyOf(this.loops));
			this.loops.clear();
			UnixSocketFile.removeAll(this.listeners);
			throw ex;
		}
		this.running = true;
		logger.info("TCP server started on transport {}: {} event loop(s), {}, listeners {}", transport(),
				this.loops.size(), describe(this.loops), endpoints());
	}

	@Override
	public final int port() {
		return port(this.listeners[0].name());
	}

	@Override
	public final int port(String listenerName) {
		for (ListenerRuntime listener : this.listeners) {
			if (listener.name().equals(listenerName)) {
				return this.running ? listener.boundPort() : -1;
			}
		}
		throw new IllegalArgumentException("no listener named '" + listenerName + "'");
	}

	@Override
	public final Map<String, Integer> ports() {
		Map<String, Integer> ports = new LinkedHashMap<>();
		for (ListenerRuntime listener : this.listeners) {
			ports.put(listener.name(), this.running ? listener.boundPort() : -1);
		}
		return ports;
	}

	@Override
	public final boolean isRunning() {
		return this.running;
	}

	@Override
	public final boolean isDraining() {
		return this.draining;
	}

	@Override
	public final int activeConnections() {
		return this.loops.stream().mapToInt(ServerLoop::connectionCount).sum();
	}

	@Override
	public final long queuedBytes() {
		return this.loops.stream().mapToLong(ServerLoop::queuedBytes).sum();
	}

	@Override
	public final List<LoopStats> loopStats() {
		return this.loops.stream().map(ServerLoop::stats).toList();
	}

	@Override
	public final List<ListenerStats> listenerStats() {
		return this.loops.stream().flatMap((loop) -> Arrays.stream(loop.listenerStats())).toList();
	}

	@Override
	public final @Nullable Throwable loopFailure() {
		for (L loop : this.loops) {
			Throwable failure = loop.failure();
			if (failure != null) {
				return failure;
			}
		}
		return null;
	}

	@Override
	public final void shutDownGracefully(Runnable onDrained) {
		if (!this.running || this.loops.isEmpty()) {
			onDrained.run();
			return;
		}
		this.draining = true;
		AtomicInteger remaining = new AtomicInteger(this.loops.size());
		logger.info("TCP server ({}) draining {} connection(s)", transport(), activeConnections());
		for (L loop : this.loops) {
			loop.drain(() -> {
				if (remaining.decrementAndGet() == 0) {
					logger.info("TCP server ({}) drained", transport());
					onDrained.run();
				}
			});
		}
	}

	@Override
	public final synchronized void stop() {
		if (this.loops.isEmpty()) {
			return;
		}
		this.running = false;
		stopLoops(List.copyOf(this.loops));
		UnixSocketFile.removeAll(this.listeners);
		this.draining = false;
		logger.info("TCP server ({}) stopped", transport());
	}

}
