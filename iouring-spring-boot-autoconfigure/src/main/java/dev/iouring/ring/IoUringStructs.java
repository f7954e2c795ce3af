package dev.iouring.ring;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

/**
 * The io_uring structs this binding reads and writes, as {@link StructLayout}s that mirror
 * {@code include/uapi/linux/io_uring.h} field by field; every offset the binding uses is derived from
 * them, never typed by hand. {@code IoUringAbiTests} compiles a C program against the installed kernel
 * headers and checks each size and offset here against {@code sizeof} and {@code offsetof}.
 *
 * <p>Where the kernel has a union, the layout names the member this binding uses; fields the kernel
 * renamed between versions (a {@code pad} that later became {@code flags} or {@code min_wait_usec}) keep
 * their first name.
 */
final class IoUringStructs {

	private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT;

	private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG;

	private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT;

	private static final ValueLayout.OfByte U8 = ValueLayout.JAVA_BYTE;

	/** struct io_sqring_offsets, 40 bytes. */
	static final StructLayout SQRING_OFFSETS = MemoryLayout.structLayout(U32.withName("head"),
			U32.withName("tail"), U32.withName("ring_mask"), U32.withName("ring_entries"), U32.withName("flags"),
			U32.withName("dropped"), U32.withName("array"), U32.withName("resv1"), U64.withName("user_addr"))
		.withName("io_sqring_offsets");

	/** struct io_cqring_offsets, 40 bytes. */
	static final StructLayout CQRING_OFFSETS = MemoryLayout.structLayout(U32.withName("head"),
			U32.withName("tail"), U32.withName("ring_mask"), U32.withName("ring_entries"), U32.withName("overflow"),
			U32.withName("cqes"), U32.withName("flags"), U32.withName("resv1"), U64.withName("user_addr"))
		.withName("io_cqring_offsets");

	/** struct io_uring_params, 120 bytes. */
	static final StructLayout PARAMS = MemoryLayout.structLayout(U32.withName("sq_entries"),
			U32.withName("cq_entries"), U32.withName("flags"), U32.withName("sq_thread_cpu"),
			U32.withName("sq_thread_idle"), U32.withName("features"), U32.withName("wq_fd"),
			MemoryLayout.sequenceLayout(3, U32).withName("resv"), SQRING_OFFSETS.withName("sq_off"),
			CQRING_OFFSETS.withName("cq_off"))
		.withName("io_uring_params");

	/**
	 * struct io_uring_sqe, 64 bytes. Unions, by the member used here: {@code off} (addr2), {@code addr}
	 * (splice_off_in), {@code op_flags} (rw_flags, msg_flags, accept_flags, cancel_flags...),
	 * {@code buf_index} (buf_group), {@code file_index} (splice_fd_in), {@code addr3}.
	 */
	static final StructLayout SQE = MemoryLayout.structLayout(U8.withName("opcode"), U8.withName("flags"),
			U16.withName("ioprio"), U32.withName("fd"), U64.withName("off"), U64.withName("addr"),
			U32.withName("len"), U32.withName("op_flags"), U64.withName("user_data"), U16.withName("buf_index"),
			U16.withName("personality"), U32.withName("file_index"), U64.withName("addr3"),
			U64.withName("__pad2"))
		.withName("io_uring_sqe");

	/** struct io_uring_cqe, 16 bytes (without the big-CQE extension, which this binding does not set up). */
	static final StructLayout CQE = MemoryLayout.structLayout(U64.withName("user_data"), U32.withName("res"),
			U32.withName("flags"))
		.withName("io_uring_cqe");

	/** struct io_uring_buf, 16 bytes; the ring's tail overlays entry 0's {@code resv}. */
	static final StructLayout BUF = MemoryLayout.structLayout(U64.withName("addr"), U32.withName("len"),
			U16.withName("bid"), U16.withName("resv"))
		.withName("io_uring_buf");

	/** struct io_uring_buf_reg, 40 bytes. */
	static final StructLayout BUF_REG = MemoryLayout.structLayout(U64.withName("ring_addr"),
			U32.withName("ring_entries"), U16.withName("bgid"), U16.withName("pad"),
			MemoryLayout.sequenceLayout(3, U64).withName("resv"))
		.withName("io_uring_buf_reg");

	/** struct io_uring_rsrc_update, 16 bytes: for registering the ring fd. */
	static final StructLayout RSRC_UPDATE = MemoryLayout.structLayout(U32.withName("offset"),
			U32.withName("resv"), U64.withName("data"))
		.withName("io_uring_rsrc_update");

	/** struct io_uring_getevents_arg, 24 bytes. */
	static final StructLayout GETEVENTS_ARG = MemoryLayout.structLayout(U64.withName("sigmask"),
			U32.withName("sigmask_sz"), U32.withName("pad"), U64.withName("ts"))
		.withName("io_uring_getevents_arg");

	/** struct __kernel_timespec, 16 bytes. */
	static final StructLayout TIMESPEC = MemoryLayout.structLayout(U64.withName("tv_sec"), U64.withName("tv_nsec"))
		.withName("__kernel_timespec");

	static final long PARAMS_SQ_ENTRIES = offset(PARAMS, "sq_entries");

	static final long PARAMS_CQ_ENTRIES = offset(PARAMS, "cq_entries");

	static final long PARAMS_FLAGS = offset(PARAMS, "flags");

	static final long PARAMS_SQ_THREAD_CPU = offset(PARAMS, "sq_thread_cpu");

	static final long PARAMS_SQ_THREAD_IDLE = offset(PARAMS, "sq_thread_idle");

	static final long PARAMS_FEATURES = offset(PARAMS, "features");

	static final long PARAMS_SQ_HEAD = offset(PARAMS, "sq_off", "head");

	static final long PARAMS_SQ_TAIL = offset(PARAMS, "sq_off", "tail");

	static final long PARAMS_SQ_FLAGS = offset(PARAMS, "sq_off", "flags");

	static final long PARAMS_SQ_ARRAY = offset(PARAMS, "sq_off", "array");

	static final long PARAMS_CQ_HEAD = offset(PARAMS, "cq_off", "head");

	static final long PARAMS_CQ_TAIL = offset(PARAMS, "cq_off", "tail");

	static final long PARAMS_CQ_OVERFLOW = offset(PARAMS, "cq_off", "overflow");

	static final long PARAMS_CQ_CQES = offset(PARAMS, "cq_off", "cqes");

	static final long SQE_OPCODE = offset(SQE, "opcode");

	static final long SQE_FLAGS = offset(SQE, "flags");

	static final long SQE_IOPRIO = offset(SQE, "ioprio");

	static final long SQE_FD = offset(SQE, "fd");

	static final long SQE_OFF = offset(SQE, "off");

	static final long SQE_ADDR = offset(SQE, "addr");

	static final long SQE_LEN = offset(SQE, "len");

	static final long SQE_OP_FLAGS = offset(SQE, "op_flags");

	static final long SQE_USER_DATA = offset(SQE, "user_data");

	static final long SQE_BUF_INDEX = offset(SQE, "buf_index");

	static final long SQE_PERSONALITY = offset(SQE, "personality");

	static final long SQE_FILE_INDEX = offset(SQE, "file_index");

	static final long SQE_ADDR3 = offset(SQE, "addr3");

	static final long SQE_PAD = offset(SQE, "__pad2");

	static final long CQE_USER_DATA = offset(CQE, "user_data");

	static final long CQE_RES = offset(CQE, "res");

	static final long CQE_FLAGS = offset(CQE, "flags");

	static final long BUF_ADDR = offset(BUF, "addr");

	static final long BUF_LEN = offset(BUF, "len");

	static final long BUF_BID = offset(BUF, "bid");

	/** The buffer ring's tail: entry 0's {@code resv} field (struct io_uring_buf_ring). */
	static final long BUF_RING_TAIL = offset(BUF, "resv");

	static final long BUF_REG_RING_ADDR = offset(BUF_REG, "ring_addr");

	static final long BUF_REG_RING_ENTRIES = offset(BUF_REG, "ring_entries");

	static final long BUF_REG_BGID = offset(BUF_REG, "bgid");

	static final long RSRC_UPDATE_OFFSET = offset(RSRC_UPDATE, "offset");

	static final long RSRC_UPDATE_DATA = offset(RSRC_UPDATE, "data");

	static final long GETEVENTS_ARG_TS = offset(GETEVENTS_ARG, "ts");

	static final long TIMESPEC_SEC = offset(TIMESPEC, "tv_sec");

	static final long TIMESPEC_NSEC = offset(TIMESPEC, "tv_nsec");

	private IoUringStructs() {
	}

	static long offset(StructLayout layout, String... path) {
		PathElement[] elements = new PathElement[path.length];
		for (int i = 0; i < path.length; i++) {
			elements[i] = PathElement.groupElement(path[i]);
		}
		return layout.byteOffset(elements);
	}

}
