package dev.iouring.sample.resp;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the RESP connections of one handler hold of commands they received but could not execute yet,
 * bounded in two ways the per-connection limits cannot give.
 *
 * <ul>
 * <li><b>Command timeout.</b> A RESP listener is unframed (the session parses its own bytes), so the
 * server's frame timeout does not apply, and its idle timeout restarts with every byte: a peer that
 * trickles a command one byte at a time would hold its connection and its bytes for ever. A command
 * that has started must finish within the timeout; past it the connection is closed, without a reply
 * (Redis has no such error). The session checks its own deadline whenever bytes arrive, and a
 * background sweep, a few times per timeout, closes sessions that wait with nothing arriving. No timer
 * is armed per byte or per command.</li>
 * <li><b>Budget.</b> Each connection may hold up to {@link RespLimits#maxCommandLength()} bytes, which
 * times thousands of connections is more heap than a server has. The budget caps the bytes held (the
 * arrays that hold them) across every connection; a connection that would go past it is closed, as
 * Redis closes a client over its query buffer limit.</li>
 * </ul>
 *
 * <p>Thread safety: the budget is an atomic counter taken and given back by the event loops; the
 * sessions are in a concurrent set, added and removed by the loops and read by the sweep thread.
 */
public final class UnfinishedCommands implements AutoCloseable {

	/** Neither a timeout nor a budget: what a handler built without them uses. */
	static final UnfinishedCommands UNBOUNDED = new UnfinishedCommands(Duration.ZERO, 0);

	/** The sweep never runs more often than this, however short the timeout. */
	private static final long MIN_SWEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

	/** The sweep runs at least this often, so a close comes at most this long after the deadline. */
	private static final long MAX_SWEEP_NANOS = TimeUnit.SECONDS.toNanos(1);

	private final long timeoutNanos;

	private final long budget;

	private final AtomicLong held = new AtomicLong();

	private final Set<RespSession> sessions = ConcurrentHashMap.newKeySet();

	private final ScheduledExecutorService sweeper;

	/**
	 * Creates the bounds and, with a timeout, starts the thread that sweeps for overdue commands.
	 * @param commandTimeout the longest a command may take from its first byte to its last; zero for no
	 * limit
	 * @param budget the most bytes all sessions together may hold of commands not executed yet; zero for
	 * no limit
	 */
	public UnfinishedCommands(Duration commandTimeout, long budget) {
		if (commandTimeout.isNegative()) {
			throw new IllegalArgumentException("commandTimeout must not be negative but was " + commandTimeout);
		}
		if (budget < 0) {
			throw new IllegalArgumentException("budget must not be negative but was " + budget);
		}
		this.timeoutNanos = commandTimeout.toNanos();
		this.budget = budget;
		if (this.timeoutNanos > 0) {
			long period = Math.clamp(this.timeoutNanos / 4, MIN_SWEEP_NANOS, MAX_SWEEP_NANOS);
			this.sweeper = Executors.newSingleThreadScheduledExecutor(
					Thread.ofPlatform().daemon().name("resp-command-timeouts").factory());
			this.sweeper.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.NANOSECONDS);
		}
		else {
			this.sweeper = null;
		}
	}

	/**
	 * Returns the bytes all sessions hold now, for tests and monitoring.
	 * @return the bytes taken from the budget
	 */
	public long heldBytes() {
		return this.held.get();
	}

	void register(RespSession session) {
		if (this.timeoutNanos > 0) {
			this.sessions.add(session);
		}
	}

	void unregister(RespSession session) {
		this.sessions.remove(session);
	}

	/**
	 * Takes bytes from the budget.
	 * @param bytes how many more bytes a session is about to hold
	 * @return {@code false} if that would pass the budget; nothing is taken then
	 */
	boolean reserve(long bytes) {
		if (this.budget == 0) {
			return true;
		}
		long now = this.held.addAndGet(bytes);
		if (now > this.budget) {
			this.held.addAndGet(-bytes);
			return false;
		}
		return true;
	}

	/**
	 * Gives bytes back to the budget.
	 * @param bytes what a session took with {@link #reserve} and no longer holds
	 */
	void release(long bytes) {
		if (this.budget != 0) {
			this.held.addAndGet(-bytes);
		}
	}

	/**
	 * Returns whether a command that started at {@code started} is past the timeout.
	 * @param started the {@link System#nanoTime()} of its first byte, or 0 when none is under way
	 * @param now the time now
	 * @return {@code true} if the connection should be closed
	 */
	boolean isOverdue(long started, long now) {
		return this.timeoutNanos > 0 && started != 0 && now - started > this.timeoutNanos;
	}

	/**
	 * Returns a reading of the clock that command start times use, never 0 (0 means "none").
	 * @return the time now
	 */
	static long now() {
		return System.nanoTime() | 1;
	}

	private void sweep() {
		long now = now();
		for (RespSession session : this.sessions) {
			// A command that completes on its loop while this reads may still be closed: it was at the
			// deadline anyway.
			if (isOverdue(session.commandStarted(), now)) {
				try {
					session.connection().close();
				}
				catch (RuntimeException ex) {
					// The connection is going anyway; the other sessions must still be swept.
				}
			}
		}
	}

	/**
	 * Stops the sweep thread.
	 */
	@Override
	public void close() {
		if (this.sweeper != null) {
			this.sweeper.shutdownNow();
		}
	}

}
