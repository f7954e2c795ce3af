package dev.iouring.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnsupportedAddressTypeException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure that a listener whose settings do not allow sharing ({@link ListenerSettings#reusePort()}
 * false) is the only one listening on its port.
 *
 * <p>Why this is needed: each event loop has a listening socket of its own per listener, and they share
 * the port through SO_REUSEPORT. The kernel then also lets any other socket of the same user that sets
 * SO_REUSEPORT join the port, with no error on either side: a second server starts "successfully" and
 * the kernel spreads new connections between the two. The kernel has no way to share a port among a
 * chosen set of sockets only, so ownership is checked around binding, on both transports alike:
 * <ol>
 * <li>{@link #probe} before the loops bind: a socket without SO_REUSEPORT, with SO_REUSEADDR as the
 * loops' sockets have (so TIME_WAIT leftovers do not count), binds the listener's address and port and
 * is closed again. It binds but never listens, so it takes no connection. The kernel refuses the bind
 * (EADDRINUSE) when any socket listens on an overlapping address and port, with SO_REUSEPORT or
 * without. Refusing here, before listening, means the other server loses no connection to this one.
 * <li>{@link #verify} once every loop listens: counts the listening sockets on the port whose address
 * overlaps the listener's, in {@code /proc/net/tcp} and {@code tcp6}, and fails when there are more than
 * this server opened. This closes the race of two servers starting at the same instant, whose probes can
 * both pass before either listens: each counts after its own sockets listen, so the one that counts
 * last sees the other's sockets and fails (both fail if both count late): two servers on the same
 * address never both pass.
 * A server that fails here may have accepted a few connections in between; stopping it closes them.
 * </ol>
 *
 * <p>What it cannot do: a program that sets SO_REUSEPORT and starts after this server has passed both
 * checks still joins the port, because the kernel allows it; only that program can check. Where
 * {@code /proc/net/tcp} does not exist (not Linux) or cannot be read, only the probe runs.
 */
final class PortOwnership {

	private static final Logger logger = LoggerFactory.getLogger(PortOwnership.class);

	private static final InetAddress ANY_IPV6 = anyIpv6();

	private PortOwnership() {
	}

	/**
	 * Fails if another socket listens on the fixed port of a listener that must own it. Port 0 needs no
	 * probe: the system gives the first loop a port nobody listens on.
	 * @param listeners the server's listeners
	 * @throws PortInUseException if a listener's port is taken
	 */
	static void probe(ListenerRuntime[] listeners) {
		for (ListenerRuntime listener : listeners) {
			ListenerSettings settings = listener.settings();
			if (settings.reusePort() || settings.port() == 0 || settings.unixSocket() != null) {
				continue;
			}
			// No address: the wildcard, which is IPv6 any taking IPv4 too where the system has IPv6, as the
			// loops' own sockets bind it.
			InetSocketAddress endpoint = (settings.address() != null)
					? new InetSocketAddress(settings.address(), settings.port())
					: new InetSocketAddress(settings.port());
			try (SocketChannel probe = SocketChannel.open()) {
				probe.setOption(StandardSocketOptions.SO_REUSEADDR, true);
				probe.bind(endpoint);
			}
			catch (BindException ex) {
				if (isAddressInUse(ex)) {
					throw new PortInUseException(listener.name(), settings.port(),
							"EADDRINUSE: another socket is bound to it", ex);
				}
				// Any other refusal (address not ours, privileged port) the loops' own bind reports.
			}
			catch (IOException | UnsupportedAddressTypeException ex) {
				// As above: the loops' bind fails the same way and says why.
			}
		}
	}

	/**
	 * Fails if, now that every loop listens, a listener that must own its port finds more listening
	 * sockets on it than this server opened.
	 * @param listeners the server's listeners, each bound
	 * @param socketsPerListener how many listening sockets the server opened for each listener
	 * @throws PortInUseException if another socket listens on a listener's port
	 */
	static void verify(ListenerRuntime[] listeners, int socketsPerListener) {
		if (Arrays.stream(listeners).allMatch((listener) -> listener.settings().reusePort() || listener.isUnix())) {
			return;
		}
		List<InetSocketAddress> listening;
		try {
			listening = ListeningSockets.read();
		}
		catch (UncheckedIOException ex) {
			// A sandbox may hide the tables; refusing to start for that would turn a check into an outage.
			logger.warn("Cannot count the sockets listening on this server's ports ({}); only the check before "
					+ "binding guards them against another server", ex.getMessage());
			return;
		}
		if (listening == null) {
			return;
		}
		for (ListenerRuntime listener : listeners) {
			// A Unix listener's name cannot be bound twice: UnixSocketFile checks it before binding.
			if (listener.settings().reusePort() || listener.isUnix()) {
				continue;
			}
			int port = listener.boundPort();
			InetAddress address = listener.settings().address();
			long present = listening.stream()
				.filter((socket) -> socket.getPort() == port && overlaps(address, socket.getAddress()))
				.count();
			// Another listener of this server may overlap too: the wildcard and a specific address, same port.
			long ours = socketsPerListener * Arrays.stream(listeners)
				.filter((other) -> !other.isUnix() && other.boundPort() == port
						&& overlaps(address, other.settings().address()))
				.count();
			if (present > ours) {
				throw new PortInUseException(listener.name(), port, (present - ours)
						+ " other listening socket(s) share it through SO_REUSEPORT besides this server's " + ours,
						null);
			}
		}
	}

	/**
	 * Whether a socket found listening takes some of the connections meant for a listener's address: the
	 * same address, or one is a wildcard covering the other. A listener without an address binds the IPv6
	 * wildcard taking IPv4 too, so it covers everything; so does the listener's own IPv6 wildcard, which
	 * the transports bind dual-stack. An IPv6 wildcard found on the system may be IPv6 only (the tables
	 * do not say), so it counts against IPv6 addresses only: the probe, which the kernel answers knowing
	 * the option, covers the other case.
	 * @param ours the listener's address, or {@code null} for the default wildcard
	 * @param found the address of a listening socket, or {@code null} for a listener's default wildcard
	 * @return whether the two overlap
	 */
	static boolean overlaps(@Nullable InetAddress ours, @Nullable InetAddress found) {
		InetAddress own = (ours != null) ? ours : ANY_IPV6;
		InetAddress other = (found != null) ? found : ANY_IPV6;
		if (Arrays.equals(own.getAddress(), other.getAddress())) {
			return true;
		}
		if (own.isAnyLocalAddress()) {
			return own instanceof Inet6Address || other instanceof Inet4Address;
		}
		if (other.isAnyLocalAddress()) {
			return (other instanceof Inet6Address) == (own instanceof Inet6Address);
		}
		return false;
	}

	/**
	 * Only "address already in use" (EADDRINUSE, whose text the JDK takes from strerror) means the port is
	 * taken; EADDRNOTAVAIL is a BindException too.
	 */
	private static boolean isAddressInUse(IOException ex) {
		String message = ex.getMessage();
		return message != null && message.toLowerCase(Locale.ROOT).contains("in use");
	}

	private static InetAddress anyIpv6() {
		try {
			return InetAddress.getByAddress(new byte[16]);
		}
		catch (UnknownHostException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
