package dev.iouring.ring;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

/**
 * The socket structs the engine hands to the kernel, as {@link StructLayout}s that mirror the C
 * library's definitions on 64-bit Linux ({@code <sys/socket.h>}, {@code <sys/uio.h>},
 * {@code <netinet/in.h>}, {@code <sys/un.h>}); offsets are derived from them, and {@code IoUringAbiTests} checks every size
 * and offset against {@code sizeof} and {@code offsetof} from a compiled C program.
 */
public final class SocketStructs {

	private static final ValueLayout.OfLong POINTER = ValueLayout.JAVA_LONG;

	/** struct iovec: base pointer, length. */
	public static final StructLayout IOVEC = MemoryLayout.structLayout(POINTER.withName("iov_base"),
			ValueLayout.JAVA_LONG.withName("iov_len"))
		.withName("iovec");

	/** struct msghdr, with the padding the C compiler puts after the two 4-byte fields. */
	public static final StructLayout MSGHDR = MemoryLayout.structLayout(POINTER.withName("msg_name"),
			ValueLayout.JAVA_INT.withName("msg_namelen"), MemoryLayout.paddingLayout(4),
			POINTER.withName("msg_iov"), ValueLayout.JAVA_LONG.withName("msg_iovlen"),
			POINTER.withName("msg_control"), ValueLayout.JAVA_LONG.withName("msg_controllen"),
			ValueLayout.JAVA_INT.withName("msg_flags"), MemoryLayout.paddingLayout(4))
		.withName("msghdr");

	/** struct sockaddr_in; the port and address are in network byte order. */
	static final StructLayout SOCKADDR_IN = MemoryLayout.structLayout(ValueLayout.JAVA_SHORT.withName("sin_family"),
			ValueLayout.JAVA_SHORT.withName("sin_port"), ValueLayout.JAVA_INT.withName("sin_addr"),
			MemoryLayout.sequenceLayout(8, ValueLayout.JAVA_BYTE).withName("sin_zero"))
		.withName("sockaddr_in");

	/** struct sockaddr_in6; the port and address are in network byte order. */
	static final StructLayout SOCKADDR_IN6 = MemoryLayout.structLayout(
			ValueLayout.JAVA_SHORT.withName("sin6_family"), ValueLayout.JAVA_SHORT.withName("sin6_port"),
			ValueLayout.JAVA_INT.withName("sin6_flowinfo"),
			MemoryLayout.sequenceLayout(16, ValueLayout.JAVA_BYTE).withName("sin6_addr"),
			ValueLayout.JAVA_INT.withName("sin6_scope_id"))
		.withName("sockaddr_in6");

	/** Bytes of sun_path in a struct sockaddr_un (UNIX_PATH_MAX in include/uapi/linux/un.h). */
	public static final int SUN_PATH_SIZE = 108;

	/**
	 * struct sockaddr_un: the family, then the path. A path in the file system is NUL-terminated; a name
	 * in Linux's abstract namespace starts with a NUL byte instead and runs to the end of the address
	 * length given to bind(), NULs and all.
	 */
	static final StructLayout SOCKADDR_UN = MemoryLayout.structLayout(ValueLayout.JAVA_SHORT.withName("sun_family"),
			MemoryLayout.sequenceLayout(SUN_PATH_SIZE, ValueLayout.JAVA_BYTE).withName("sun_path"))
		.withName("sockaddr_un");

	/** struct ucred, what SO_PEERCRED answers: the peer's pid, uid and gid when it connected. */
	static final StructLayout UCRED = MemoryLayout.structLayout(ValueLayout.JAVA_INT.withName("pid"),
			ValueLayout.JAVA_INT.withName("uid"), ValueLayout.JAVA_INT.withName("gid"))
		.withName("ucred");

	/** Size of a struct iovec. */
	public static final long IOVEC_SIZE = IOVEC.byteSize();

	/** Offset of iov_base in a struct iovec. */
	public static final long IOVEC_BASE = IoUringStructs.offset(IOVEC, "iov_base");

	/** Offset of iov_len in a struct iovec. */
	public static final long IOVEC_LEN = IoUringStructs.offset(IOVEC, "iov_len");

	/** Size of a struct msghdr. */
	public static final long MSGHDR_SIZE = MSGHDR.byteSize();

	/** Offset of msg_iov in a struct msghdr. */
	public static final long MSGHDR_IOV = IoUringStructs.offset(MSGHDR, "msg_iov");

	/** Offset of msg_iovlen in a struct msghdr. */
	public static final long MSGHDR_IOVLEN = IoUringStructs.offset(MSGHDR, "msg_iovlen");

	static final long SIN_PORT = IoUringStructs.offset(SOCKADDR_IN, "sin_port");

	static final long SIN_ADDR = IoUringStructs.offset(SOCKADDR_IN, "sin_addr");

	static final long SIN6_PORT = IoUringStructs.offset(SOCKADDR_IN6, "sin6_port");

	static final long SIN6_ADDR = IoUringStructs.offset(SOCKADDR_IN6, "sin6_addr");

	static final long SIN6_SCOPE_ID = IoUringStructs.offset(SOCKADDR_IN6, "sin6_scope_id");

	static final long SUN_PATH = IoUringStructs.offset(SOCKADDR_UN, "sun_path");

	static final long UCRED_PID = IoUringStructs.offset(UCRED, "pid");

	static final long UCRED_UID = IoUringStructs.offset(UCRED, "uid");

	static final long UCRED_GID = IoUringStructs.offset(UCRED, "gid");

	private SocketStructs() {
	}

}
