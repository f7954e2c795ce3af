package dev.iouring.autoconfigure.endpoint;

/**
 * The name of every io_uring opcode, in the order of {@code enum io_uring_op} in the kernel's
 * {@code include/uapi/linux/io_uring.h} up to {@code URING_CMD128}, for the endpoint to list what the probe
 * found. The engine's own {@link dev.iouring.ring.Opcode} names only the opcodes it issues; a report
 * needs all of them, or its count and its list disagree.
 */
final class OpcodeNames {

	private static final String[] NAMES = { "NOP", "READV", "WRITEV", "FSYNC", "READ_FIXED", "WRITE_FIXED",
			"POLL_ADD", "POLL_REMOVE", "SYNC_FILE_RANGE", "SENDMSG", "RECVMSG", "TIMEOUT", "TIMEOUT_REMOVE", "ACCEPT",
			"ASYNC_CANCEL", "LINK_TIMEOUT", "CONNECT", "FALLOCATE", "OPENAT", "CLOSE", "FILES_UPDATE", "STATX", "READ",
			"WRITE", "FADVISE", "MADVISE", "SEND", "RECV", "OPENAT2", "EPOLL_CTL", "SPLICE", "PROVIDE_BUFFERS",
			"REMOVE_BUFFERS", "TEE", "SHUTDOWN", "RENAMEAT", "UNLINKAT", "MKDIRAT", "SYMLINKAT", "LINKAT", "MSG_RING",
			"FSETXATTR", "SETXATTR", "FGETXATTR", "GETXATTR", "SOCKET", "URING_CMD", "SEND_ZC", "SENDMSG_ZC",
			"READ_MULTISHOT", "WAITID", "FUTEX_WAIT", "FUTEX_WAKE", "FUTEX_WAITV", "FIXED_FD_INSTALL", "FTRUNCATE",
			"BIND", "LISTEN", "RECV_ZC", "EPOLL_WAIT", "READV_FIXED", "WRITEV_FIXED", "PIPE", "NOP128",
			"URING_CMD128" };

	private OpcodeNames() {
	}

	/**
	 * Returns an opcode's name.
	 * @param opcode the opcode number
	 * @return the name without {@code IORING_OP_}, or {@code OP_} and the number for an opcode newer than
	 * this table, so that every supported opcode is listed
	 */
	static String of(int opcode) {
		return (opcode >= 0 && opcode < NAMES.length) ? NAMES[opcode] : "OP_" + opcode;
	}

}
