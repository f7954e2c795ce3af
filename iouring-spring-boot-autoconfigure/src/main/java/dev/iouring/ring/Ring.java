package dev.iouring.ring;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.List;

/**
 * One io_uring instance: the submission queue (SQ), the completion queue (CQ) and the SQE array, mapped
 * into this process, plus the calls that drive them ({@code io_uring_enter}, {@code io_uring_register}).
 *
 * <p>The verbs follow liburing: {@code prep*} reserves and fills one SQE (when the SQ is full it first
 * submits what is queued, so a prep never fails for lack of room), {@link #submit()} or
 * {@link #submitAndWait} hands queued SQEs to the kernel, {@link #reap} reads every ready CQE and
 * advances the CQ head.
 *
 * <p>Threads: a ring is set up with {@code SINGLE_ISSUER} where the kernel has it, which makes the
 * creating thread its only issuer. Create, use and close a ring on one thread. Only the statistics
 * getters may be called from other threads.
 *
 * <p>Native memory: the ring's mappings and scratch space are owned by the ring (one confined arena)
 * and released by {@link #close()}.
 */
public final class Ring implements AutoCloseable {

	// struct io_uring_params (include/uapi/linux/io_uring.h), 120 bytes:
	// +0 sq_entries u32 | +4 cq_entries u32 | +8 flags u32 | +12 sq_thread_cpu u32 | +16 sq_thread_idle u32
	// +20 features u32 | +24 wq_fd u32 | +28 resv[3] | +40 sq_off (io_sqring_offsets, 40 bytes)
	// +80 cq_off (io_cqring_offsets, 40 bytes)
	private static final long PARAMS_SIZE = 120;

	private static final long P_SQ_ENTRIES = 0;

	private static final long P_CQ_ENTRIES = 4;

	private static final long P_FLAGS = 8;

	private static final long P_SQ_THREAD_CPU = 12;

	private static final long P_SQ_THREAD_IDLE = 16;

	private static final long P_FEATURES = 20;

	private static final long P_SQ_OFF = 40;

	private static final long P_CQ_OFF = 80;

	// struct io_sqring_offsets: head 0, tail 4, ring_mask 8, ring_entries 12, flags 16, dropped 20, array 24
	private static final long SQ_OFF_HEAD = 0;

	private static final long SQ_OFF_TAIL = 4;

	private static final long SQ_OFF_FLAGS = 16;

	private static final long SQ_OFF_ARRAY = 24;

	// struct io_cqring_offsets: head 0, tail 4, ring_mask 8, ring_entries 12, overflow 16, cqes 20
	private static final long CQ_OFF_HEAD = 0;

	private static final long CQ_OFF_TAIL = 4;

	private static final long CQ_OFF_OVERFLOW = 16;

	private static final long CQ_OFF_CQES = 20;

	// struct io_uring_sqe, 64 bytes
	static final long SQE_SIZE = 64;

	private static final long SQE_OPCODE = 0;

	private static final long SQE_FLAGS = 1;

	private static final long SQE_IOPRIO = 2;

	private static final long SQE_FD = 4;

	private static final long SQE_OFF = 8;

	private static final long SQE_ADDR = 16;

	private static final long SQE_LEN = 24;

	private static final long SQE_OP_FLAGS = 28;

	private static final long SQE_USER_DATA = 32;

	private static final long SQE_BUF_INDEX = 40;

	private static final long SQE_PERSONALITY = 42;

	private static final long SQE_FILE_INDEX = 44;

	private static final long SQE_ADDR3 = 48;

	private static final long SQE_PAD = 56;

	// struct io_uring_cqe, 16 bytes: user_data u64 | res s32 | flags u32
	private static final long CQE_SIZE = 16;

	private static final long CQE_RES = 8;

	private static final long CQE_FLAGS = 12;

	/** mmap offsets (IORING_OFF_SQ_RING, IORING_OFF_CQ_RING, IORING_OFF_SQES). */
	private static final long OFF_SQ_RING = 0L;

	private static final long OFF_CQ_RING = 0x8000000L;

	private static final long OFF_SQES = 0x10000000L;

	/** io_uring_enter flags (IORING_ENTER_*). */
	private static final long ENTER_GETEVENTS = 1;

	private static final long ENTER_SQ_WAKEUP = 1 << 1;

	private static final long ENTER_SQ_WAIT = 1 << 2;

	private static final long ENTER_EXT_ARG = 1 << 3;

	private static final long ENTER_REGISTERED_RING = 1 << 4;

	/** SQ ring flags (IORING_SQ_*). */
	private static final int SQ_NEED_WAKEUP = 1;

	private static final int SQ_CQ_OVERFLOW = 1 << 1;

	/** SQE flags (IOSQE_*). */
	static final byte IOSQE_BUFFER_SELECT = 1 << 5;

	/** Multishot flags, which go in the SQE's ioprio field (IORING_ACCEPT_MULTISHOT, IORING_RECV_MULTISHOT). */
	private static final short ACCEPT_MULTISHOT = 1;

	private static final short RECV_MULTISHOT = 1 << 1;

	/** Async cancel flags (IORING_ASYNC_CANCEL_*), in the op-flags word. */
	private static final int ASYNC_CANCEL_ALL = 1;

	private static final int ASYNC_CANCEL_FD = 1 << 1;

	/** io_uring_register opcodes (IORING_REGISTER_*). */
	static final int REGISTER_PROBE = 8;

	static final int REGISTER_RING_FDS = 20;

	static final int UNREGISTER_RING_FDS = 21;

	static final int REGISTER_PBUF_RING = 22;

	static final int UNREGISTER_PBUF_RING = 23;

	// struct io_uring_getevents_arg: sigmask u64 | sigmask_sz u32 | min_wait_usec u32 | ts u64
	private static final long GETEVENTS_ARG_SIZE = 24;

	private static final long GETEVENTS_ARG_TS = 16;

	/** Setup flag sets tried in order; EINVAL moves on to the next (older kernels lack newer flags). */
	private static final List<Integer> PLAIN_SETUPS = List.of(
			SetupFlags.SINGLE_ISSUER | SetupFlags.DEFER_TASKRUN | SetupFlags.SUBMIT_ALL | SetupFlags.NO_SQARRAY,
			SetupFlags.SINGLE_ISSUER | SetupFlags.DEFER_TASKRUN | SetupFlags.SUBMIT_ALL,
			SetupFlags.COOP_TASKRUN | SetupFlags.TASKRUN_FLAG | SetupFlags.SUBMIT_ALL, 0);

	/** With SQPOLL the kernel thread submits, so DEFER_TASKRUN (issuer-driven) cannot be combined. */
	private static final List<Integer> SQPOLL_SETUPS = List.of(
			SetupFlags.SQPOLL | SetupFlags.SINGLE_ISSUER | SetupFlags.SUBMIT_ALL | SetupFlags.NO_SQARRAY,
			SetupFlags.SQPOLL | SetupFlags.SINGLE_ISSUER | SetupFlags.SUBMIT_ALL, SetupFlags.SQPOLL);

	private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

	private final Arena arena;

	private final int ringFd;

	private final int flags;

	private final int features;

	private final RingOptions options;

	private final MemorySegment capture;

	private final MemorySegment sqRing;

	private final MemorySegment cqRing;

	private final MemorySegment sqes;

	private final MemorySegment getEventsArg;

	private final MemorySegment timespec;

	private final MemorySegment timerSpec;

	private final long sqHeadOffset;

	private final long sqTailOffset;

	private final long sqFlagsOffset;

	private final int sqEntries;

	private final int sqMask;

	private final long cqHeadOffset;

	private final long cqTailOffset;

	private final long cqOverflowOffset;

	private final long cqesOffset;

	private final int cqEntries;

	private final int cqMask;

	private final boolean sqpoll;

	/** The fd passed to io_uring_enter: the registered ring index when registration worked. */
	private final long enterFd;

	private final long enterFlags;

	private final int registeredRingIndex;

	/** Our SQ tail: SQEs prepared so far. Published to the kernel by {@link #publishSqTail()}. */
	private int sqTail;

	/** The kernel's SQ head as last read. */
	private int sqHead;

	/** SQEs prepared but not yet passed to io_uring_enter. */
	private int toSubmit;

	/** Our CQ head: CQEs consumed so far. */
	private int cqHead;

	private final SingleWriterCounter enters = new SingleWriterCounter();

	private final SingleWriterCounter submissions = new SingleWriterCounter();

	private final SingleWriterCounter completions = new SingleWriterCounter();

	private volatile boolean closed;

	private Ring(Arena arena, int ringFd, MemorySegment params, RingOptions options, MemorySegment capture) {
		this.arena = arena;
		this.ringFd = ringFd;
		this.options = options;
		this.capture = capture;
		this.flags = params.get(ValueLayout.JAVA_INT, P_FLAGS);
		this.features = params.get(ValueLayout.JAVA_INT, P_FEATURES);
		this.sqpoll = (this.flags & SetupFlags.SQPOLL) != 0;
		this.sqEntries = params.get(ValueLayout.JAVA_INT, P_SQ_ENTRIES);
		this.cqEntries = params.get(ValueLayout.JAVA_INT, P_CQ_ENTRIES);
		this.sqMask = this.sqEntries - 1;
		this.cqMask = this.cqEntries - 1;
		long sqOff = P_SQ_OFF;
		long cqOff = P_CQ_OFF;
		this.sqHeadOffset = uint(params, sqOff + SQ_OFF_HEAD);
		this.sqTailOffset = uint(params, sqOff + SQ_OFF_TAIL);
		this.sqFlagsOffset = uint(params, sqOff + SQ_OFF_FLAGS);
		long sqArrayOffset = uint(params, sqOff + SQ_OFF_ARRAY);
		this.cqHeadOffset = uint(params, cqOff + CQ_OFF_HEAD);
		this.cqTailOffset = uint(params, cqOff + CQ_OFF_TAIL);
		this.cqOverflowOffset = uint(params, cqOff + CQ_OFF_OVERFLOW);
		this.cqesOffset = uint(params, cqOff + CQ_OFF_CQES);
		boolean noSqArray = (this.flags & SetupFlags.NO_SQARRAY) != 0;
		long sqRingSize = sqArrayOffset + (noSqArray ? 0 : this.sqEntries * 4L);
		long cqRingSize = this.cqesOffset + this.cqEntries * CQE_SIZE;
		if ((this.features & Features.SINGLE_MMAP) != 0) {
			long size = Math.max(sqRingSize, cqRingSize);
			this.sqRing = mmap(size, OFF_SQ_RING);
			this.cqRing = this.sqRing;
		}
		else {
			this.sqRing = mmap(sqRingSize, OFF_SQ_RING);
			this.cqRing = mmap(cqRingSize, OFF_CQ_RING);
		}
		this.sqes = mmap(this.sqEntries * SQE_SIZE, OFF_SQES);
		if (!noSqArray) {
			// The SQ array maps ring slots to SQE indexes; we always use slot i for SQE i, so fill it once.
			for (int i = 0; i < this.sqEntries; i++) {
				this.sqRing.set(ValueLayout.JAVA_INT, sqArrayOffset + i * 4L, i);
			}
		}
		this.sqTail = (int) INT.getAcquire(this.sqRing, this.sqTailOffset);
		this.sqHead = (int) INT.getAcquire(this.sqRing, this.sqHeadOffset);
		this.cqHead = (int) INT.getAcquire(this.cqRing, this.cqHeadOffset);
		this.getEventsArg = arena.allocate(GETEVENTS_ARG_SIZE, 8);
		this.timespec = arena.allocate(16, 8);
		this.timerSpec = arena.allocate(16, 8);
		this.getEventsArg.set(ValueLayout.JAVA_LONG, GETEVENTS_ARG_TS, this.timespec.address());
		this.registeredRingIndex = registerRingFd();
		this.enterFd = (this.registeredRingIndex >= 0) ? this.registeredRingIndex : ringFd;
		this.enterFlags = (this.registeredRingIndex >= 0) ? ENTER_REGISTERED_RING : 0;
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
			MemorySegment params = arena.allocate(PARAMS_SIZE, 8);
			List<Integer> attempts = options.sqpoll() ? SQPOLL_SETUPS : PLAIN_SETUPS;
			int lastErrno = 0;
			for (int attempt : attempts) {
				params.fill((byte) 0);
				int setupFlags = attempt | SetupFlags.CQSIZE;
				params.set(ValueLayout.JAVA_INT, P_CQ_ENTRIES, options.cqEntries());
				if (options.sqpoll()) {
					params.set(ValueLayout.JAVA_INT, P_SQ_THREAD_IDLE, (int) options.sqpollIdle().toMillis());
					if (options.sqpollCpu() >= 0) {
						setupFlags |= SetupFlags.SQ_AFF;
						params.set(ValueLayout.JAVA_INT, P_SQ_THREAD_CPU, options.sqpollCpu());
					}
				}
				params.set(ValueLayout.JAVA_INT, P_FLAGS, setupFlags);
				long fd = setup(capture, options.entries(), params);
				if (fd >= 0) {
					return new Ring(arena, (int) fd, params, options, capture);
				}
				lastErrno = LibC.errno(capture);
				if (lastErrno != Errno.EINVAL) {
					break;
				}
			}
			throw new NativeCallException("io_uring_setup", lastErrno, setupHint(lastErrno));
		}
		catch (RuntimeException | Error ex) {
			arena.close();
			throw ex;
		}
	}

	static String setupHint(int errno) {
		return switch (errno) {
			case Errno.EPERM -> "io_uring is blocked: kernel.io_uring_disabled is set, or a seccomp profile "
					+ "forbids it (e.g. Docker's default); set sysctl kernel.io_uring_disabled=0, run the container "
					+ "with --security-opt seccomp=unconfined, or set iouring.server.transport=nio";
			case Errno.ENOSYS -> "this kernel has no io_uring (Linux 6.1+ with CONFIG_IO_URING is needed), or a "
					+ "seccomp profile hides it; upgrade the kernel or set iouring.server.transport=nio";
			case Errno.ENOMEM -> "not enough locked memory for the rings; raise the memlock limit (ulimit -l, "
					+ "LimitMEMLOCK in systemd) or lower iouring.ring.entries and iouring.ring.cq-entries";
			case Errno.EINVAL -> "the kernel rejected every setup flag combination tried; Linux 6.1+ is needed";
			default -> "";
		};
	}

	private static long setup(MemorySegment capture, int entries, MemorySegment params) {
		try {
			return (long) LibC.SYSCALL2.invokeExact(capture, LibC.SYS_IO_URING_SETUP, (long) entries,
					params.address());
		}
		catch (Throwable ex) {
			throw LibC.rethrow(ex);
		}
	}

	private static long uint(MemorySegment segment, long offset) {
		return Integer.toUnsignedLong(segment.get(ValueLayout.JAVA_INT, offset));
	}

	private MemorySegment mmap(long size, long offset) {
		MemorySegment address;
		try {
			address = (MemorySegment) LibC.MMAP.invokeExact(this.capture, MemorySegment.NULL, size,
					Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_SHARED | Mman.MAP_POPULATE, this.ringFd, offset);
		}
		catch (Throwable ex) {
			throw LibC.rethrow(ex);
		}
		if (address.address() == LibC.MAP_FAILED) {
			int errno = LibC.errno(this.capture);
			closeFd(this.ringFd);
			throw new NativeCallException("mmap of the io_uring rings", errno,
					(errno == Errno.ENOMEM) ? Ring.setupHint(Errno.ENOMEM) : "");
		}
		NativeMemory.reserved(size);
		long base = address.address();
		return address.reinterpret(size, this.arena, (segment) -> {
			Mman.munmap(base, size);
			NativeMemory.released(size);
		});
	}

	private int registerRingFd() {
		// struct io_uring_rsrc_update: offset u32 | resv u32 | data u64; offset -1 lets the kernel pick a slot.
		MemorySegment update = this.arena.allocate(16, 8);
		update.set(ValueLayout.JAVA_INT, 0, -1);
		update.set(ValueLayout.JAVA_LONG, 8, this.ringFd);
		long result = register(REGISTER_RING_FDS, update, 1);
		return (result == 1) ? update.get(ValueLayout.JAVA_INT, 0) : -1;
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
			long result = (long) LibC.SYSCALL4.invokeExact(this.capture, LibC.SYS_IO_URING_REGISTER,
					(long) this.ringFd, (long) opcode, arg.address(), (long) nrArgs);
			return (result < 0) ? -LibC.errno(this.capture) : result;
		}
		catch (Throwable ex) {
			throw LibC.rethrow(ex);
		}
	}

	// ---- submission ----

	/**
	 * Reserves the next SQE, submitting queued ones first if the SQ is full, and returns its offset in
	 * the SQE array.
	 */
	private long nextSqe() {
		if (this.sqTail - this.sqHead >= this.sqEntries) {
			// Acquire pairs with the kernel's release of the head after it consumed SQEs.
			this.sqHead = (int) INT.getAcquire(this.sqRing, this.sqHeadOffset);
			int attempts = 0;
			while (this.sqTail - this.sqHead >= this.sqEntries) {
				if (attempts++ > 1000) {
					throw new IllegalStateException("io_uring submission queue stays full; the kernel does not "
							+ "consume SQEs (" + this.sqEntries + " entries)");
				}
				if (this.sqpoll) {
					publishSqTail();
					enter(0, 0, ENTER_SQ_WAIT, false);
				}
				else {
					submit();
				}
				this.sqHead = (int) INT.getAcquire(this.sqRing, this.sqHeadOffset);
			}
		}
		long offset = (this.sqTail & this.sqMask) * SQE_SIZE;
		this.sqTail++;
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
		s.set(ValueLayout.JAVA_BYTE, sqe + SQE_OPCODE, (byte) opcode);
		s.set(ValueLayout.JAVA_BYTE, sqe + SQE_FLAGS, sqeFlags);
		s.set(ValueLayout.JAVA_SHORT, sqe + SQE_IOPRIO, ioprio);
		s.set(ValueLayout.JAVA_INT, sqe + SQE_FD, fd);
		s.set(ValueLayout.JAVA_LONG, sqe + SQE_OFF, off);
		s.set(ValueLayout.JAVA_LONG, sqe + SQE_ADDR, addr);
		s.set(ValueLayout.JAVA_INT, sqe + SQE_LEN, len);
		s.set(ValueLayout.JAVA_INT, sqe + SQE_OP_FLAGS, opFlags);
		s.set(ValueLayout.JAVA_LONG, sqe + SQE_USER_DATA, userData);
		s.set(ValueLayout.JAVA_SHORT, sqe + SQE_BUF_INDEX, bufIndex);
		s.set(ValueLayout.JAVA_SHORT, sqe + SQE_PERSONALITY, (short) 0);
		s.set(ValueLayout.JAVA_INT, sqe + SQE_FILE_INDEX, 0);
		s.set(ValueLayout.JAVA_LONG, sqe + SQE_ADDR3, 0L);
		s.set(ValueLayout.JAVA_LONG, sqe + SQE_PAD, 0L);
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
		this.timerSpec.set(ValueLayout.JAVA_LONG, 0, nanos / 1_000_000_000L);
		this.timerSpec.set(ValueLayout.JAVA_LONG, 8, nanos % 1_000_000_000L);
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

	/**
	 * Queues a close of a descriptor (io_uring_prep_close).
	 * @param fd the descriptor
	 * @param userData returned in the CQE
	 */
	public void prepClose(int fd, long userData) {
		prep(Opcode.CLOSE, (byte) 0, (short) 0, fd, 0, 0, 0, 0, userData, (short) 0);
	}

	/**
	 * Queues a shutdown of a socket (io_uring_prep_shutdown).
	 * @param fd the socket
	 * @param how SHUT_RD, SHUT_WR or SHUT_RDWR
	 * @param userData returned in the CQE
	 */
	public void prepShutdown(int fd, int how, long userData) {
		prep(Opcode.SHUTDOWN, (byte) 0, (short) 0, fd, 0, 0, how, 0, userData, (short) 0);
	}

	private void publishSqTail() {
		// Release: the SQE stores above become visible to the kernel before the new tail.
		INT.setRelease(this.sqRing, this.sqTailOffset, this.sqTail);
	}

	/**
	 * Hands every queued SQE to the kernel without waiting (with SQPOLL: wakes the poller if it sleeps).
	 * @return the number of SQEs the kernel took
	 */
	public int submit() {
		if (this.toSubmit == 0) {
			return 0;
		}
		publishSqTail();
		if (this.sqpoll) {
			int submitted = this.toSubmit;
			this.toSubmit = 0;
			this.submissions.add(submitted);
			if (sqpollNeedsWakeup()) {
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
	public void submitAndWait(int minComplete, long timeoutNanos) {
		publishSqTail();
		long flags = ENTER_GETEVENTS;
		if (this.sqpoll) {
			this.submissions.add(this.toSubmit);
			this.toSubmit = 0;
			if (sqpollNeedsWakeup()) {
				flags |= ENTER_SQ_WAKEUP;
			}
		}
		if (minComplete > 0 && timeoutNanos >= 0 && (this.features & Features.EXT_ARG) != 0) {
			this.timespec.set(ValueLayout.JAVA_LONG, 0, timeoutNanos / 1_000_000_000L);
			this.timespec.set(ValueLayout.JAVA_LONG, 8, timeoutNanos % 1_000_000_000L);
			flags |= ENTER_EXT_ARG;
		}
		enterAndCount(minComplete, flags, minComplete > 0);
	}

	private boolean sqpollNeedsWakeup() {
		// A full fence orders our tail store before the flags load: otherwise the poller
		// could go to sleep after we read "awake" and never see the new tail.
		VarHandle.fullFence();
		return (this.sqRing.get(ValueLayout.JAVA_INT, this.sqFlagsOffset) & SQ_NEED_WAKEUP) != 0;
	}

	private int enterAndCount(int minComplete, long flags, boolean mayBlock) {
		int count = this.sqpoll ? 0 : this.toSubmit;
		int submitted = enter(count, minComplete, flags, mayBlock);
		if (!this.sqpoll && submitted > 0) {
			this.toSubmit -= submitted;
			this.submissions.add(submitted);
		}
		return submitted;
	}

	/**
	 * One io_uring_enter. Interrupted waits (EINTR), expired timeouts (ETIME) and a busy CQ (EBUSY,
	 * EAGAIN: the caller must reap) count as zero SQEs taken; any other error is thrown.
	 */
	private int enter(int toSubmit, int minComplete, long flags, boolean mayBlock) {
		long allFlags = flags | this.enterFlags;
		long arg = ((flags & ENTER_EXT_ARG) != 0) ? this.getEventsArg.address() : 0L;
		long argSize = ((flags & ENTER_EXT_ARG) != 0) ? GETEVENTS_ARG_SIZE : 0L;
		long result;
		try {
			if (mayBlock) {
				result = (long) LibC.SYSCALL6_WAIT.invokeExact(this.capture, LibC.SYS_IO_URING_ENTER, this.enterFd,
						(long) toSubmit, (long) minComplete, allFlags, arg, argSize);
			}
			else {
				result = (long) LibC.SYSCALL6_NOWAIT.invokeExact(this.capture, LibC.SYS_IO_URING_ENTER,
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

	// ---- completion ----

	/**
	 * Returns how many CQEs are ready to be reaped.
	 * @return the ready count
	 */
	public int cqReady() {
		// Acquire pairs with the kernel's release of the tail after it wrote the CQEs.
		return (int) INT.getAcquire(this.cqRing, this.cqTailOffset) - this.cqHead;
	}

	/**
	 * Returns whether the kernel holds completions that did not fit in the CQ (IORING_SQ_CQ_OVERFLOW); the
	 * next {@link #submitAndWait} flushes them into the CQ.
	 * @return whether completions are waiting in the kernel's overflow list
	 */
	public boolean hasOverflowedCompletions() {
		return (this.sqRing.get(ValueLayout.JAVA_INT, this.sqFlagsOffset) & SQ_CQ_OVERFLOW) != 0;
	}

	/**
	 * Passes every ready CQE to {@code handler}, then publishes the new CQ head.
	 * @param handler receives each completion
	 * @return the number of CQEs reaped
	 */
	public int reap(CompletionHandler handler) {
		int start = this.cqHead;
		int tail = (int) INT.getAcquire(this.cqRing, this.cqTailOffset);
		if (start == tail) {
			return 0;
		}
		MemorySegment cq = this.cqRing;
		try {
			while (this.cqHead != tail) {
				long cqe = this.cqesOffset + (this.cqHead & this.cqMask) * CQE_SIZE;
				long userData = cq.get(ValueLayout.JAVA_LONG, cqe);
				int res = cq.get(ValueLayout.JAVA_INT, cqe + CQE_RES);
				int cqeFlags = cq.get(ValueLayout.JAVA_INT, cqe + CQE_FLAGS);
				this.cqHead++;
				handler.onCompletion(userData, res, cqeFlags);
			}
		}
		finally {
			// Release: our reads of the CQEs happen before the kernel may overwrite their slots.
			INT.setRelease(cq, this.cqHeadOffset, this.cqHead);
			this.completions.add(this.cqHead - start);
		}
		return this.cqHead - start;
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
	 * Returns SQEs prepared but not yet submitted. Any thread (approximate).
	 * @return the pending count
	 */
	public int sqPending() {
		return this.toSubmit;
	}

	/**
	 * Returns io_uring_enter calls made. Any thread.
	 * @return the enter count
	 */
	public long enters() {
		return this.enters.get();
	}

	/**
	 * Returns SQEs handed to the kernel. Any thread.
	 * @return the submission count
	 */
	public long submissions() {
		return this.submissions.get();
	}

	/**
	 * Returns CQEs reaped. Any thread.
	 * @return the completion count
	 */
	public long completions() {
		return this.completions.get();
	}

	/**
	 * Returns the kernel's count of completions it had to drop or hold back because the CQ was full
	 * ({@code cq_off.overflow}). Any thread.
	 * @return the overflow counter
	 */
	public long cqOverflow() {
		if (this.closed) {
			return 0;
		}
		return Integer.toUnsignedLong((int) INT.getOpaque(this.cqRing, this.cqOverflowOffset));
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
			MemorySegment update = this.arena.allocate(16, 8);
			update.set(ValueLayout.JAVA_INT, 0, this.registeredRingIndex);
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
