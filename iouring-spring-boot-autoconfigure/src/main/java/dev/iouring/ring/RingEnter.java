package dev.iouring.ring;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * {@code io_uring_enter} for one ring: submitting prepared SQEs, waiting for completions, waking or
 * waiting for the SQPOLL thread, and counting enters, submissions and poller wake-ups. The ring's issuer
 * only, except the counters.
 */
final class RingEnter {

	/** io_uring_enter flags (IORING_ENTER_*). */
	private static final long ENTER_GETEVENTS = 1;

	private static final long ENTER_SQ_WAKEUP = 1 << 1;

	private static final long ENTER_SQ_WAIT = 1 << 2;

	private static final long ENTER_EXT_ARG = 1 << 3;

	private static final long ENTER_REGISTERED_RING = 1 << 4;

	private final MemorySegment capture;

	/** The fd passed to io_uring_enter: the registered ring index when registration worked. */
	private final long enterFd;

	private final long enterFlags;

	private final boolean sqpoll;

	/** Whether the kernel takes a timeout through io_uring_getevents_arg (IORING_FEAT_EXT_ARG). */
	private final boolean extArg;

	private final MemorySegment getEventsArg;

	private final MemorySegment timespec;

	private final SingleWriterCounter enters = new SingleWriterCounter();

	private final SingleWriterCounter submissions = new SingleWriterCounter();

	/** Enters that woke a sleeping SQPOLL thread (IORING_ENTER_SQ_WAKEUP). */
	private final SingleWriterCounter sqWakeups = new SingleWriterCounter();

	private SubmissionQueue sq;

	RingEnter(Arena arena, MemorySegment capture, int enterFd, boolean registered, boolean sqpoll, boolean extArg) {
		this.capture = capture;
		this.enterFd = enterFd;
		this.enterFlags = registered ? ENTER_REGISTERED_RING : 0;
		this.sqpoll = sqpoll;
		this.extArg = extArg;
		this.getEventsArg = arena.allocate(IoUringStructs.GETEVENTS_ARG);
		this.timespec = arena.allocate(IoUringStructs.TIMESPEC);
		this.getEventsArg.set(ValueLayout.JAVA_LONG, IoUringStructs.GETEVENTS_ARG_TS, this.timespec.address());
	}

	/** Connects the queue whose SQEs this submits; once, right after both exist. */
	void attach(SubmissionQueue sq) {
		this.sq = sq;
	}

	/**
	 * Hands every queued SQE to the kernel without waiting (with SQPOLL: wakes the poller if it sleeps).
	 * @return the number of SQEs the kernel took
	 */
	int submit() {
		if (this.sq.pending() == 0) {
			return 0;
		}
		this.sq.publishTail();
		if (this.sqpoll) {
			int submitted = this.sq.pending();
			this.sq.submitted(submitted);
			this.submissions.add(submitted);
			if (this.sq.needsWakeup()) {
				this.sqWakeups.increment();
				enter(0, 0, ENTER_SQ_WAKEUP, false);
			}
			return submitted;
		}
		return enterAndCount(0, 0, false);
	}

	/**
	 * Hands every queued SQE to the kernel and waits until at least {@code minComplete} completions are
	 * ready or the timeout passes, in one io_uring_enter. With DEFER_TASKRUN this is also what makes the
	 * kernel post network completions, so a loop calls it every turn (with {@code minComplete} 0 when it
	 * has other work).
	 * @param minComplete completions to wait for (0: do not block)
	 * @param timeoutNanos the longest wait, or a negative value to wait without a deadline
	 */
	void submitAndWait(int minComplete, long timeoutNanos) {
		this.sq.publishTail();
		long flags = ENTER_GETEVENTS;
		if (this.sqpoll) {
			int pending = this.sq.pending();
			this.submissions.add(pending);
			this.sq.submitted(pending);
			// As liburing's sq_ring_needs_enter: wake the poller only for new SQEs. Completions need no
			// wake-up (the kernel wakes the poller to run their task work), and a needless one makes it
			// spin for its whole idle time.
			if (pending > 0 && this.sq.needsWakeup()) {
				this.sqWakeups.increment();
				flags |= ENTER_SQ_WAKEUP;
			}
		}
		if (minComplete > 0 && timeoutNanos >= 0 && this.extArg) {
			this.timespec.set(ValueLayout.JAVA_LONG, IoUringStructs.TIMESPEC_SEC, timeoutNanos / 1_000_000_000L);
			this.timespec.set(ValueLayout.JAVA_LONG, IoUringStructs.TIMESPEC_NSEC, timeoutNanos % 1_000_000_000L);
			flags |= ENTER_EXT_ARG;
		}
		enterAndCount(minComplete, flags, minComplete > 0);
	}

	private int enterAndCount(int minComplete, long flags, boolean mayBlock) {
		int count = this.sqpoll ? 0 : this.sq.pending();
		int submitted = enter(count, minComplete, flags, mayBlock);
		if (!this.sqpoll && submitted > 0) {
			this.sq.submitted(submitted);
			this.submissions.add(submitted);
		}
		return submitted;
	}

	/**
	 * Makes room in a full SQ: submits what is queued (with SQPOLL: waits until the poller took some).
	 */
	void submitForRoom() {
		if (this.sqpoll) {
			this.sq.publishTail();
			enter(0, 0, ENTER_SQ_WAIT, false);
		}
		else {
			submit();
		}
	}

	/**
	 * One io_uring_enter. Interrupted waits (EINTR), expired timeouts (ETIME) and a busy CQ (EBUSY,
	 * EAGAIN: the caller must reap) count as zero SQEs taken; any other error is thrown.
	 */
	private int enter(int toSubmit, int minComplete, long flags, boolean mayBlock) {
		long allFlags = flags | this.enterFlags;
		long arg = ((flags & ENTER_EXT_ARG) != 0) ? this.getEventsArg.address() : 0L;
		long argSize = ((flags & ENTER_EXT_ARG) != 0) ? IoUringStructs.GETEVENTS_ARG.byteSize() : 0L;
		long result;
		try {
			if (mayBlock) {
				result = (long) LibC.WaitingSyscall.HANDLE.invokeExact(this.capture, LibC.SYS_IO_URING_ENTER, this.enterFd,
						(long) toSubmit, (long) minComplete, allFlags, arg, argSize);
			}
			else {
				result = (long) LibC.SYSCALL6.invokeExact(this.capture, LibC.SYS_IO_URING_ENTER,
						this.enterFd, (long) toSubmit, (long) minComplete, allFlags, arg, argSize);
			}
		}
		catch (Throwable ex) {
			throw LibC.rethrow(ex);
		}
		this.enters.increment();
		if (result >= 0) {
			return (int) result;
		}
		int errno = LibC.errno(this.capture);
		if (errno == Errno.EINTR || errno == Errno.ETIME || errno == Errno.EBUSY || errno == Errno.EAGAIN) {
			return 0;
		}
		throw new NativeCallException("io_uring_enter", errno, "");
	}

	long enters() {
		return this.enters.get();
	}

	long submissions() {
		return this.submissions.get();
	}

	long sqWakeups() {
		return this.sqWakeups.get();
	}

}
