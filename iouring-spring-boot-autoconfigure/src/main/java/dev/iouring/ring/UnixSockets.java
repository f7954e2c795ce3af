package dev.iouring.ring;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The Unix domain socket calls the server needs, through libc: bind a listening socket to a path or to
 * a name in Linux's abstract namespace, duplicate it for another event loop, and ask a connected socket
 * for its peer's credentials. Constants from {@code include/linux/socket.h},
 * {@code include/uapi/asm-generic/socket.h} and {@code include/uapi/asm-generic/fcntl.h} (the same on
 * x86_64 and aarch64).
 */
public final class UnixSockets {

	/** AF_UNIX (= AF_LOCAL). */
	static final int AF_UNIX = 1;

	/** SO_PEERCRED: the peer's struct ucred, as it was when it connected. */
	static final int SO_PEERCRED = 17;

	/** F_DUPFD_CLOEXEC (F_LINUX_SPECIFIC_BASE + 6): a duplicate that is closed on exec. */
	static final int F_DUPFD_CLOEXEC = 1030;

	/**
	 * Longest name bind() takes: sun_path less one byte, for the terminating NUL of a path or the leading
	 * NUL of an abstract name.
	 */
	public static final int MAX_NAME_BYTES = SocketStructs.SUN_PATH_SIZE - 1;

	private UnixSockets() {
	}

	/**
	 * A peer's credentials (struct ucred): process id, user id and group id, read when it connected.
	 * @param pid the peer's process id, as this process's pid namespace sees it (0 when the peer lives in
	 * a namespace this one cannot see)
	 * @param uid the peer's effective user id
	 * @param gid the peer's effective group id
	 */
	public record Credentials(int pid, int uid, int gid) {
	}

	/**
	 * Creates a Unix stream socket and binds it, without listening yet, so that the caller can set the
	 * socket file's permissions before anyone can connect.
	 * @param name the path's bytes, or the abstract name's bytes without the leading NUL; 1 to
	 * {@link #MAX_NAME_BYTES} bytes
	 * @param abstractNamespace whether {@code name} is an abstract name rather than a path
	 * @return the bound socket's fd
	 * @throws NativeCallException naming the failing call, e.g. bind with EADDRINUSE
	 */
	public static int bind(byte[] name, boolean abstractNamespace) {
		if (name.length < 1 || name.length > MAX_NAME_BYTES) {
			throw new IllegalArgumentException(
					"a Unix socket name takes 1 to " + MAX_NAME_BYTES + " bytes but has " + name.length);
		}
		try (Arena arena = Arena.ofConfined()) {
			MemorySegment capture = arena.allocate(LibC.CAPTURE_LAYOUT);
			int fd = (int) LibC.call(capture, LibC.SYS_SOCKET, AF_UNIX, Sockets.SOCK_STREAM | Sockets.SOCK_CLOEXEC, 0);
			if (fd < 0) {
				throw new NativeCallException("socket(AF_UNIX)", LibC.errno(capture), "");
			}
			try {
				MemorySegment sockaddr = arena.allocate(SocketStructs.SOCKADDR_UN);
				sockaddr.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
				// An abstract name follows one NUL; a path is followed by one (the arena zeroes memory).
				long nameOffset = SocketStructs.SUN_PATH + (abstractNamespace ? 1 : 0);
				MemorySegment.copy(name, 0, sockaddr, ValueLayout.JAVA_BYTE, nameOffset, name.length);
				int length = (int) (SocketStructs.SUN_PATH + 1 + name.length);
				if (LibC.call(capture, LibC.SYS_BIND, fd, sockaddr.address(), length) != 0) {
					int errno = LibC.errno(capture);
					throw new NativeCallException("bind", errno, bindHint(errno));
				}
				return fd;
			}
			catch (Throwable ex) {
				Sockets.close(fd);
				throw ex;
			}
		}
		catch (Throwable ex) {
			throw LibC.rethrow(ex);
		}
	}

	private static String bindHint(int errno) {
		return switch (errno) {
			case Errno.EADDRINUSE -> "another socket is bound to this name";
			case Errno.EACCES -> "this process may not create files in the socket's directory";
			case Errno.ENOENT -> "the socket's directory does not exist";
			default -> "";
		};
	}

	/**
	 * Starts listening on a bound socket.
	 * @param fd the socket
	 * @param backlog the listen backlog
	 */
	public static void listen(int fd, int backlog) {
		try {
			MemorySegment capture = LibC.capture();
			if (LibC.call(capture, LibC.SYS_LISTEN, fd, backlog) != 0) {
				throw new NativeCallException("listen", LibC.errno(capture), "");
			}
		}
		catch (Throwable ex) {
			throw LibC.rethrow(ex);
		}
	}

	/**
	 * Duplicates a descriptor, closed on exec like the original: each event loop then closes its own
	 * descriptor of a shared listening socket, and the socket closes with the last.
	 * @param fd the descriptor
	 * @return the new descriptor
	 */
	public static int duplicate(int fd) {
		try {
			MemorySegment capture = LibC.capture();
			int copy = (int) LibC.call(capture, LibC.SYS_FCNTL, fd, F_DUPFD_CLOEXEC, 0);
			if (copy < 0) {
				throw new NativeCallException("fcntl(F_DUPFD_CLOEXEC)", LibC.errno(capture), "");
			}
			return copy;
		}
		catch (Throwable ex) {
			throw LibC.rethrow(ex);
		}
	}

	/**
	 * Returns a connected Unix socket's peer credentials (getsockopt SO_PEERCRED).
	 * @param fd the socket
	 * @return the credentials
	 * @throws NativeCallException if the kernel would not say
	 */
	public static Credentials peerCredentials(int fd) {
		try (Arena arena = Arena.ofConfined()) {
			MemorySegment capture = arena.allocate(LibC.CAPTURE_LAYOUT);
			MemorySegment ucred = arena.allocate(SocketStructs.UCRED);
			MemorySegment length = arena.allocate(ValueLayout.JAVA_INT);
			length.set(ValueLayout.JAVA_INT, 0, (int) SocketStructs.UCRED.byteSize());
			if (LibC.call(capture, LibC.SYS_GETSOCKOPT, fd, Sockets.SOL_SOCKET, SO_PEERCRED, ucred.address(),
					length.address()) != 0) {
				throw new NativeCallException("getsockopt(SO_PEERCRED)", LibC.errno(capture), "");
			}
			return new Credentials(ucred.get(ValueLayout.JAVA_INT, SocketStructs.UCRED_PID),
					ucred.get(ValueLayout.JAVA_INT, SocketStructs.UCRED_UID),
					ucred.get(ValueLayout.JAVA_INT, SocketStructs.UCRED_GID));
		}
		catch (Throwable ex) {
			throw LibC.rethrow(ex);
		}
	}

}
