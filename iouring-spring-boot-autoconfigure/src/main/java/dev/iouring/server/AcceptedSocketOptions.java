package dev.iouring.server;

import java.io.IOException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import jdk.net.ExtendedSocketOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.iouring.ring.Errno;
import dev.iouring.ring.Sockets;

/**
 * Sets a listener's {@link SocketOptions} on each connection it accepts, before the handler sees the
 * connection: through setsockopt on the io_uring transport's descriptors, through the JDK's socket
 * options on the NIO transport's channels.
 *
 * <p>Only what differs from the kernel's defaults is set, so a listener with default options costs no
 * system call per connection. TCP_NODELAY on is such a default here: the io_uring listening socket sets
 * it and accepted sockets inherit it ({@link Sockets#openListener}); the NIO transport sets it on every
 * channel, the JDK's listening channel leaving it off.
 *
 * <p>TCP_USER_TIMEOUT is set on the io_uring transport only: the JDK has no socket option for it
 * ({@link ExtendedSocketOptions} offers keep-alive idle, interval and count, not the user timeout), and
 * the NIO transport has no descriptor to call setsockopt on.
 *
 * <p>A connection whose options could not be set (the peer may already have reset it) is still served:
 * the failure is counted in the loop's errors ({@code setsockopt}) and logged at a bounded rate.
 *
 * <p>Threads: immutable after construction; {@code apply} runs on the accepting loop's thread.
 */
final class AcceptedSocketOptions {

	private static final Logger logger = LoggerFactory.getLogger(AcceptedSocketOptions.class);

	private static final RateLimitedLog log = new RateLimitedLog(logger);

	private final String listener;

	private final SocketOptions options;

	/** The setsockopt calls for a descriptor, in order: level, option, value; names for messages. */
	private final int[] calls;

	private final String[] callNames;

	/**
	 * Works out the calls for a listener's options.
	 * @param listener the listener's name, for messages
	 * @param options the options
	 */
	AcceptedSocketOptions(String listener, SocketOptions options) {
		this.listener = listener;
		this.options = options;
		List<int[]> calls = new ArrayList<>();
		List<String> names = new ArrayList<>();
		if (!options.tcpNoDelay()) {
			add(calls, names, Sockets.IPPROTO_TCP, Sockets.TCP_NODELAY, 0, "TCP_NODELAY");
		}
		if (options.keepAlive()) {
			add(calls, names, Sockets.SOL_SOCKET, Sockets.SO_KEEPALIVE, 1, "SO_KEEPALIVE");
			if (!options.keepAliveIdle().isZero()) {
				add(calls, names, Sockets.IPPROTO_TCP, Sockets.TCP_KEEPIDLE, (int) options.keepAliveIdle().toSeconds(),
						"TCP_KEEPIDLE");
			}
			if (!options.keepAliveInterval().isZero()) {
				add(calls, names, Sockets.IPPROTO_TCP, Sockets.TCP_KEEPINTVL,
						(int) options.keepAliveInterval().toSeconds(), "TCP_KEEPINTVL");
			}
			if (options.keepAliveCount() > 0) {
				add(calls, names, Sockets.IPPROTO_TCP, Sockets.TCP_KEEPCNT, options.keepAliveCount(), "TCP_KEEPCNT");
			}
		}
		if (!options.userTimeout().isZero()) {
			add(calls, names, Sockets.IPPROTO_TCP, Sockets.TCP_USER_TIMEOUT, (int) options.userTimeout().toMillis(),
					"TCP_USER_TIMEOUT");
		}
		if (options.receiveBuffer() > 0) {
			add(calls, names, Sockets.SOL_SOCKET, Sockets.SO_RCVBUF, options.receiveBuffer(), "SO_RCVBUF");
		}
		if (options.sendBuffer() > 0) {
			add(calls, names, Sockets.SOL_SOCKET, Sockets.SO_SNDBUF, options.sendBuffer(), "SO_SNDBUF");
		}
		this.calls = calls.stream().flatMapToInt(Arrays::stream).toArray();
		this.callNames = names.toArray(String[]::new);
	}

	private static void add(List<int[]> calls, List<String> names, int level, int option, int value, String name) {
		calls.add(new int[] { level, option, value });
		names.add(name);
	}

	/**
	 * Sets the options on an accepted socket of the io_uring transport. Allocation-free.
	 * @param fd the accepted socket
	 * @param stats the accepting loop's statistics, which count failures
	 */
	void apply(int fd, LoopStats stats) {
		for (int call = 0; call < this.callNames.length; call++) {
			int at = call * 3;
			int errno = Sockets.setIntOption(fd, this.calls[at], this.calls[at + 1], this.calls[at + 2]);
			if (errno != 0) {
				String error = Errno.name(errno);
				failed(stats, this.callNames[call], this.calls[at + 2], error, error);
			}
		}
	}

	/**
	 * Sets the options on an accepted channel of the NIO transport (all but TCP_USER_TIMEOUT).
	 * @param channel the accepted channel
	 * @param stats the accepting loop's statistics, which count failures
	 */
	void apply(SocketChannel channel, LoopStats stats) {
		set(channel, StandardSocketOptions.TCP_NODELAY, this.options.tcpNoDelay(), stats);
		if (this.options.keepAlive()) {
			set(channel, StandardSocketOptions.SO_KEEPALIVE, true, stats);
			if (!this.options.keepAliveIdle().isZero()) {
				set(channel, ExtendedSocketOptions.TCP_KEEPIDLE, (int) this.options.keepAliveIdle().toSeconds(), stats);
			}
			if (!this.options.keepAliveInterval().isZero()) {
				set(channel, ExtendedSocketOptions.TCP_KEEPINTERVAL, (int) this.options.keepAliveInterval().toSeconds(),
						stats);
			}
			if (this.options.keepAliveCount() > 0) {
				set(channel, ExtendedSocketOptions.TCP_KEEPCOUNT, this.options.keepAliveCount(), stats);
			}
		}
		if (this.options.receiveBuffer() > 0) {
			set(channel, StandardSocketOptions.SO_RCVBUF, this.options.receiveBuffer(), stats);
		}
		if (this.options.sendBuffer() > 0) {
			set(channel, StandardSocketOptions.SO_SNDBUF, this.options.sendBuffer(), stats);
		}
	}

	private <T> void set(SocketChannel channel, SocketOption<T> option, T value, LoopStats stats) {
		try {
			channel.setOption(option, value);
		}
		catch (UnsupportedOperationException | IOException ex) {
			failed(stats, option.name(), value, ex.getClass().getSimpleName(), String.valueOf(ex.getMessage()));
		}
	}

	/** The counted error is a bounded name (an errno, an exception type); the log says more. */
	private void failed(LoopStats stats, String option, Object value, String error, String detail) {
		stats.error("setsockopt", error);
		log.warn("Listener '{}' could not set {}={} on an accepted connection ({}); the connection is served "
				+ "without it", this.listener, option, value, detail);
	}

}
