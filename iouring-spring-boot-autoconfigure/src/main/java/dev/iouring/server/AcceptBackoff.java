package dev.iouring.server;

import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a loop does when accepting fails, for example out of descriptors (EMFILE, ENFILE): stop accepting
 * for {@value #BACKOFF_MILLIS} ms instead of spinning on failures, then try again; warn once per episode,
 * not per retry, and say when accepting works again.
 *
 * <p>Threads: the loop thread only.
 */
final class AcceptBackoff {

	private static final Logger logger = LoggerFactory.getLogger(AcceptBackoff.class);

	static final long BACKOFF_MILLIS = 100;

	private static final long BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(BACKOFF_MILLIS);

	private final String transport;

	/** When accepting is tried again (System.nanoTime), or 0 when it is not paused. */
	private long retryAt;

	private boolean failing;

	AcceptBackoff(String transport) {
		this.transport = transport;
	}

	/**
	 * Accepting failed: pause it, and warn if this starts an episode.
	 * @param listener the listener's name
	 * @param error what failed, such as {@code EMFILE}
	 */
	void failed(String listener, String error) {
		this.retryAt = System.nanoTime() + BACKOFF_NANOS;
		if (!this.failing) {
			this.failing = true;
			logger.warn("{} listener '{}' cannot accept: {}; retrying in {} ms. If it says too many open files "
					+ "(EMFILE), raise the limit (ulimit -n) or lower max-connections", this.transport, listener, error,
					BACKOFF_MILLIS);
		}
	}

	/** A connection was accepted: ends an episode of failures. */
	void succeeded(String listener) {
		if (this.failing) {
			this.failing = false;
			logger.info("{} listener '{}' accepts again", this.transport, listener);
		}
	}

	/** Whether accepting is paused. */
	boolean paused() {
		return this.retryAt != 0;
	}

	/** Whether the pause is over; if so it ends, and the caller resumes accepting. */
	boolean retryDue(long now) {
		if (this.retryAt != 0 && now - this.retryAt >= 0) {
			this.retryAt = 0;
			return true;
		}
		return false;
	}

	/** Nanoseconds until accepting resumes, or -1 when it is not paused. */
	long nanosUntilRetry(long now) {
		return (this.retryAt == 0) ? -1 : Math.max(0, this.retryAt - now);
	}

}
