package dev.iouring.autoconfigure;

import java.net.InetAddress;
import java.net.UnknownHostException;

import org.jspecify.annotations.Nullable;

import dev.iouring.server.UnixSocket;

/**
 * What a listener's {@code address} property names: an IP address (or a host name, resolved once at
 * startup as Boot resolves {@code server.address}), a Unix domain socket ({@code unix:/path} or
 * {@code unix:@name}), or neither, for all interfaces.
 *
 * @param inet the IP address, or {@code null}
 * @param unix the Unix socket, or {@code null}
 */
record ListenerAddress(@Nullable InetAddress inet, @Nullable UnixSocket unix) {

	/** No address: every interface. */
	static final ListenerAddress ANY = new ListenerAddress(null, null);

	/**
	 * Reads an address property.
	 * @param address the property's value, or {@code null} when unset
	 * @param permissions the {@code unix-socket-permissions} that apply, used for a Unix socket on a path
	 * @return the address
	 * @throws IllegalArgumentException with a reason fit for the property report, if the address or, for
	 * a Unix socket, the permissions are invalid
	 */
	static ListenerAddress of(@Nullable String address, String permissions) {
		if (address == null || address.isBlank()) {
			return ANY;
		}
		if (UnixSocket.isUnix(address)) {
			return new ListenerAddress(null, UnixSocket.parse(address, UnixSocket.parsePermissions(permissions)));
		}
		try {
			return new ListenerAddress(InetAddress.getByName(address.strip()), null);
		}
		catch (UnknownHostException ex) {
			throw new IllegalArgumentException("is neither an IP address nor a host name this machine resolves; for a Unix "
					+ "domain socket write unix:/path/to.sock (or unix:@name)");
		}
	}

	/**
	 * Returns whether the address is a Unix domain socket.
	 * @return whether {@link #unix()} is set
	 */
	boolean isUnix() {
		return this.unix != null;
	}

}
