package dev.iouring.ring;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;

/**
 * The BSD socket calls the server needs, through libc: open a listening socket, read addresses, shut
 * down and close. IPv4 and IPv6. Constants from {@code include/linux/socket.h},
 * {@code include/uapi/asm-generic/socket.h}, {@code include/uapi/linux/in.h}, {@code in6.h} and
 * {@code tcp.h} (the same on x86_64 and aarch64).
 */
public final class Sockets {

	static final int AF_INET = 2;

	static final int AF_INET6 = 10;

	static final int SOCK_STREAM = 1;

	/** SOCK_CLOEXEC (= O_CLOEXEC): for socket() and for accepted sockets. */
	public static final int SOCK_CLOEXEC = 02000000;

	/** Socket-level options (asm-generic/socket.h). */
	public static final int SOL_SOCKET = 1;

	static final int SO_REUSEADDR = 2;

	/** Send buffer size; the kernel doubles the value and caps it at net.core.wmem_max. */
	public static final int SO_SNDBUF = 7;

	/** Receive buffer size; the kernel doubles the value and caps it at net.core.rmem_max. */
	public static final int SO_RCVBUF = 8;

	/** Keep-alive probes on a quiet connection. */
	public static final int SO_KEEPALIVE = 9;

	static final int SO_REUSEPORT = 15;

	/** TCP-level options (linux/in.h). */
	public static final int IPPROTO_TCP = 6;

	/** Disables Nagle's algorithm (linux/tcp.h, as are the TCP options below). */
	public static final int TCP_NODELAY = 1;

	/** Seconds of quiet before the first keep-alive probe. */
	public static final int TCP_KEEPIDLE = 4;

	/** Seconds between keep-alive probes. */
	public static final int TCP_KEEPINTVL = 5;

	/** Unanswered keep-alive probes before the connection is dropped. */
	public static final int TCP_KEEPCNT = 6;

	/** Milliseconds sent data may stay unacknowledged before the connection is dropped. */
	public static final int TCP_USER_TIMEOUT = 18;

	static final int IPPROTO_IPV6 = 41;

	static final int IPV6_V6ONLY = 26;

	/** shutdown() modes. */
	/** SIOCOUTQ, the same request as TIOCOUTQ (asm-generic/ioctls.h): bytes not yet acknowledged. */
	static final long SIOCOUTQ = 0x5411;

	public static final int SHUT_RD = 0;

	public static final int SHUT_WR = 1;

	public static final int SHUT_RDWR = 2;

	/** sizeof(struct sockaddr_storage). */
	private static final int SOCKADDR_STORAGE_SIZE = 128;

	/** Each thread's buffer for the value setsockopt reads, so setting options allocates nothing. */
	private static final ThreadLocal<MemorySegment> OPTION_VALUE = ThreadLocal
		.withInitial(() -> Arena.ofAuto().allocate(ValueLayout.JAVA_INT));

	private static final ValueLayout.OfShort PORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

	private Sockets() {
	}

	/**
	 * Opens a TCP listening socket with SO_REUSEADDR, SO_REUSEPORT (so every event loop can bind the same
	 * port and the kernel spreads connections) and TCP_NODELAY (inherited by accepted sockets).
	 * @param address where to bind; the wildcard IPv6 address also takes IPv4 (dual stack)
	 * @param backlog the listen backlog
	 * @return the listening socket's fd
	 * @throws NativeCallException naming the failing call, e.g. bind with EADDRINUSE
	 */
	public static int openListener(InetSocketAddress address, int backlog) {
		return openListener(address, backlog, 0);
	}

	/**
	 * Opens a TCP listening socket as {@link #openListener(InetSocketAddress, int)} does, with a cap on
	 * its receive buffer. The cap is set before listen(): connections inherit it from the listening socket,
	 * the window scale their handshake announces is worked out from it (tcp(7)), and data a peer sends
	 * before the connection is accepted is held to it.
	 * @param address where to bind; the wildcard IPv6 address also takes IPv4 (dual stack)
	 * @param backlog the listen backlog
	 * @param receiveBuffer the SO_RCVBUF value in bytes, or 0 for the kernel's default
	 * @return the listening socket's fd
	 * @throws NativeCallException naming the failing call, e.g. bind with EADDRINUSE
	 */
	public static int openListener(InetSocketAddress address, int backlog, int receiveBuffer) {
		InetAddress ip = address.getAddress();
		int family = (ip instanceof Inet6Address) ? AF_INET6 : AF_INET;
		try (Arena arena = Arena.ofConfined()) {
			MemorySegment capture = arena.allocate(LibC.CAPTURE_LAYOUT);
			int fd = (int) LibC.call(capture, LibC.SYS_SOCKET, family, SOCK_STREAM | SOCK_CLOEXEC, 0);
			if (fd < 0) {
				throw new NativeCallException("socket", LibC.errno(capture), "");
			}
			try {
				MemorySegment one = arena.allocate(ValueLayout.JAVA_INT);
				one.set(ValueLayout.JAVA_INT, 0, 1);
				setOption(capture, fd, SOL_SOCKET, SO_REUSEADDR, one, "SO_REUSEADDR");
				setOption(capture, fd, SOL_SOCKET, SO_REUSEPORT, one, "SO_REUSEPORT");
				setOption(capture, fd, IPPROTO_TCP, TCP_NODELAY, one, "TCP_NODELAY");
				if (receiveBuffer > 0) {
					MemorySegment size = arena.allocate(ValueLayout.JAVA_INT);
					size.set(ValueLayout.JAVA_INT, 0, receiveBuffer);
					setOption(capture, fd, SOL_SOCKET, SO_RCVBUF, size, "SO_RCVBUF");
				}
				if (family == AF_INET6 && ip.isAnyLocalAddress()) {
					MemorySegment zero = arena.allocate(ValueLayout.JAVA_INT);
					setOption(capture, fd, IPPROTO_IPV6, IPV6_V6ONLY, zero, "IPV6_V6ONLY");
				}
				MemorySegment sockaddr = arena.allocate(SOCKADDR_STORAGE_SIZE, 8);
				int length = encode(address, sockaddr);
				if (LibC.call(capture, LibC.SYS_BIND, fd, sockaddr.address(), length) != 0) {
					int errno = LibC.errno(capture);
					throw new NativeCallException("bind " + address, errno, bindHint(errno));
				}
				if (LibC.call(capture, LibC.SYS_LISTEN, fd, backlog) != 0) {
					throw new NativeCallException("listen", LibC.errno(capture), "");
				}
				return fd;
			}
			catch (Throwable ex) {
				close(fd);
				throw ex;
			}
		}
		catch (Throwable ex) {
			throw LibC.rethrow(ex);
		}
	}

	private static String bindHint(int errno) {
		return switch (errno) {
			case Errno.EADDRINUSE -> "another process listens on this port";
			case Errno.EACCES -> "ports below 1024 need root or CAP_NET_BIND_SERVICE";
			case Errno.EADDRNOTAVAIL -> "the address is not one of this machine's";
			default -> "";
		};
	}

	private static void setOption(MemorySegment capture, int fd, int level, int option, MemorySegment value,
			String name) throws Throwable {
		if (LibC.call(capture, LibC.SYS_SETSOCKOPT, fd, level, option, value.address(), value.byteSize()) != 0) {
			throw new NativeCallException("setsockopt(" + name + ")", LibC.errno(capture), "");
		}
	}

	/**
	 * Sets an int-valued socket option (setsockopt). Allocation-free after the first call on a thread.
	 * @param fd the socket
	 * @param level {@link #SOL_SOCKET} or {@link #IPPROTO_TCP}
	 * @param option the option, e.g. {@link #SO_KEEPALIVE}
	 * @param value the value
	 * @return 0, or the errno
	 */
	public static int setIntOption(int fd, int level, int option, int value) {
		try {
			MemorySegment capture = LibC.capture();
			MemorySegment scratch = OPTION_VALUE.get();
			scratch.set(ValueLayout.JAVA_INT, 0, value);
			long result = LibC.call(capture, LibC.SYS_SETSOCKOPT, fd, level, option, scratch.address(),
					ValueLayout.JAVA_INT.byteSize());
			return (result == 0) ? 0 : LibC.errno(capture);
		}
		catch (Throwable ex) {
			throw LibC.rethrow(ex);
		}
	}

	/**
	 * Reads an int-valued socket option (getsockopt).
	 * @param fd the socket
	 * @param level {@link #SOL_SOCKET} or {@link #IPPROTO_TCP}
	 * @param option the option, e.g. {@link #SO_RCVBUF}
	 * @return the value
	 * @throws NativeCallException if the kernel refuses
	 */
	public static int intOption(int fd, int level, int option) {
		try (Arena arena = Arena.ofConfined()) {
			MemorySegment capture = arena.allocate(LibC.CAPTURE_LAYOUT);
			MemorySegment value = arena.allocate(ValueLayout.JAVA_INT);
			MemorySegment length = arena.allocate(ValueLayout.JAVA_INT);
			length.set(ValueLayout.JAVA_INT, 0, (int) ValueLayout.JAVA_INT.byteSize());
			if (LibC.call(capture, LibC.SYS_GETSOCKOPT, fd, level, option, value.address(), length.address()) != 0) {
				throw new NativeCallException("getsockopt(" + level + ", " + option + ")", LibC.errno(capture), "");
			}
			return value.get(ValueLayout.JAVA_INT, 0);
		}
		catch (Throwable ex) {
			throw LibC.rethrow(ex);
		}
	}

	/**
	 * Returns the address a socket is bound to (getsockname).
	 * @param fd the socket
	 * @return the local address
	 */
	public static InetSocketAddress localAddress(int fd) {
		return address(fd, true);
	}

	/**
	 * Returns the address of a connected socket's peer (getpeername).
	 * @param fd the socket
	 * @return the remote address
	 */
	public static InetSocketAddress remoteAddress(int fd) {
		return address(fd, false);
	}

	private static InetSocketAddress address(int fd, boolean local) {
		try (Arena arena = Arena.ofConfined()) {
			MemorySegment capture = arena.allocate(LibC.CAPTURE_LAYOUT);
			MemorySegment sockaddr = arena.allocate(SOCKADDR_STORAGE_SIZE, 8);
			MemorySegment length = arena.allocate(ValueLayout.JAVA_INT);
			length.set(ValueLayout.JAVA_INT, 0, SOCKADDR_STORAGE_SIZE);
			long result = LibC.call(capture, local ? LibC.SYS_GETSOCKNAME : LibC.SYS_GETPEERNAME, fd, sockaddr.address(),
					length.address());
			if (result != 0) {
				throw new NativeCallException(local ? "getsockname" : "getpeername", LibC.errno(capture), "");
			}
			return decode(sockaddr);
		}
		catch (Throwable ex) {
			throw LibC.rethrow(ex);
		}
	}

	/**
	 * Shuts down part of a connection.
	 * @param fd the socket
	 * @param how {@link #SHUT_RD}, {@link #SHUT_WR} or {@link #SHUT_RDWR}
	 * @return 0, or the errno
	 */
	public static int shutdown(int fd, int how) {
		try {
			MemorySegment capture = LibC.capture();
			return (LibC.call(capture, LibC.SYS_SHUTDOWN, fd, how) == 0) ? 0 : LibC.errno(capture);
		}
		catch (Throwable ex) {
			throw LibC.rethrow(ex);
		}
	}

	/**
	 * Returns the bytes of a TCP socket's send queue that the peer has not acknowledged yet
	 * (ioctl SIOCOUTQ). Until it is 0, closing the socket while the peer still sends would make the kernel
	 * answer with a reset and throw those bytes away; once it is 0 every byte sent sits in the peer's
	 * kernel, where a reset no longer discards it.
	 * @param fd the socket
	 * @return the byte count, or -1 if the kernel would not say
	 */
	public static int unacknowledgedBytes(int fd) {
		try (Arena arena = Arena.ofConfined()) {
			MemorySegment capture = arena.allocate(LibC.CAPTURE_LAYOUT);
			MemorySegment count = arena.allocate(ValueLayout.JAVA_INT);
			long result = LibC.call(capture, LibC.SYS_IOCTL, fd, SIOCOUTQ, count.address());
			return (result == 0) ? count.get(ValueLayout.JAVA_INT, 0) : -1;
		}
		catch (Throwable ex) {
			throw LibC.rethrow(ex);
		}
	}

	/**
	 * Closes a descriptor. Allocation-free after the first call on a thread.
	 * @param fd the descriptor
	 * @return 0, or the errno
	 */
	public static int close(int fd) {
		try {
			MemorySegment capture = LibC.capture();
			return (LibC.call(capture, LibC.SYS_CLOSE, fd) == 0) ? 0 : LibC.errno(capture);
		}
		catch (Throwable ex) {
			throw LibC.rethrow(ex);
		}
	}

	/**
	 * Writes a socket address as a {@code struct sockaddr_in} or {@code sockaddr_in6}.
	 * @param address the address
	 * @param sockaddr at least 28 bytes
	 * @return the struct's length
	 */
	static int encode(InetSocketAddress address, MemorySegment sockaddr) {
		InetAddress ip = address.getAddress();
		sockaddr.fill((byte) 0);
		if (ip instanceof Inet6Address ip6) {
			// sockaddr_in6: family u16 | port u16 (network order) | flowinfo u32 | addr[16] | scope_id u32
			sockaddr.set(ValueLayout.JAVA_SHORT, 0, (short) AF_INET6);
			sockaddr.set(PORT, SocketStructs.SIN6_PORT, (short) address.getPort());
			MemorySegment.copy(ip6.getAddress(), 0, sockaddr, ValueLayout.JAVA_BYTE, SocketStructs.SIN6_ADDR, 16);
			sockaddr.set(ValueLayout.JAVA_INT, SocketStructs.SIN6_SCOPE_ID, ip6.getScopeId());
			return (int) SocketStructs.SOCKADDR_IN6.byteSize();
		}
		// sockaddr_in: family u16 | port u16 (network order) | addr[4] | zero[8]
		sockaddr.set(ValueLayout.JAVA_SHORT, 0, (short) AF_INET);
		sockaddr.set(PORT, SocketStructs.SIN_PORT, (short) address.getPort());
		MemorySegment.copy(((Inet4Address) ip).getAddress(), 0, sockaddr, ValueLayout.JAVA_BYTE, SocketStructs.SIN_ADDR,
				4);
		return (int) SocketStructs.SOCKADDR_IN.byteSize();
	}

	/**
	 * Reads a {@code struct sockaddr_in} or {@code sockaddr_in6}.
	 * @param sockaddr the struct
	 * @return the address
	 */
	static InetSocketAddress decode(MemorySegment sockaddr) {
		int family = sockaddr.get(ValueLayout.JAVA_SHORT, 0);
		// sin_port and sin6_port share an offset.
		int port = Short.toUnsignedInt(sockaddr.get(PORT, SocketStructs.SIN_PORT));
		try {
			if (family == AF_INET6) {
				byte[] ip = new byte[16];
				MemorySegment.copy(sockaddr, ValueLayout.JAVA_BYTE, SocketStructs.SIN6_ADDR, ip, 0, 16);
				int scope = sockaddr.get(ValueLayout.JAVA_INT, SocketStructs.SIN6_SCOPE_ID);
				InetAddress address = (scope != 0) ? Inet6Address.getByAddress(null, ip, scope)
						: InetAddress.getByAddress(ip);
				return new InetSocketAddress(address, port);
			}
			if (family == AF_INET) {
				byte[] ip = new byte[4];
				MemorySegment.copy(sockaddr, ValueLayout.JAVA_BYTE, SocketStructs.SIN_ADDR, ip, 0, 4);
				return new InetSocketAddress(InetAddress.getByAddress(ip), port);
			}
		}
		catch (UnknownHostException ex) {
			throw new IllegalStateException(ex);
		}
		throw new IllegalArgumentException("unsupported address family " + family);
	}

}
