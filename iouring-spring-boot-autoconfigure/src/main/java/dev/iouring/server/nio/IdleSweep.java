package dev.iouring.server.nio;

import java.util.concurrent.TimeUnit;

import dev.iouring.server.ListenerRuntime;

/**
 * When a loop looks for idle connections, and which ones are. A sweep over the loop's connections runs
 * every quarter of the shortest idle timeout among the listeners (kept between 10 ms and 1 s), so a
 * connection closes between its timeout and 1.25 times it. A sweep costs nothing per message, where a
 * timer would be reset on every read.
 *
 * <p>Threads: the owning loop only.
 */
final class IdleSweep {

	private static final long MIN_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

	private static final long MAX_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

	/** Idle timeout of each listener by index, in nanoseconds; 0 for none. */
	private final long[] timeouts;

	/** Time between sweeps; 0 when no listener has an idle timeout. */
	private final long interval;

	private long nextSweep;

	IdleSweep(ListenerRuntime[] listeners) {
		this.timeouts = new long[listeners.length];
		long shortest = Long.MAX_VALUE;
		for (ListenerRuntime listener : listeners) {
			long timeout = listener.settings().idleTimeout().toNanos();
			this.timeouts[listener.index()] = timeout;
			if (timeout > 0) {
				shortest = Math.min(shortest, timeout);
			}
		}
		this.interval = (shortest == Long.MAX_VALUE) ? 0
				: Math.clamp(shortest / 4, MIN_INTERVAL_NANOS, MAX_INTERVAL_NANOS);
		this.nextSweep = System.nanoTime() + this.interval;
	}

	/**
	 * Returns whether a sweep is due, and if so schedules the next one.
	 * @param now the loop's clock
	 * @return whether to sweep now
	 */
	boolean isDue(long now) {
		if (this.interval == 0 || now - this.nextSweep < 0) {
			return false;
		}
		this.nextSweep = now + this.interval;
		return true;
	}

	/**
	 * Returns how long until the next sweep.
	 * @param now the loop's clock
	 * @return nanoseconds, or -1 when there are no sweeps
	 */
	long nanosUntilDue(long now) {
		return (this.interval == 0) ? -1 : Math.max(0, this.nextSweep - now);
	}

	/**
	 * Returns whether a connection has been idle for longer than its listener allows.
	 * @param listener the listener's index
	 * @param lastActive the connection's last read or write
	 * @param now the loop's clock
	 * @return whether to close it
	 */
	boolean isIdle(int listener, long lastActive, long now) {
		long timeout = this.timeouts[listener];
		return timeout > 0 && now - lastActive > timeout;
	}

}
