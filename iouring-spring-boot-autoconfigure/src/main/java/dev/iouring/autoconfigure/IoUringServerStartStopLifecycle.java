package dev.iouring.autoconfigure;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.context.ApplicationContext;
import org.springframework.context.SmartLifecycle;

import dev.iouring.server.TcpServer;

/**
 * Starts the {@link TcpServer} when the application context starts, announces it with an
 * {@link IoUringServerInitializedEvent}, and stops it when the context stops.
 *
 * <p>Its phase is below the {@link IoUringServerGracefulShutdownLifecycle graceful shutdown} one, as with
 * Boot's embedded web servers: on the way down the drain runs first, then this hard stop closes whatever
 * is left and frees every ring. A bind failure thrown from {@link #start()} fails the context refresh. If
 * the server later fails as a whole (an event loop died of a fatal error), {@link LivenessState#BROKEN} is
 * published, with a {@link ServerFailure} as the event's source.
 */
final class IoUringServerStartStopLifecycle implements SmartLifecycle {

	/** Starts after, and stops after, everything in the graceful shutdown phase. */
	static final int PHASE = IoUringServerGracefulShutdownLifecycle.PHASE - 1024;

	private final TcpServer server;

	private final ApplicationContext applicationContext;

	private volatile boolean running;

	IoUringServerStartStopLifecycle(TcpServer server, ApplicationContext applicationContext) {
		this.server = server;
		this.applicationContext = applicationContext;
	}

	@Override
	public void start() {
		// A server whose loop died cannot serve: say so to Boot's availability state (liveness probes then
		// restart the process) as well as through health.
		this.server.onFailure((failure) -> AvailabilityChangeEvent.publish(this.applicationContext,
				new ServerFailure(failure), LivenessState.BROKEN));
		this.server.start();
		this.running = true;
		this.applicationContext.publishEvent(new IoUringServerInitializedEvent(this.server, this.applicationContext));
	}

	@Override
	public void stop() {
		this.running = false;
		this.server.stop();
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

	/**
	 * The source of the broken-liveness event published when the server fails.
	 * @param cause why the server failed
	 */
	record ServerFailure(Throwable cause) {
	}

	/**
	 * Pausing a context must not close the server's sockets: clients would see refused connections, and
	 * a resumed context would come back on other ports when they were chosen by the system.
	 */
	@Override
	public boolean isPauseable() {
		return false;
	}

}
