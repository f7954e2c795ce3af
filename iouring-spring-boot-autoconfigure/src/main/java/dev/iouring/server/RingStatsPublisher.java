package dev.iouring.server;

import dev.iouring.ring.BufferRing;
import dev.iouring.ring.Ring;

/**
 * Copies an io_uring loop's ring figures (enters, submissions, SQPOLL wake-ups, completions, pending
 * SQEs, CQ overflow, free buffers) into its {@link LoopStats} at the end of each turn, where meters and the Actuator read
 * them from any thread without touching the ring, which may be unmapped by then.
 *
 * <p>Threads: the loop thread only.
 */
final class RingStatsPublisher {

	private final LoopStats stats;

	private final Ring ring;

	private final BufferRing buffers;

	/** Turns that ended with completions waiting in the kernel's CQ overflow list. */
	private long overflowTurns;

	RingStatsPublisher(LoopStats stats, Ring ring, BufferRing buffers) {
		this.stats = stats;
		this.ring = ring;
		this.buffers = buffers;
	}

	void publish() {
		Ring ring = this.ring;
		LoopStats stats = this.stats;
		stats.enters.add(ring.enters() - stats.enters.get());
		stats.submissions.add(ring.submissions() - stats.submissions.get());
		stats.sqWakeups.add(ring.sqWakeups() - stats.sqWakeups.get());
		stats.completions.add(ring.completions() - stats.completions.get());
		stats.sqPending.add(this.ring.sq().pending() - stats.sqPending.get());
		// The kernel's cq_off.overflow counts only completions it dropped, which FEAT_NODROP kernels never
		// do: they park what does not fit in an overflow list and raise IORING_SQ_CQ_OVERFLOW until the next
		// enter flushes it. So count the turns that found that flag too, or overflow would stay invisible.
		if (this.ring.sq().hasOverflowedCompletions()) {
			this.overflowTurns++;
		}
		stats.cqOverflow.add(this.ring.cq().overflow() + this.overflowTurns - stats.cqOverflow.get());
		stats.buffersAvailable.add(this.buffers.available() - stats.buffersAvailable.get());
	}

}
