package dev.iouring.autoconfigure;

import org.springframework.context.SmartLifecycle;

import dev.iouring.autoconfigure.IoUringProperties.Shutdown;
import dev.iouring.server.TcpServer;

/**
 * Turns the context's stop into a graceful drain of the {@link TcpServer}: the server stops accepting
 * and reading, each connection closes once its pending writes are sent, and the lifecycle processor is
 * called back when none is left. The processor waits at most
 * {@code spring.lifecycle.timeout-per-shutdown-phase}; after that the
 * {@link IoUringServerStartStopLifecycle hard stop} closes the connections still open.
 *
 * <p>With {@code iouring.server.shutdown=immediate} the drain is skipped.
 */
final class IoUringServerGracefulShutdownLifecycle implements SmartLifecycle {

	/** The phase of Boot's web server graceful shutdown, so co-located servers drain together. */
	static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 1024;

	private final TcpServer server;

	private final Shutdown shutdown;

	private volatile boolean running;

	IoUringServerGracefulShutdownLifecycle(TcpServer server, Shutdown shutdown) {
		this.server = server;
		this.shutdown = shutdown;
	}

	@Override
	public void start() {
		this.running = true;
	}

	@Override
	public void stop() {
		throw new UnsupportedOperationException("Stop must not be invoked directly");
	}

	@Override
	public void stop(Runnable callback) {
		this.running = false;
		if (this.shutdown == Shutdown.GRACEFUL) {
			this.server.shutDownGracefully(callback);
		}
		else {
			callback.run();
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

	@Override
	public boolean isPauseable() {
		return false;
	}

}
