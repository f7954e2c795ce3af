package dev.iouring.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.Channel;
import java.nio.channels.ServerSocketChannel;
import java.util.Locale;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


/**
 * Opens the listening channels of the NIO transport.
 *
 * <p>Where the platform has {@code SO_REUSEPORT} (Linux, the BSDs, macOS) every loop binds its own channel
 * to the listener's port and the kernel spreads connections over them, as the io_uring transport does.
 * The first channel bound fixes the port, which matters with port 0: the others then bind the same one.
 *
 * <p>A listener's receive-buffer cap is set on its listening channel before it binds, so accepted
 * connections inherit it and announce a window scale that fits it (tcp(7): the buffer size must be set
 * before listen).
 */
final class ListenerChannels {

	private static final Logger logger = LoggerFactory.getLogger(ListenerChannels.class);

	private ListenerChannels() {
	}

	/**
	 * Returns whether listening channels can share a port with {@code SO_REUSEPORT} here.
	 * @return whether the option is supported
	 */
	static boolean reusePortSupported() {
		try (ServerSocketChannel channel = ServerSocketChannel.open()) {
			return channel.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT);
		}
		catch (IOException ex) {
			return false;
		}
	}

	/**
	 * Binds a non-blocking listening channel for a listener, on the port an earlier loop bound if there
	 * is one, and records the bound port when this is the first.
	 * @param listener the listener
	 * @param reusePort whether to share the port with the other loops' channels
	 * @return the bound channel
	 * @throws PortInUseException if the port is taken
	 */
	static ServerSocketChannel bind(ListenerRuntime listener, boolean reusePort) {
		int port = (listener.boundPort() >= 0) ? listener.boundPort() : listener.settings().port();
		InetAddress address = listener.settings().address();
		// No address: the wildcard, which on a dual-stack system is IPv6 any and takes IPv4 too.
		InetSocketAddress endpoint = (address != null) ? new InetSocketAddress(address, port)
				: new InetSocketAddress(port);
		@Nullable ServerSocketChannel channel = null;
		try {
			channel = ServerSocketChannel.open();
			channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
			if (reusePort) {
				channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
			}
			SocketOptions options = listener.settings().socketOptions();
			if (options.receiveBuffer() > 0) {
				channel.setOption(StandardSocketOptions.SO_RCVBUF, options.receiveBuffer());
			}
			if (listener.boundPort() < 0 && !options.userTimeout().isZero()) {
				logger.warn("NIO listener '{}' ignores its socket user-timeout ({}): the JDK has no TCP_USER_TIMEOUT "
						+ "socket option. Run on the io_uring transport to apply it, or rely on keep-alive to drop "
						+ "dead peers", listener.name(), options.userTimeout());
			}
			channel.bind(endpoint, listener.settings().backlog());
			channel.configureBlocking(false);
			if (listener.boundPort() < 0) {
				listener.boundPort(((InetSocketAddress) channel.getLocalAddress()).getPort());
			}
			return channel;
		}
		catch (IOException ex) {
			closeQuietly(channel);
			if (ex instanceof BindException && isAddressInUse(ex)) {
				throw new PortInUseException(listener.name(), port, ex);
			}
			throw new UncheckedIOException("NIO listener '" + listener.name() + "' could not bind " + endpoint + ": "
					+ ex.getMessage(), ex);
		}
	}

	/**
	 * Binds a non-blocking listening channel for a Unix listener on a path, and sets the socket file's
	 * permissions. The JDK binds and listens in one call, so for the moment between it and the chmod the
	 * file has the mode the process's umask gives it.
	 * @param listener the listener
	 * @return the bound channel
	 * @throws PortInUseException if another socket is bound to the path
	 */
	static ServerSocketChannel bindUnix(ListenerRuntime listener) {
		UnixSocket unix = listener.settings().unixSocket();
		@Nullable ServerSocketChannel channel = null;
		try {
			channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
			channel.bind(unix.socketAddress(), listener.settings().backlog());
			if (listener.unixFile != null) {
				listener.unixFile.bound();
			}
			channel.configureBlocking(false);
			return channel;
		}
		catch (IOException ex) {
			closeQuietly(channel);
			if (ex instanceof BindException && isAddressInUse(ex)) {
				throw new PortInUseException(listener.name(), unix, "EADDRINUSE: another socket is bound to it", ex);
			}
			throw new UncheckedIOException("NIO listener '" + listener.name() + "' could not bind " + unix + ": "
					+ ex.getMessage(), ex);
		}
		catch (RuntimeException ex) {
			closeQuietly(channel);
			if (listener.unixFile != null) {
				listener.unixFile.remove();
			}
			throw ex;
		}
	}

	/**
	 * EADDRNOTAVAIL is a BindException too; only "address already in use" (EADDRINUSE, whose text the JDK
	 * takes from strerror) means the port is taken.
	 */
	private static boolean isAddressInUse(IOException ex) {
		String message = ex.getMessage();
		return message != null && message.toLowerCase(Locale.ROOT).contains("in use");
	}

	static void closeQuietly(@Nullable Channel channel) {
		if (channel != null) {
			try {
				channel.close();
			}
			catch (IOException ex) {
				// Closing a socket only fails for a descriptor that is already gone: nothing is left to free.
			}
		}
	}

}
