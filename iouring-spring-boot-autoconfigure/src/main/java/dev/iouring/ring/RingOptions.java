package dev.iouring.ring;

import java.time.Duration;

/**
 * How to set up one io_uring instance.
 *
 * @param entries submission queue size; a power of two from 1 to 32768
 * @param cqEntries completion queue size; a power of two, at least {@code entries}, at most 65536
 * @param sqpoll whether a kernel thread polls the submission queue (saves submit syscalls, costs a CPU)
 * @param sqpollIdle how long the SQPOLL thread spins before it sleeps
 * @param sqpollCpu the CPU to pin the SQPOLL thread to, or -1 to let the kernel choose
 */
public record RingOptions(int entries, int cqEntries, boolean sqpoll, Duration sqpollIdle, int sqpollCpu) {

	/** Largest SQ size the kernel accepts (IORING_MAX_ENTRIES in io_uring/io_uring.h). */
	public static final int MAX_ENTRIES = 32768;

	/** Largest CQ size the kernel accepts (IORING_MAX_CQ_ENTRIES = 2 * IORING_MAX_ENTRIES). */
	public static final int MAX_CQ_ENTRIES = 2 * MAX_ENTRIES;

	/**
	 * Checks the invariants the kernel requires, with messages that say what is wrong.
	 */
	public RingOptions {
		if (entries < 1 || entries > MAX_ENTRIES || Integer.bitCount(entries) != 1) {
			throw new IllegalArgumentException(
					"ring entries must be a power of two between 1 and " + MAX_ENTRIES + " but was " + entries);
		}
		if (cqEntries < entries || cqEntries > MAX_CQ_ENTRIES || Integer.bitCount(cqEntries) != 1) {
			throw new IllegalArgumentException("ring cq-entries must be a power of two between entries (" + entries
					+ ") and " + MAX_CQ_ENTRIES + " but was " + cqEntries);
		}
		if (sqpollIdle.isNegative() || sqpollIdle.toMillis() > Integer.MAX_VALUE) {
			throw new IllegalArgumentException("ring sqpoll-idle must be between 0 and 2^31 ms but was " + sqpollIdle);
		}
		if (sqpollCpu < -1) {
			throw new IllegalArgumentException("ring sqpoll-cpu must be -1 (any) or a CPU number but was " + sqpollCpu);
		}
	}

	/**
	 * Returns options for a plain ring of the given sizes, without SQPOLL.
	 * @param entries submission queue size
	 * @param cqEntries completion queue size
	 * @return the options
	 */
	public static RingOptions of(int entries, int cqEntries) {
		return new RingOptions(entries, cqEntries, false, Duration.ofSeconds(1), -1);
	}

}
