package dev.iouring.server;

import java.util.ArrayList;
import java.util.List;


/**
 * A TCP server on NIO selectors, the fallback where io_uring cannot be used: one selector thread per
 * configured event loop, serving the same handlers, codecs, limits and statistics as the io_uring
 * transport.
 *
 * <p>Accepting: with {@code SO_REUSEPORT} every loop listens on each listener's port with its own channel
 * and the kernel spreads connections over them; without it the first loop alone listens and hands the
 * connections it accepts to every loop in turn. A Unix listener's socket is bound once, by the loop
 * that starts last, which hands its connections to every loop in turn. The JDK cannot bind a name in
 * Linux's abstract namespace, so a {@code unix:@name} listener fails {@link #start()}.
 *
 * <p>Settings that describe a ring ({@link ServerSettings#ring()}, {@link ServerSettings#bufferCount()})
 * mean nothing here; {@link ServerSettings#bufferSize()} is the size of each loop's read buffer, and the
 * ring figures of {@link #loopStats()} stay zero.
 *
 * <p>Life cycle as {@link TcpServer} says; the statistics objects outlive {@link #stop()}, so meters bound
 * to them keep reading final values.
 */
final class NioServer extends LoopedTcpServer<NioEventLoop> {

	private final boolean reusePort;

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
		super(settings);
		this.reusePort = reusePort;
	}

	@Override
	public String transport() {
		return "nio";
	}

	/**
	 * Creates every loop, wires accepting, then starts them in order: the first loop binds port 0 to a
	 * real port that the others then share. Without SO_REUSEPORT the first loop, the only acceptor,
	 * starts last so that every loop it hands to runs.
	 */
	@Override
	protected void startLoops(String threadPrefix, ListenerRuntime[] listeners, List<NioEventLoop> loops) {
		for (ListenerRuntime listener : listeners) {
			UnixSocket unix = listener.settings().unixSocket();
			if (unix != null && unix.abstractNamespace()) {
				throw new IllegalStateException("NIO listener '" + listener.name() + "' cannot bind " + unix
						+ ": the JDK's Unix domain sockets have no abstract namespace. Use a path (unix:/run/app.sock),"
						+ " or the io_uring transport, which binds abstract names");
			}
		}
		for (int i = 0; i < settings().eventLoops(); i++) {
			loops.add(watched(new NioEventLoop(i, settings(), listeners, threadPrefix + i)));
		}
		if (this.reusePort) {
			loops.forEach((loop) -> loop.acceptFor(List.of(loop)));
		}
		else {
			loops.getFirst().acceptFor(loops);
		}
		List<NioEventLoop> order = new ArrayList<>(loops);
		if (!this.reusePort) {
			order.addLast(order.removeFirst());
		}
		// The loop that starts last accepts on the Unix listeners: every loop it hands to runs by then.
		order.getLast().acceptUnixFor(loops);
		for (NioEventLoop loop : order) {
			loop.start();
		}
	}

	@Override
	protected int listeningSocketsPerListener() {
		return this.reusePort ? settings().eventLoops() : 1;
	}

	@Override
	protected String describe(List<NioEventLoop> loops) {
		return (this.reusePort ? "SO_REUSEPORT on every loop" : "one accepting loop") + ", "
				+ settings().bufferSize() + " B read buffer per loop";
	}

	/**
	 * Stops the first loop before the others: without SO_REUSEPORT it is the one that hands connections
	 * over, and once it has stopped no connection can reach a loop that has already closed everything.
	 */
	@Override
	protected void stopLoops(List<NioEventLoop> loops) {
		if (loops.isEmpty()) {
			return;
		}
		NioEventLoop first = loops.getFirst();
		first.stop();
		awaitTermination(List.of(first));
		List<NioEventLoop> others = loops.subList(1, loops.size());
		others.forEach(NioEventLoop::stop);
		awaitTermination(others);
	}

}
