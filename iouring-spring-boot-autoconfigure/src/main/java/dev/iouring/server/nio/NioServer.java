package dev.iouring.server.nio;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.iouring.server.ListenerRuntime;
import dev.iouring.server.ListenerStats;
import dev.iouring.server.LoopStats;
import dev.iouring.server.PortInUseException;
import dev.iouring.server.ServerSettings;
import dev.iouring.server.TcpServer;

/**
 * A TCP server on NIO selectors, the fallback where io_uring cannot be used: one selector thread per
 * configured event loop, serving the same handlers, codecs, limits and statistics as the io_uring
 * transport.
 *
 * <p>Accepting: with {@code SO_REUSEPORT} every loop listens on each listener's port with its own channel
 * and the kernel spreads connections over them; without it the first loop alone listens and hands the
 * connections it accepts to every loop in turn.
 *
 * <p>Settings that describe a ring ({@link ServerSettings#ring()}, {@link ServerSettings#bufferCount()})
 * mean nothing here; {@link ServerSettings#bufferSize()} is the size of each loop's read buffer, and the
 * ring figures of {@link #loopStats()} stay zero.
 *
 * <p>Life cycle as {@link TcpServer} says; the statistics objects outlive {@link #stop()}, so meters bound
 * to them keep reading final values.
 */
public final class NioServer implements TcpServer {

	private static final Logger logger = LoggerFactory.getLogger(NioServer.class);

	private static final AtomicInteger SERVER_COUNT = new AtomicInteger();

	/** How long stop() waits for each loop to finish closing. */
	private static final long JOIN_MILLIS = 15_000;

	private final ServerSettings settings;

	private final ListenerRuntime[] listeners;

	private final boolean reusePort;

	private final List<NioEventLoop> loops = new ArrayList<>();

	private volatile boolean running;

	private volatile boolean draining;

	/**
	 * Creates a server; nothing is opened until {@link #start()}.
	 * @param settings the server settings
	 */
	public NioServer(ServerSettings settings) {
		this(settings, ListenerChannels.reusePortSupported());
	}

	/**
	 * Creates a server that shares ports between loops with {@code SO_REUSEPORT} or not, so that tests can
	 * run the single-acceptor way on platforms that have the option.
	 */
	NioServer(ServerSettings settings, boolean reusePort) {
		this.settings = settings;
		this.reusePort = reusePort;
		this.listeners = new ListenerRuntime[settings.listeners().size()];
		for (int i = 0; i < this.listeners.length; i++) {
			this.listeners[i] = new ListenerRuntime(i, settings.listeners().get(i));
		}
	}

	@Override
	public String transport() {
		return "nio";
	}

	@Override
	public ServerSettings settings() {
		return this.settings;
	}

	/**
	 * Binds every listener and starts the selector loops; returns once all of them serve.
	 * @throws PortInUseException if a listener's port is taken
	 */
	@Override
	public synchronized void start() {
		if (this.running || !this.loops.isEmpty()) {
			return;
		}
		int serverNumber = SERVER_COUNT.incrementAndGet();
		for (int i = 0; i < this.settings.eventLoops(); i++) {
			String name = "iouring-nio-" + ((serverNumber > 1) ? serverNumber + "-" : "") + "loop-" + i;
			this.loops.add(new NioEventLoop(i, this.settings, this.listeners, name));
		}
		if (this.reusePort) {
			this.loops.forEach((loop) -> loop.acceptFor(List.of(loop)));
		}
		else {
			this.loops.getFirst().acceptFor(this.loops);
		}
		try {
			// In order: the first loop binds port 0 to a real port that the others then share. Without
			// SO_REUSEPORT the first loop, the only acceptor, starts last so that every loop it hands to runs.
			List<NioEventLoop> order = new ArrayList<>(this.loops);
			if (!this.reusePort) {
				order.addLast(order.removeFirst());
			}
			for (NioEventLoop loop : order) {
				loop.start();
			}
		}
		catch (RuntimeException ex) {
			stopLoops();
			this.loops.clear();
			throw ex;
		}
		this.running = true;
		logger.info("NIO server started: {} event loop(s), {}, {} B read buffer per loop, listeners {}",
				this.loops.size(), this.reusePort ? "SO_REUSEPORT on every loop" : "one accepting loop",
				this.settings.bufferSize(), ports());
	}

	@Override
	public int port() {
		return port(this.listeners[0].name());
	}

	@Override
	public int port(String listenerName) {
		for (ListenerRuntime listener : this.listeners) {
			if (listener.name().equals(listenerName)) {
				return this.running ? listener.boundPort() : -1;
			}
		}
		throw new IllegalArgumentException("no listener named '" + listenerName + "'");
	}

	@Override
	public Map<String, Integer> ports() {
		Map<String, Integer> ports = new LinkedHashMap<>();
		for (ListenerRuntime listener : this.listeners) {
			ports.put(listener.name(), port(listener.name()));
		}
		return ports;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public boolean isDraining() {
		return this.draining;
	}

	@Override
	public int activeConnections() {
		return this.loops.stream().mapToInt(NioEventLoop::connectionCount).sum();
	}

	@Override
	public long queuedBytes() {
		return this.loops.stream().mapToLong(NioEventLoop::queuedBytes).sum();
	}

	@Override
	public List<LoopStats> loopStats() {
		return this.loops.stream().map(NioEventLoop::stats).toList();
	}

	@Override
	public List<ListenerStats> listenerStats() {
		return this.loops.stream().flatMap((loop) -> Arrays.stream(loop.listenerStats())).toList();
	}

	@Override
	public @Nullable Throwable loopFailure() {
		for (NioEventLoop loop : this.loops) {
			Throwable failure = loop.failure();
			if (failure != null) {
				return failure;
			}
		}
		return null;
	}

	/**
	 * Stops accepting and reading, and closes each connection once its queued bytes are sent; runs
	 * {@code onDrained} (on a loop thread) once no connection is left.
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
		logger.info("NIO server draining {} connection(s)", activeConnections());
		for (NioEventLoop loop : this.loops) {
			loop.drain(() -> {
				if (remaining.decrementAndGet() == 0) {
					logger.info("NIO server drained");
					onDrained.run();
				}
			});
		}
	}

	/**
	 * Closes every connection and listener at once, joins the loops and frees their selectors and
	 * buffers. Idempotent.
	 */
	@Override
	public synchronized void stop() {
		if (this.loops.isEmpty()) {
			return;
		}
		this.running = false;
		stopLoops();
		this.draining = false;
		logger.info("NIO server stopped");
	}

	/**
	 * Stops the first loop before the others: without SO_REUSEPORT it is the one that hands connections
	 * over, and once it has stopped no connection can reach a loop that has already closed everything.
	 */
	private void stopLoops() {
		NioEventLoop first = this.loops.getFirst();
		first.stop();
		awaitAll(List.of(first));
		List<NioEventLoop> others = this.loops.subList(1, this.loops.size());
		others.forEach(NioEventLoop::stop);
		awaitAll(others);
	}

	private static void awaitAll(List<NioEventLoop> loops) {
		for (NioEventLoop loop : loops) {
			if (!loop.awaitTermination(JOIN_MILLIS)) {
				logger.warn("NIO event loop did not stop within {} ms", JOIN_MILLIS);
			}
		}
	}

}
