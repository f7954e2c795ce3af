package dev.iouring.server;

/**
 * Receive buffers one connection holds back, undelivered, while it is unwritable: a FIFO of
 * (buffer id, length) in arrival order. The buffers stay out of the buffer ring until delivered or
 * recycled, which is what bounds memory: a loop-wide {@link Budget} caps how many all its connections
 * may hold together, so slow peers can never starve the other connections of buffers.
 *
 * <p>Threads: the loop thread only.
 */
final class HeldReceives {

	/** How many buffers a loop's connections may hold together. */
	static final class Budget {

		private final int limit;

		private int held;

		/** @param limit the most buffers held at once, at least 1 */
		Budget(int limit) {
			this.limit = Math.max(1, limit);
		}

		boolean canHold() {
			return this.held < this.limit;
		}

		int held() {
			return this.held;
		}

	}

	private final Budget budget;

	private long[] entries = new long[0];

	private int head;

	private int count;

	HeldReceives(Budget budget) {
		this.budget = budget;
	}

	int count() {
		return this.count;
	}

	boolean isEmpty() {
		return this.count == 0;
	}

	/** Holds a buffer at the end of the queue; the caller checked {@link Budget#canHold()}. */
	void add(int bid, int length) {
		if (this.count == this.entries.length) {
			long[] larger = new long[Math.max(4, this.entries.length * 2)];
			for (int i = 0; i < this.count; i++) {
				larger[i] = this.entries[(this.head + i) % this.entries.length];
			}
			this.entries = larger;
			this.head = 0;
		}
		this.entries[(this.head + this.count) % this.entries.length] = ((long) bid << 32) | (length & 0xFFFF_FFFFL);
		this.count++;
		this.budget.held++;
	}

	/**
	 * Removes the oldest held buffer.
	 * @return its entry: read it with {@link #bufferId} and {@link #length}
	 */
	long poll() {
		long entry = this.entries[this.head];
		this.head = (this.head + 1) % this.entries.length;
		this.count--;
		this.budget.held--;
		return entry;
	}

	static int bufferId(long entry) {
		return (int) (entry >>> 32);
	}

	static int length(long entry) {
		return (int) entry;
	}

}
