package dev.iouring.server;

import org.slf4j.Logger;

/**
 * A log that says at most a few things per interval, so a flood of bad peers cannot turn into a flood
 * of log lines (a reset costs the attacker one packet; a stack trace costs us kilobytes). What it holds
 * back is counted and reported in one line when the next interval opens.
 *
 * <p>Threads: any; the error paths that use it are rare, so it simply synchronizes.
 */
final class RateLimitedLog {

	/** Messages per interval; enough to see what happens, too few to fill a disk. */
	static final int DEFAULT_LIMIT = 10;

	/** The interval, in nanoseconds: ten seconds. */
	static final long DEFAULT_INTERVAL_NANOS = 10_000_000_000L;

	private final Logger logger;

	private final int limit;

	private final long intervalNanos;

	private long windowStart = System.nanoTime();

	private int logged;

	private long suppressed;

	/**
	 * Creates a log that writes at most {@value #DEFAULT_LIMIT} lines every ten seconds.
	 * @param logger where the lines go
	 */
	public RateLimitedLog(Logger logger) {
		this(logger, DEFAULT_LIMIT, DEFAULT_INTERVAL_NANOS);
	}

	RateLimitedLog(Logger logger, int limit, long intervalNanos) {
		this.logger = logger;
		this.limit = limit;
		this.intervalNanos = intervalNanos;
	}

	/**
	 * Logs at WARN if this interval still has room; a trailing {@link Throwable} argument is printed with
	 * its stack trace, as SLF4J does.
	 * @param format the SLF4J message format
	 * @param arguments its arguments
	 */
	public void warn(String format, Object... arguments) {
		if (permit()) {
			this.logger.warn(format, arguments);
		}
	}

	/**
	 * Logs at INFO if this interval still has room.
	 * @param format the SLF4J message format
	 * @param arguments its arguments
	 */
	public void info(String format, Object... arguments) {
		if (permit()) {
			this.logger.info(format, arguments);
		}
	}

	/**
	 * Returns the number of lines held back since the last summary (for tests).
	 * @return the count
	 */
	synchronized long suppressed() {
		return this.suppressed;
	}

	private synchronized boolean permit() {
		long now = System.nanoTime();
		if (now - this.windowStart >= this.intervalNanos) {
			if (this.suppressed > 0) {
				this.logger.warn("{} similar log line(s) suppressed in the last {} s", this.suppressed,
						(now - this.windowStart) / 1_000_000_000L);
			}
			this.windowStart = now;
			this.logged = 0;
			this.suppressed = 0;
		}
		if (this.logged < this.limit) {
			this.logged++;
			return true;
		}
		this.suppressed++;
		return false;
	}

}
