package dev.iouring.server;

/**
 * When a closing connection stops waiting for its peer, the same on both transports. A close first
 * waits for the queued bytes to be sent, then lingers (our side shut down, what still arrives discarded)
 * until the peer ends its stream or stays quiet for {@link ConnectionTimers#LINGER_QUIET_NANOS}; all of
 * it within one close limit ({@link ConnectionTimers#closeLimitNanos()}), whatever the peer does.
 *
 * <p>One per connection; its loop's thread only. Times are the loop's clock (System.nanoTime).
 */
final class CloseDeadline {

	private boolean started;

	/** When the close stops waiting, unless the peer sends again while lingering. */
	private long deadline;

	/** The latest the deadline may be pushed to. */
	private long limit;

	/**
	 * Starts waiting for queued bytes to be sent.
	 * @param now the loop's clock
	 * @param limitNanos the longest the whole close may wait
	 * @return whether this started the close's deadline (the loop counts closing connections)
	 */
	public boolean startSending(long now, long limitNanos) {
		boolean first = start(now, limitNanos);
		this.deadline = this.limit;
		return first;
	}

	/**
	 * Starts lingering: everything is sent and our side is shut down.
	 * @param now the loop's clock
	 * @param limitNanos the longest the whole close may wait, when this starts it
	 * @return whether this started the close's deadline
	 */
	public boolean startLingering(long now, long limitNanos) {
		boolean first = start(now, limitNanos);
		peerSent(now);
		return first;
	}

	private boolean start(long now, long limitNanos) {
		if (this.started) {
			return false;
		}
		this.started = true;
		this.limit = now + limitNanos;
		return true;
	}

	/**
	 * The lingering peer sent more (discarded): it is not quiet yet.
	 * @param now the loop's clock
	 */
	public void peerSent(long now) {
		this.deadline = Math.min(now + ConnectionTimers.LINGER_QUIET_NANOS, this.limit);
	}

	/**
	 * Whether the close has stopped waiting.
	 * @param now the loop's clock
	 * @return whether the deadline passed
	 */
	public boolean isDue(long now) {
		return this.started && now - this.deadline > 0;
	}

	/**
	 * Whether the hard limit passed, after which nothing may delay the close any more.
	 * @param now the loop's clock
	 * @return whether the limit passed
	 */
	public boolean isPastLimit(long now) {
		return now - this.limit > 0;
	}

	/**
	 * Whether a deadline runs.
	 * @return whether the close started
	 */
	public boolean isStarted() {
		return this.started;
	}

	/**
	 * Ends the deadline as the connection closes.
	 * @return whether one was running (the loop counts closing connections)
	 */
	public boolean end() {
		boolean was = this.started;
		this.started = false;
		return was;
	}

}
