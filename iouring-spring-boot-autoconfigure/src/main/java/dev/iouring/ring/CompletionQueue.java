package dev.iouring.ring;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * A ring's completion queue, mapped from the kernel: {@link #reap} reads every ready CQE in a batch and
 * then advances the head, as liburing's {@code io_uring_for_each_cqe} and {@code io_uring_cq_advance}
 * do.
 *
 * <p>Memory ordering: the kernel's tail is read with acquire (the CQEs before it are then visible); the
 * head is published with a release store after the CQEs were read, so the kernel never overwrites a slot
 * still being read.
 *
 * <p>Threads: the ring's issuer only, except {@link #completions()}.
 */
public final class CompletionQueue {

	private static final long CQE_SIZE = IoUringStructs.CQE.byteSize();

	private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

	private final MemorySegment ring;

	private final long headOffset;

	private final long tailOffset;

	private final long overflowOffset;

	private final long cqesOffset;

	private final int mask;

	/** Our CQ head: CQEs consumed so far. */
	private int head;

	private final SingleWriterCounter completions = new SingleWriterCounter();

	CompletionQueue(MemorySegment ring, int entries, long headOffset, long tailOffset, long overflowOffset,
			long cqesOffset) {
		this.ring = ring;
		this.mask = entries - 1;
		this.headOffset = headOffset;
		this.tailOffset = tailOffset;
		this.overflowOffset = overflowOffset;
		this.cqesOffset = cqesOffset;
		this.head = (int) INT.getAcquire(ring, headOffset);
	}

	/** Bytes the CQ ring needs for {@code entries} CQEs after its header. */
	static long ringSize(long cqesOffset, int entries) {
		return cqesOffset + entries * CQE_SIZE;
	}

	/**
	 * Returns how many CQEs are ready to be reaped.
	 * @return the ready count
	 */
	public int ready() {
		// Acquire pairs with the kernel's release of the tail after it wrote the CQEs.
		return (int) INT.getAcquire(this.ring, this.tailOffset) - this.head;
	}

	/**
	 * Passes every ready CQE to {@code handler}, then publishes the new head.
	 * @param handler receives each completion
	 * @return the number of CQEs reaped
	 */
	public int reap(CompletionHandler handler) {
		int start = this.head;
		int tail = (int) INT.getAcquire(this.ring, this.tailOffset);
		if (start == tail) {
			return 0;
		}
		MemorySegment cq = this.ring;
		try {
			while (this.head != tail) {
				long cqe = this.cqesOffset + (this.head & this.mask) * CQE_SIZE;
				long userData = cq.get(ValueLayout.JAVA_LONG, cqe + IoUringStructs.CQE_USER_DATA);
				int res = cq.get(ValueLayout.JAVA_INT, cqe + IoUringStructs.CQE_RES);
				int cqeFlags = cq.get(ValueLayout.JAVA_INT, cqe + IoUringStructs.CQE_FLAGS);
				this.head++;
				handler.onCompletion(userData, res, cqeFlags);
			}
		}
		finally {
			// Release: our reads of the CQEs happen before the kernel may overwrite their slots.
			INT.setRelease(cq, this.headOffset, this.head);
			this.completions.add(this.head - start);
		}
		return this.head - start;
	}

	/**
	 * Returns the kernel's count of completions it had to drop because the CQ was full
	 * ({@code cq_off.overflow}). The ring's thread only: the CQ is unmapped when the ring closes.
	 * @return the overflow counter
	 */
	public long overflow() {
		return Integer.toUnsignedLong((int) INT.getOpaque(this.ring, this.overflowOffset));
	}

	/**
	 * Returns CQEs reaped. Any thread.
	 * @return the completion count
	 */
	public long completions() {
		return this.completions.get();
	}

}
