package dev.iouring.server;

import java.util.concurrent.TimeUnit;

/**
 * The deadlines of one loop's connections, and when the loop looks for the ones that passed: idle
 * connections, frames that take too long to arrive (a peer trickling a byte at a time), and closes that
 * wait for a peer (sending what is queued, then lingering). A sweep over the loop's connections runs
 * every quarter of the shortest timeout among the listeners (kept between 10 ms and 1 s), and at least
 * every 250 ms while some connection is closing, so a connection closes between its timeout and 1.25
 * times it. A sweep costs nothing per message, where a timer would be reset on every read.
 *
 * <p>Both transports use it, so timeouts and close deadlines behave the same on each.
 *
 * <p>Threads: the owning loop only.
 */
final class ConnectionTimers {

	/** A lingering close ends once the peer has sent nothing for this long. */
	public static final long LINGER_QUIET_NANOS = TimeUnit.SECONDS.toNanos(1);

	private static final long CLOSING_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

	private static final long MIN_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

	private static final long MAX_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

	/** Idle timeout of each listener by index, in nanoseconds; 0 for none. */
	private final long[] idleTimeouts;

	/** Frame timeout of each listener with framing, by index, in nanoseconds; 0 for none. */
	private final long[] frameTimeouts;

	/**
	 * The longest a close waits for a peer: first to take the queued bytes, then to end its stream
	 * ({@link ServerSettings#closeLimit()}).
	 */
	private final long closeLimitNanos;

	/** Time between sweeps for the timeouts; 0 when no listener has one. */
	private final long interval;

	private long nextSweep;

	/**
	 * Reads the listeners' timeouts.
	 * @param listeners the loop's listeners
	 * @param closeLimitNanos the longest a close waits for a peer
	 */
	public ConnectionTimers(ListenerRuntime[] listeners, long closeLimitNanos) {
		this.closeLimitNanos = closeLimitNanos;
		this.idleTimeouts = new long[listeners.length];
		this.frameTimeouts = new long[listeners.length];
		long shortest = Long.MAX_VALUE;
		for (ListenerRuntime listener : listeners) {
			ListenerSettings settings = listener.settings();
			long idle = settings.idleTimeout().toNanos();
			long frame = (settings.framing() != null) ? settings.frameTimeout().toNanos() : 0;
			this.idleTimeouts[listener.index()] = idle;
			this.frameTimeouts[listener.index()] = frame;
			for (long timeout : new long[] { idle, frame, listener.setupTimeoutNanos() }) {
				if (timeout > 0) {
					shortest = Math.min(shortest, timeout);
				}
			}
		}
		this.interval = (shortest == Long.MAX_VALUE) ? 0
				: Math.clamp(shortest / 4, MIN_INTERVAL_NANOS, MAX_INTERVAL_NANOS);
		this.nextSweep = System.nanoTime() + interval(true);
	}

	/**
	 * Returns the longest a close waits for a peer, whatever the peer does.
	 * @return nanoseconds
	 */
	public long closeLimitNanos() {
		return this.closeLimitNanos;
	}

	private long interval(boolean closing) {
		if (!closing) {
			return this.interval;
		}
		return (this.interval == 0) ? CLOSING_INTERVAL_NANOS : Math.min(this.interval, CLOSING_INTERVAL_NANOS);
	}

	/**
	 * Returns whether a sweep is due, and if so schedules the next one.
	 * @param now the loop's clock
	 * @param closing whether some connection waits for a close deadline
	 * @return whether to sweep now
	 */
	public boolean isDue(long now, boolean closing) {
		long interval = interval(closing);
		if (interval == 0 || now - this.nextSweep < 0) {
			return false;
		}
		this.nextSweep = now + interval;
		return true;
	}

	/**
	 * Returns how long until the next sweep.
	 * @param now the loop's clock
	 * @param closing whether some connection waits for a close deadline
	 * @return nanoseconds, or -1 when there are no sweeps
	 */
	public long nanosUntilDue(long now, boolean closing) {
		if (interval(closing) == 0) {
			return -1;
		}
		return Math.max(0, this.nextSweep - now);
	}

	/** What a sweep finds due for one connection. */
	public enum Due {

		/** Nothing yet. */
		NOTHING,

		/** Its close stopped waiting for the peer: close it now, with the reason the close began with. */
		CLOSE,

		/** Idle for longer than its listener allows: close it now. */
		IDLE,

		/** A frame has been arriving for too long: send what is queued, then close. */
		FRAME,

		/** The connection's stages did not finish their setup (a PROXY header, a handshake) in time. */
		SETUP

	}

	/**
	 * Returns what is due for one connection at this sweep. A closing connection only has its close
	 * deadline; an open one has its idle and frame timeouts.
	 * @param listener the listener's index
	 * @param close the connection's close deadline
	 * @param lastActive the connection's last read or write
	 * @param frameStarted when the frame under way began, or 0
	 * @param setupDeadline when the stages' setup must be done, or 0 when none is under way
	 * @param now the loop's clock
	 * @return what to do
	 */
	public Due due(int listener, CloseDeadline close, long lastActive, long frameStarted, long setupDeadline,
			long now) {
		if (close.isStarted()) {
			return close.isDue(now) ? Due.CLOSE : Due.NOTHING;
		}
		if (setupDeadline != 0 && now - setupDeadline > 0) {
			return Due.SETUP;
		}
		if (isIdle(listener, lastActive, now)) {
			return Due.IDLE;
		}
		return isFrameOverdue(listener, frameStarted, now) ? Due.FRAME : Due.NOTHING;
	}

	/**
	 * Returns whether a connection has been idle for longer than its listener allows.
	 * @param listener the listener's index
	 * @param lastActive the connection's last read or write
	 * @param now the loop's clock
	 * @return whether to close it
	 */
	public boolean isIdle(int listener, long lastActive, long now) {
		long timeout = this.idleTimeouts[listener];
		return timeout > 0 && now - lastActive > timeout;
	}

	/**
	 * Returns whether a frame has been arriving for longer than its listener allows.
	 * @param listener the listener's index
	 * @param frameStarted when the frame's first byte arrived, or 0 when no frame is under way
	 * @param now the loop's clock
	 * @return whether to close the connection
	 */
	public boolean isFrameOverdue(int listener, long frameStarted, long now) {
		long timeout = this.frameTimeouts[listener];
		return timeout > 0 && frameStarted != 0 && now - frameStarted > timeout;
	}

	/**
	 * Returns the frame-start mark after a decode: set when a frame began in this chunk (none was under
	 * way, or one finished and the decoder holds the start of the next), kept while the same frame is
	 * still under way, cleared when the decoder holds nothing.
	 * @param frameStarted the mark before the decode, or 0
	 * @param frameCompleted whether the decode completed at least one frame
	 * @param bufferedBytes what the decoder holds of an unfinished frame
	 * @param now the loop's clock
	 * @return the new mark, never 0 while a frame is under way
	 */
	public static long frameMark(long frameStarted, boolean frameCompleted, int bufferedBytes, long now) {
		if (bufferedBytes == 0) {
			return 0;
		}
		return (frameStarted == 0 || frameCompleted) ? (now | 1) : frameStarted;
	}

}
