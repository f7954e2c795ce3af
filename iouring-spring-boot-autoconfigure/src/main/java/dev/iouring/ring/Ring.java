package dev.iouring.ring;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One io_uring instance: its setup ({@code io_uring_setup} with the best flags the kernel grants), the
 * mappings of its queues, {@code io_uring_register}, and {@code io_uring_enter}. The queues themselves
 * are {@link #sq()} (prepare SQEs) and {@link #cq()} (reap CQEs); {@link #submit()} and
 * {@link #submitAndWait} hand prepared SQEs to the kernel, as liburing's functions of those names do.
 *
 * <p>Threads: a ring is set up with {@code SINGLE_ISSUER} where the kernel has it, which makes the
 * creating thread its only issuer. Create, use and close a ring on one thread. Only the statistics
 * getters may be called from other threads.
 *
 * <p>Native memory: the ring's mappings and scratch space are owned by the ring (one confined arena)
 * and released by {@link #close()}.
 */
public final class Ring implements AutoCloseable {

	/** mmap offsets (IORING_OFF_SQ_RING, IORING_OFF_CQ_RING, IORING_OFF_SQES). */
	private static final long OFF_SQ_RING = 0L;

	private static final long OFF_CQ_RING = 0x8000000L;

	private static final long OFF_SQES = 0x10000000L;

	/** io_uring_register opcodes (IORING_REGISTER_*). */
	static final int REGISTER_PROBE = 8;

	static final int REGISTER_RING_FDS = 20;

	static final int UNREGISTER_RING_FDS = 21;

	static final int REGISTER_PBUF_RING = 22;

	static final int UNREGISTER_PBUF_RING = 23;

	private final Arena arena;

	private final int ringFd;

	private final int flags;

	private final int features;

	private final RingOptions options;

	private final MemorySegment capture;

	private final SubmissionQueue sq;

	private final CompletionQueue cq;

	private final int sqEntries;

	private final int cqEntries;

	private final RingEnter enter;

	private final int registeredRingIndex;

	private boolean closed;

	private Ring(Arena arena, int ringFd, MemorySegment params, RingOptions options, MemorySegment capture) {
		this.arena = arena;
		this.ringFd = ringFd;
		this.options = options;
		this.capture = capture;
		this.flags = params.get(ValueLayout.JAVA_INT, IoUringStructs.PARAMS_FLAGS);
		this.features = params.get(ValueLayout.JAVA_INT, IoUringStructs.PARAMS_FEATURES);
		this.sqEntries = params.get(ValueLayout.JAVA_INT, IoUringStructs.PARAMS_SQ_ENTRIES);
		this.cqEntries = params.get(ValueLayout.JAVA_INT, IoUringStructs.PARAMS_CQ_ENTRIES);
		long sqArrayOffset = uint(params, IoUringStructs.PARAMS_SQ_ARRAY);
		long cqesOffset = uint(params, IoUringStructs.PARAMS_CQ_CQES);
		boolean noSqArray = (this.flags & SetupFlags.NO_SQARRAY) != 0;
		long sqRingSize = sqArrayOffset + (noSqArray ? 0 : this.sqEntries * 4L);
		long cqRingSize = CompletionQueue.ringSize(cqesOffset, this.cqEntries);
		MemorySegment sqRing;
		MemorySegment cqRing;
		if ((this.features & Features.SINGLE_MMAP) != 0) {
			sqRing = mmap(Math.max(sqRingSize, cqRingSize), OFF_SQ_RING);
			cqRing = sqRing;
		}
		else {
			sqRing = mmap(sqRingSize, OFF_SQ_RING);
			cqRing = mmap(cqRingSize, OFF_CQ_RING);
		}
		MemorySegment sqes = mmap(this.sqEntries * SubmissionQueue.SQE_SIZE, OFF_SQES);
		if (!noSqArray) {
			// The SQ array maps ring slots to SQE indexes; we always use slot i for SQE i, so fill it once.
			for (int i = 0; i < this.sqEntries; i++) {
				sqRing.set(ValueLayout.JAVA_INT, sqArrayOffset + i * 4L, i);
			}
		}
		this.registeredRingIndex = registerRingFd();
		boolean registered = this.registeredRingIndex >= 0;
		this.enter = new RingEnter(arena, capture, registered ? this.registeredRingIndex : ringFd, registered,
				(this.flags & SetupFlags.SQPOLL) != 0, (this.features & Features.EXT_ARG) != 0);
		this.sq = new SubmissionQueue(this.enter, sqRing, sqes, arena.allocate(IoUringStructs.TIMESPEC),
				this.sqEntries, uint(params, IoUringStructs.PARAMS_SQ_HEAD),
				uint(params, IoUringStructs.PARAMS_SQ_TAIL), uint(params, IoUringStructs.PARAMS_SQ_FLAGS));
		this.cq = new CompletionQueue(cqRing, this.cqEntries, uint(params, IoUringStructs.PARAMS_CQ_HEAD),
				uint(params, IoUringStructs.PARAMS_CQ_TAIL), uint(params, IoUringStructs.PARAMS_CQ_OVERFLOW),
				cqesOffset);
		this.enter.attach(this.sq);
	}

	/**
	 * Sets up a ring with the best flags this kernel grants, on the calling thread (which becomes its
	 * issuer).
	 * @param options sizes and SQPOLL settings
	 * @return the ring
	 * @throws NativeCallException if io_uring_setup fails for a reason other than an unknown flag
	 */
	public static Ring create(RingOptions options) {
		Arena arena = Arena.ofConfined();
		try {
			MemorySegment capture = arena.allocate(LibC.CAPTURE_LAYOUT);
			MemorySegment params = arena.allocate(IoUringStructs.PARAMS);
			int fd = RingSetup.setUp(options, params, capture);
			return new Ring(arena, fd, params, options, capture);
		}
		catch (RuntimeException | Error ex) {
			arena.close();
			throw ex;
		}
	}

	private static long uint(MemorySegment segment, long offset) {
		return Integer.toUnsignedLong(segment.get(ValueLayout.JAVA_INT, offset));
	}

	private MemorySegment mmap(long size, long offset) {
		MemorySegment address;
		try {
			address = MemorySegment.ofAddress(LibC.call(this.capture, LibC.SYS_MMAP, 0L, size,
					Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_SHARED | Mman.MAP_POPULATE, this.ringFd, offset));
		}
		catch (Throwable ex) {
			throw LibC.rethrow(ex);
		}
		if (address.address() == LibC.MAP_FAILED) {
			int errno = LibC.errno(this.capture);
			closeFd(this.ringFd);
			throw new NativeCallException("mmap of the io_uring rings", errno,
					(errno == Errno.ENOMEM) ? RingSetup.hint(Errno.ENOMEM) : "");
		}
		NativeMemory.reserved(size);
		long base = address.address();
		return address.reinterpret(size, this.arena, (segment) -> {
			Mman.munmap(base, size);
			NativeMemory.released(size);
		});
	}

	private int registerRingFd() {
		// An offset of -1 lets the kernel pick the slot.
		MemorySegment update = this.arena.allocate(IoUringStructs.RSRC_UPDATE);
		update.set(ValueLayout.JAVA_INT, IoUringStructs.RSRC_UPDATE_OFFSET, -1);
		update.set(ValueLayout.JAVA_LONG, IoUringStructs.RSRC_UPDATE_DATA, this.ringFd);
		long result = register(REGISTER_RING_FDS, update, 1);
		return (result == 1) ? update.get(ValueLayout.JAVA_INT, IoUringStructs.RSRC_UPDATE_OFFSET) : -1;
	}

	/**
	 * Calls io_uring_register on this ring.
	 * @param opcode the IORING_REGISTER_* opcode
	 * @param arg the argument block
	 * @param nrArgs the argument count
	 * @return the result, or -errno
	 */
	long register(int opcode, MemorySegment arg, int nrArgs) {
		try {
			long result = (long) LibC.SYSCALL6.invokeExact(this.capture, LibC.SYS_IO_URING_REGISTER,
					(long) this.ringFd, (long) opcode, arg.address(), (long) nrArgs, 0L, 0L);
			return (result < 0) ? -LibC.errno(this.capture) : result;
		}
		catch (Throwable ex) {
			throw LibC.rethrow(ex);
		}
	}

	/**
	 * Hands every queued SQE to the kernel without waiting (with SQPOLL: wakes the poller if it sleeps),
	 * as liburing's io_uring_submit.
	 * @return the number of SQEs the kernel took
	 */
	public int submit() {
		return this.enter.submit();
	}

	/**
	 * Hands every queued SQE to the kernel and waits until at least {@code minComplete} completions are
	 * ready or the timeout passes, in one io_uring_enter (io_uring_submit_and_wait_timeout). With
	 * DEFER_TASKRUN this is also what makes the kernel post network completions, so a loop calls it every
	 * turn (with {@code minComplete} 0 when it has other work).
	 * @param minComplete completions to wait for (0: do not block)
	 * @param timeoutNanos the longest wait, or a negative value to wait without a deadline
	 */
	public void submitAndWait(int minComplete, long timeoutNanos) {
		this.enter.submitAndWait(minComplete, timeoutNanos);
	}

	/**
	 * Returns the submission queue, where requests are prepared.
	 * @return the SQ
	 */
	public SubmissionQueue sq() {
		return this.sq;
	}

	/**
	 * Returns the completion queue, where completions are reaped.
	 * @return the CQ
	 */
	public CompletionQueue cq() {
		return this.cq;
	}

	// ---- description and statistics ----

	/**
	 * Returns the setup flags the kernel granted.
	 * @return IORING_SETUP_* bits
	 */
	public int setupFlags() {
		return this.flags;
	}

	/**
	 * Returns the kernel's feature bits.
	 * @return IORING_FEAT_* bits
	 */
	public int features() {
		return this.features;
	}

	/**
	 * Returns the options the ring was created with.
	 * @return the options
	 */
	public RingOptions options() {
		return this.options;
	}

	/**
	 * Returns the SQ size granted.
	 * @return SQ entries
	 */
	public int sqEntries() {
		return this.sqEntries;
	}

	/**
	 * Returns the CQ size granted.
	 * @return CQ entries
	 */
	public int cqEntries() {
		return this.cqEntries;
	}

	/**
	 * Returns whether the ring fd is registered (IORING_REGISTER_RING_FDS), which makes each enter cheaper.
	 * @return whether enters use the registered index
	 */
	public boolean isRingFdRegistered() {
		return this.registeredRingIndex >= 0;
	}

	/**
	 * Returns the ring's file descriptor.
	 * @return the fd
	 */
	public int fd() {
		return this.ringFd;
	}

	/**
	 * Returns io_uring_enter calls made. Any thread.
	 * @return the enter count
	 */
	public long enters() {
		return this.enter.enters();
	}

	/**
	 * Returns SQEs handed to the kernel. Any thread.
	 * @return the submission count
	 */
	public long submissions() {
		return this.enter.submissions();
	}

	/**
	 * Returns the io_uring_enter calls that woke the SQPOLL thread from its idle sleep
	 * (IORING_SQ_NEED_WAKEUP was set when SQEs were handed over). Any thread.
	 * @return the wake-up count, 0 without SQPOLL
	 */
	public long sqWakeups() {
		return this.enter.sqWakeups();
	}

	/**
	 * Returns CQEs reaped. Any thread.
	 * @return the completion count
	 */
	public long completions() {
		return this.cq.completions();
	}

	/**
	 * Asks the kernel which opcodes it supports (IORING_REGISTER_PROBE).
	 * @return the probe
	 */
	public Probe probe() {
		return Probe.of(this);
	}

	/**
	 * Allocates native memory owned by this ring, freed with it.
	 * @param size bytes
	 * @param alignment alignment
	 * @return zeroed memory
	 */
	MemorySegment allocate(long size, long alignment) {
		return this.arena.allocate(size, alignment);
	}

	/**
	 * Unregisters the ring fd, unmaps the rings and closes the fd. Idempotent; the creating thread only.
	 */
	@Override
	public void close() {
		if (this.closed) {
			return;
		}
		this.closed = true;
		if (this.registeredRingIndex >= 0) {
			MemorySegment update = this.arena.allocate(IoUringStructs.RSRC_UPDATE);
			update.set(ValueLayout.JAVA_INT, IoUringStructs.RSRC_UPDATE_OFFSET, this.registeredRingIndex);
			register(UNREGISTER_RING_FDS, update, 1);
		}
		this.arena.close();
		closeFd(this.ringFd);
	}

	private static void closeFd(int fd) {
		Sockets.close(fd);
	}

	@Override
	public String toString() {
		return "Ring[fd=" + this.ringFd + ", sq=" + this.sqEntries + ", cq=" + this.cqEntries + ", flags="
				+ SetupFlags.names(this.flags) + "]";
	}

}
