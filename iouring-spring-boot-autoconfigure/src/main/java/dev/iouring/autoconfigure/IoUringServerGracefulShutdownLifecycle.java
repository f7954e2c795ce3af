package dev.iouring.autoconfigure;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationContext;
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
 * <p>Before anything closes, {@link ReadinessState#REFUSING_TRAFFIC} is published, so a readiness probe
 * (or a load balancer watching it) stops sending new clients while the listeners still accept: a client
 * that was routed here a moment earlier is still served, not refused. A web application context has
 * published that state already, when its close began (Boot's servlet and reactive contexts do so before
 * any lifecycle stops); it is then not published twice. A plain application context publishes nothing of
 * its own, so this is what turns readiness off for a server without a web server.
 *
 * <p>With {@code iouring.server.shutdown=immediate} the drain is skipped; readiness is still turned off
 * first.
 */
final class IoUringServerGracefulShutdownLifecycle implements SmartLifecycle {

	/** The phase of Boot's web server graceful shutdown, so co-located servers drain together. */
	static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 1024;

	private final TcpServer server;

	private final Shutdown shutdown;

	private final ApplicationContext applicationContext;

	private final ObjectProvider<ApplicationAvailability> availability;

	private volatile boolean running;

	IoUringServerGracefulShutdownLifecycle(TcpServer server, Shutdown shutdown, ApplicationContext applicationContext) {
		this.server = server;
		this.shutdown = shutdown;
		this.applicationContext = applicationContext;
		this.availability = applicationContext.getBeanProvider(ApplicationAvailability.class);
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
		refuseTraffic();
		if (this.shutdown == Shutdown.GRACEFUL) {
			this.server.shutDownGracefully(callback);
		}
		else {
			callback.run();
		}
	}

	/**
	 * Publishes the refusal unless the last readiness change already was one. (Before any change Boot
	 * reports REFUSING_TRAFFIC as a default, which is no reason to stay silent.)
	 */
	private void refuseTraffic() {
		@Nullable ApplicationAvailability availability = this.availability.getIfAvailable();
		@Nullable AvailabilityChangeEvent<ReadinessState> last = (availability != null)
				? availability.getLastChangeEvent(ReadinessState.class) : null;
		if (last == null || last.getState() != ReadinessState.REFUSING_TRAFFIC) {
			AvailabilityChangeEvent.publish(this.applicationContext, this.server, ReadinessState.REFUSING_TRAFFIC);
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
