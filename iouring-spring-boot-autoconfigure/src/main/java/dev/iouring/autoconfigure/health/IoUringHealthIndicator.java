package dev.iouring.autoconfigure.health;

import java.util.List;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

import dev.iouring.server.LoopStats;
import dev.iouring.server.TcpServer;

/**
 * Health of a {@link TcpServer}, on any transport:
 * <ul>
 * <li>{@code DOWN} with the cause when an event loop died (its connections are gone and its share of
 * new connections is not served);</li>
 * <li>{@code OUT_OF_SERVICE} while the server drains for a graceful shutdown, and when it is not
 * running (not started yet, or stopped): it serves nobody, but nothing is broken;</li>
 * <li>{@code UP} otherwise.</li>
 * </ul>
 * Details: transport, listener ports, loop count and the setup flags the kernel granted each ring. They
 * never carry per-connection data.
 */
public class IoUringHealthIndicator extends AbstractHealthIndicator {

	private final TcpServer server;

	/**
	 * Creates the indicator.
	 * @param server the server to report on
	 */
	public IoUringHealthIndicator(TcpServer server) {
		super("io_uring server health check failed");
		this.server = server;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		Throwable failure = this.server.loopFailure();
		if (failure != null) {
			// Not down(failure): the loop logged the stack trace when it died; each probe need not log it again.
			builder.down().withDetail("error", failure.getClass().getName() + ": " + failure.getMessage());
		}
		else if (this.server.isDraining()) {
			builder.outOfService();
		}
		else if (this.server.isRunning()) {
			builder.up();
		}
		else {
			builder.outOfService();
		}
		List<LoopStats> loops = this.server.loopStats();
		builder.withDetail("transport", this.server.transport())
			.withDetail("running", this.server.isRunning())
			.withDetail("draining", this.server.isDraining())
			.withDetail("listeners", this.server.endpoints())
			.withDetail("loops", loops.size())
			.withDetail("setupFlags", loops.isEmpty() ? List.of() : loops.getFirst().setupFlagNames());
	}

}
