package dev.iouring.ring;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * A ring's submission queue: the SQ ring and the SQE array, both mapped from the kernel. The verbs
 * follow liburing: each {@code prep*} reserves and fills one SQE ({@code io_uring_get_sqe} plus the
 * matching {@code io_uring_prep_*}); when the queue is full it first has the ring submit what is
 * queued, so a prep never fails for lack of room. {@link Ring#submit()} and {@link Ring#submitAndWait}
 * hand the prepared SQEs to the kernel.
 *
 * <p>Memory ordering: SQEs are written with plain stores, then the tail is published with a release
 * store; the kernel's head is read with acquire.
 *
 * <p>Threads: the ring's issuer only.
 */
public final class SubmissionQueue {

	static final long SQE_SIZE = IoUringStructs.SQE.byteSize();

	/** IOSQE_BUFFER_SELECT: the request picks a buffer from a provided buffer ring. */
	static final byte IOSQE_BUFFER_SELECT = 1 << 5;

	/** IORING_ACCEPT_MULTISHOT, in the SQE's ioprio field. */
	private static final short ACCEPT_MULTISHOT = 1;

	/** IORING_RECV_MULTISHOT, in the SQE's ioprio field. */
	private static final short RECV_MULTISHOT = 1 << 1;

	/** IORING_ASYNC_CANCEL_ALL: cancel every matching request, not only the first. */
	private static final int ASYNC_CANCEL_ALL = 1;

	/** IORING_ASYNC_CANCEL_FD: match requests by descriptor. */
	private static final int ASYNC_CANCEL_FD = 1 << 1;

	/** IORING_SQ_NEED_WAKEUP, in the SQ ring's flags: the SQPOLL thread sleeps. */
	private static final int SQ_NEED_WAKEUP = 1;

	/** IORING_SQ_CQ_OVERFLOW, in the SQ ring's flags: completions wait in the kernel's overflow list. */
	private static final int SQ_CQ_OVERFLOW = 1 << 1;

	private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

	private final RingEnter owner;

	/** The SQ ring (head, tail, flags, and the index array where the ring has one). */
	private final MemorySegment ring;

	private final MemorySegment sqes;

	/** The timespec of {@link #prepTimeout}, owned by the ring. */
	private final MemorySegment timerSpec;

	private final long headOffset;

	private final long tailOffset;

	private final long flagsOffset;

	private final int entries;

	private final int mask;

	/** Our SQ tail: SQEs prepared so far. Published to the kernel by {@link #publishTail()}. */
	private int tail;

	/** The kernel's SQ head as last read. */
	private int head;

	/** SQEs prepared but not yet passed to io_uring_enter. */
	private int toSubmit;

	SubmissionQueue(RingEnter owner, MemorySegment ring, MemorySegment sqes, MemorySegment timerSpec, int entries,
			long headOffset, long tailOffset, long flagsOffset) {
		this.owner = owner;
		this.ring = ring;
		this.sqes = sqes;
		this.timerSpec = timerSpec;
		this.entries = entries;
		this.mask = entries - 1;
		this.headOffset = headOffset;
		this.tailOffset = tailOffset;
		this.flagsOffset = flagsOffset;
		this.tail = (int) INT.getAcquire(ring, tailOffset);
		this.head = (int) INT.getAcquire(ring, headOffset);
	}

	/**
	 * Reserves the next SQE, submitting queued ones first if the SQ is full, and returns its offset in
	 * the SQE array.
	 */
	private long nextSqe() {
		if (this.tail - this.head >= this.entries) {
			// Acquire pairs with the kernel's release of the head after it consumed SQEs.
			this.head = (int) INT.getAcquire(this.ring, this.headOffset);
			int attempts = 0;
			while (this.tail - this.head >= this.entries) {
				if (attempts++ > 1000) {
					throw new IllegalStateException("io_uring submission queue stays full; the kernel does not "
							+ "consume SQEs (" + this.entries + " entries)");
				}
				this.owner.submitForRoom();
				this.head = (int) INT.getAcquire(this.ring, this.headOffset);
			}
		}
		long offset = (this.tail & this.mask) * SQE_SIZE;
		this.tail++;
		this.toSubmit++;
		return offset;
	}

	/**
	 * Writes all 64 bytes of an SQE: every field this project uses, and zero in the rest, so no stale
	 * value from an earlier request leaks into this one.
	 */
	private void prep(int opcode, byte sqeFlags, short ioprio, int fd, long off, long addr, int len, int opFlags,
			long userData, short bufIndex) {
		long sqe = nextSqe();
		MemorySegment s = this.sqes;
		s.set(ValueLayout.JAVA_BYTE, sqe + IoUringStructs.SQE_OPCODE, (byte) opcode);
		s.set(ValueLayout.JAVA_BYTE, sqe + IoUringStructs.SQE_FLAGS, sqeFlags);
		s.set(ValueLayout.JAVA_SHORT, sqe + IoUringStructs.SQE_IOPRIO, ioprio);
		s.set(ValueLayout.JAVA_INT, sqe + IoUringStructs.SQE_FD, fd);
		s.set(ValueLayout.JAVA_LONG, sqe + IoUringStructs.SQE_OFF, off);
		s.set(ValueLayout.JAVA_LONG, sqe + IoUringStructs.SQE_ADDR, addr);
		s.set(ValueLayout.JAVA_INT, sqe + IoUringStructs.SQE_LEN, len);
		s.set(ValueLayout.JAVA_INT, sqe + IoUringStructs.SQE_OP_FLAGS, opFlags);
		s.set(ValueLayout.JAVA_LONG, sqe + IoUringStructs.SQE_USER_DATA, userData);
		s.set(ValueLayout.JAVA_SHORT, sqe + IoUringStructs.SQE_BUF_INDEX, bufIndex);
		s.set(ValueLayout.JAVA_SHORT, sqe + IoUringStructs.SQE_PERSONALITY, (short) 0);
		s.set(ValueLayout.JAVA_INT, sqe + IoUringStructs.SQE_FILE_INDEX, 0);
		s.set(ValueLayout.JAVA_LONG, sqe + IoUringStructs.SQE_ADDR3, 0L);
		s.set(ValueLayout.JAVA_LONG, sqe + IoUringStructs.SQE_PAD, 0L);
	}

	/**
	 * Queues a no-op (io_uring_prep_nop).
	 * @param userData returned in the CQE
	 */
	public void prepNop(long userData) {
		prep(Opcode.NOP, (byte) 0, (short) 0, -1, 0, 0, 0, 0, userData, (short) 0);
	}

	/**
	 * Queues a multishot accept (io_uring_prep_multishot_accept): one CQE per accepted connection, whose
	 * {@code res} is the new socket, while {@link Cqe#F_MORE} stays set.
	 * @param listenFd the listening socket
	 * @param acceptFlags accept4 flags for the new sockets (e.g. SOCK_CLOEXEC)
	 * @param userData returned in every CQE
	 */
	public void prepMultishotAccept(int listenFd, int acceptFlags, long userData) {
		prep(Opcode.ACCEPT, (byte) 0, ACCEPT_MULTISHOT, listenFd, 0, 0, 0, acceptFlags, userData, (short) 0);
	}

	/**
	 * Queues a multishot receive that picks buffers from a provided buffer ring
	 * (io_uring_prep_recv_multishot with IOSQE_BUFFER_SELECT): one CQE per receive, carrying the buffer
	 * id, while {@link Cqe#F_MORE} stays set.
	 * @param fd the socket
	 * @param bufferGroup the buffer ring's group id
	 * @param userData returned in every CQE
	 */
	public void prepMultishotRecv(int fd, int bufferGroup, long userData) {
		prep(Opcode.RECV, IOSQE_BUFFER_SELECT, RECV_MULTISHOT, fd, 0, 0, 0, 0, userData, (short) bufferGroup);
	}

	/**
	 * Queues a send of {@code length} bytes at a native address (io_uring_prep_send).
	 * @param fd the socket
	 * @param address the first byte
	 * @param length the byte count
	 * @param msgFlags send(2) flags
	 * @param userData returned in the CQE
	 */
	public void prepSend(int fd, long address, int length, int msgFlags, long userData) {
		prep(Opcode.SEND, (byte) 0, (short) 0, fd, 0, address, length, msgFlags, userData, (short) 0);
	}

	/**
	 * Queues a sendmsg of a native {@code struct msghdr} (io_uring_prep_sendmsg), for gathered writes.
	 * @param fd the socket
	 * @param msghdr the address of the msghdr, which must stay valid until the CQE
	 * @param msgFlags sendmsg(2) flags
	 * @param userData returned in the CQE
	 */
	public void prepSendmsg(int fd, long msghdr, int msgFlags, long userData) {
		prep(Opcode.SENDMSG, (byte) 0, (short) 0, fd, 0, msghdr, 1, msgFlags, userData, (short) 0);
	}

	/**
	 * Queues a read into a native buffer (io_uring_prep_read), e.g. of an eventfd.
	 * @param fd the descriptor
	 * @param address the buffer
	 * @param length the buffer size
	 * @param userData returned in the CQE
	 */
	public void prepRead(int fd, long address, int length, long userData) {
		prep(Opcode.READ, (byte) 0, (short) 0, fd, -1L, address, length, 0, userData, (short) 0);
	}

	/**
	 * Queues a timeout (io_uring_prep_timeout, relative, count 0): it completes with {@code -ETIME} once
	 * {@code nanos} have passed. The ring keeps the timespec; one timeout may be pending at a time.
	 * <p>A loop that needs a timer uses this rather than a timed wait: on this project's reference kernel
	 * (6.18) an io_uring_enter that waits with an EXT_ARG timeout on a DEFER_TASKRUN ring missed network
	 * wake-ups and stalled for up to the timeout (benchmark: 0.16 M instead of 1.4 M echoes/s).
	 * @param nanos the delay
	 * @param userData returned in the CQE
	 */
	public void prepTimeout(long nanos, long userData) {
		this.timerSpec.set(ValueLayout.JAVA_LONG, IoUringStructs.TIMESPEC_SEC, nanos / 1_000_000_000L);
		this.timerSpec.set(ValueLayout.JAVA_LONG, IoUringStructs.TIMESPEC_NSEC, nanos % 1_000_000_000L);
		prep(Opcode.TIMEOUT, (byte) 0, (short) 0, -1, 0, this.timerSpec.address(), 1, 0, userData, (short) 0);
	}

	/**
	 * Queues a cancellation of the request whose {@code user_data} is {@code target}
	 * (io_uring_prep_cancel64). The cancelled request completes with {@code -ECANCELED}.
	 * @param target the user_data of the request to cancel
	 * @param userData returned in the cancel's own CQE
	 */
	public void prepCancel(long target, long userData) {
		prep(Opcode.ASYNC_CANCEL, (byte) 0, (short) 0, -1, 0, target, 0, 0, userData, (short) 0);
	}

	/**
	 * Queues a cancellation of every request on a descriptor (io_uring_prep_cancel_fd with
	 * IORING_ASYNC_CANCEL_ALL).
	 * @param fd the descriptor
	 * @param userData returned in the cancel's own CQE
	 */
	public void prepCancelFd(int fd, long userData) {
		prep(Opcode.ASYNC_CANCEL, (byte) 0, (short) 0, fd, 0, 0, 0, ASYNC_CANCEL_FD | ASYNC_CANCEL_ALL, userData,
				(short) 0);
	}

	void publishTail() {
		// Release: the SQE stores above become visible to the kernel before the new tail.
		INT.setRelease(this.ring, this.tailOffset, this.tail);
	}

	/**
	 * Returns SQEs prepared but not yet submitted. The ring's thread only: a loop publishes it for other
	 * threads in its statistics at the end of each turn.
	 * @return the pending count
	 */
	public int pending() {
		return this.toSubmit;
	}

	/** Records that the kernel took {@code count} SQEs. */
	void submitted(int count) {
		this.toSubmit -= count;
	}

	/**
	 * Whether the SQPOLL thread sleeps and needs a wake-up to see new SQEs.
	 */
	boolean needsWakeup() {
		// A full fence orders our tail store before the flags load: otherwise the poller could go to sleep
		// after we read "awake" and never see the new tail.
		VarHandle.fullFence();
		return (this.ring.get(ValueLayout.JAVA_INT, this.flagsOffset) & SQ_NEED_WAKEUP) != 0;
	}

	/**
	 * Returns whether the kernel holds completions that did not fit in the CQ (IORING_SQ_CQ_OVERFLOW); the
	 * next {@link Ring#submitAndWait} flushes them into the CQ.
	 * @return whether completions are waiting in the kernel's overflow list
	 */
	public boolean hasOverflowedCompletions() {
		return (this.ring.get(ValueLayout.JAVA_INT, this.flagsOffset) & SQ_CQ_OVERFLOW) != 0;
	}

}
