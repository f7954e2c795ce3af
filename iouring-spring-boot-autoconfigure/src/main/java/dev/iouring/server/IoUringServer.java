package dev.iouring.server;

import java.util.List;

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
public final class IoUringServer extends LoopedTcpServer<UringEventLoop> {

	/**
	 * Creates a server; nothing is opened until {@link #start()}.
	 * @param settings the server settings
	 */
	public IoUringServer(ServerSettings settings) {
		super(settings);
	}

	@Override
	public String transport() {
		return "io_uring";
	}

	/**
	 * Starts the loops one after the other: the first binds port 0 to a real port that the others then
	 * share through SO_REUSEPORT.
	 * @throws dev.iouring.ring.IoUringUnavailableException if io_uring cannot be used here
	 */
	@Override
	protected void startLoops(String threadPrefix, ListenerRuntime[] listeners, List<UringEventLoop> loops) {
		IoUring.ensureAvailable();
		for (int i = 0; i < settings().eventLoops(); i++) {
			UringEventLoop loop = watched(new UringEventLoop(i, settings(), listeners, threadPrefix + i));
			loops.add(loop);
			loop.start();
		}
	}

	@Override
	protected int listeningSocketsPerListener() {
		return settings().eventLoops();
	}

	@Override
	protected String describe(List<UringEventLoop> loops) {
		LoopStats first = loops.getFirst().stats();
		return "ring " + first.sqEntries() + "/" + first.cqEntries() + " (" + first.setupFlags() + "), "
				+ settings().bufferCount() + " x " + settings().bufferSize() + " B buffers per loop";
	}

}
