package dev.iouring.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a loop says and counts when one connection goes wrong: a failure while serving it, or a write
 * past the write limit. Either ends only that connection (the transport closes it); a fatal error is
 * thrown on, to end the loop. Lines are logged at a bounded rate, so a flood of bad peers cannot become
 * a flood of log lines.
 *
 * <p>Threads: the owning loop, and the virtual-thread lanes of its connections for {@link #log()}.
 */
final class ConnectionFaults {

	private static final Logger logger = LoggerFactory.getLogger(AbstractServerLoop.class);

	private final String transport;

	private final int loop;

	private final LoopStats stats;

	private final long writeLimit;

	private final RateLimitedLog log = new RateLimitedLog(logger);

	ConnectionFaults(String transport, int loop, LoopStats stats, long writeLimit) {
		this.transport = transport;
		this.loop = loop;
		this.stats = stats;
		this.writeLimit = writeLimit;
	}

	/**
	 * Returns the loop's rate-limited log for connection trouble.
	 * @return the log
	 */
	public RateLimitedLog log() {
		return this.log;
	}

	/**
	 * Handles a failure while serving one connection, before the transport closes it: a fatal one is
	 * thrown again (it ends the loop); one the peer caused (a reset, a socket no longer connected) is only
	 * logged at debug level; the rest are counted in the errors meter and logged with their stack trace.
	 * @param connection the connection, for the log line
	 * @param op what was being done, e.g. {@code recv}, for the errors meter
	 * @param failure what was thrown
	 * @return whether the peer caused it, so the connection closes as reset
	 */
	public boolean contain(Object connection, String op, Throwable failure) {
		Failures.rethrowIfFatal(failure);
		if (Failures.isPeerGone(failure)) {
			// The peer's doing, as normal as a reset: not an error of ours, and not worth a stack trace.
			logger.debug("{} of {} failed: {}", op, connection, failure.toString());
			return true;
		}
		this.stats.error(op, Failures.errorName(failure));
		this.log.warn("{} event loop {}: {} failed on {}; closing that connection", this.transport, this.loop, op,
				connection, failure);
		return false;
	}

	/**
	 * Whether a write of {@code length} more bytes onto {@code queued} would pass the write limit; if so
	 * the connection is to be closed, and it is logged. A write into an empty queue always fits, so one
	 * reply larger than the limit still goes out: a connection holds at most the limit or its handler's
	 * largest single write, whichever is more. Loop thread only.
	 * @param connection the connection, for the log line
	 * @param queued bytes queued now
	 * @param length bytes about to be queued
	 * @return {@code true} if the write must not be queued
	 */
	public boolean overflows(Object connection, long queued, int length) {
		if (queued == 0 || queued + length <= this.writeLimit) {
			return false;
		}
		this.log.info("Closing {}: {} B queued for sending would pass the write limit of {} B "
				+ "(the peer does not read; raise iouring.server.write-buffer.limit if replies are this large)",
				connection, queued + length, this.writeLimit);
		return true;
	}

}
