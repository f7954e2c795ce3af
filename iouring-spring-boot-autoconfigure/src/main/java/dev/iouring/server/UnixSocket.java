package dev.iouring.server;

import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * Where a listener binds a Unix domain socket: a path in the file system ({@code unix:/run/app.sock}),
 * or a name in Linux's abstract namespace ({@code unix:@app}), which has no file and vanishes with the
 * socket. A path's socket file gets {@code permissions} once bound (connecting to it takes write
 * permission); an abstract name has no file, so it has none.
 *
 * @param name the path, or the abstract name without its {@code @}; at most {@value #MAX_NAME_BYTES}
 * bytes in UTF-8, no NUL
 * @param abstractNamespace whether {@code name} is an abstract name rather than a path
 * @param permissions the socket file's permissions; ignored for an abstract name
 */
public record UnixSocket(String name, boolean abstractNamespace, Set<PosixFilePermission> permissions) {

	/** How a listener's address names a Unix socket. */
	public static final String SCHEME = "unix:";

	/** sun_path holds 108 bytes, one of which is the path's terminating NUL or the abstract name's leading one. */
	public static final int MAX_NAME_BYTES = 107;

	/** Default permissions of a socket file: its owner and group may connect, nobody else. */
	public static final Set<PosixFilePermission> DEFAULT_PERMISSIONS = PosixFilePermissions.fromString("rw-rw----");

	public UnixSocket {
		if (name.isEmpty()) {
			throw new IllegalArgumentException("a Unix socket needs a path after 'unix:' (unix:/run/app.sock) or a "
					+ "name after 'unix:@' (unix:@app)");
		}
		if (name.indexOf('\0') >= 0) {
			throw new IllegalArgumentException("a Unix socket name must not contain a NUL character");
		}
		int bytes = name.getBytes(StandardCharsets.UTF_8).length;
		if (bytes > MAX_NAME_BYTES) {
			throw new IllegalArgumentException("a Unix socket " + (abstractNamespace ? "name" : "path") + " takes at most "
					+ MAX_NAME_BYTES + " bytes (the kernel's sun_path) but '" + name + "' has " + bytes
					+ "; choose a shorter one");
		}
		permissions = Set.copyOf(permissions);
	}

	/**
	 * Returns whether a listener address names a Unix socket.
	 * @param address the address as configured
	 * @return whether it starts with {@value #SCHEME}
	 */
	public static boolean isUnix(@Nullable String address) {
		return address != null && address.startsWith(SCHEME);
	}

	/**
	 * Reads {@code unix:/path} or {@code unix:@name}.
	 * @param address the address
	 * @param permissions the socket file's permissions
	 * @return the socket
	 * @throws IllegalArgumentException if the address is not of that form or its name is too long
	 */
	public static UnixSocket parse(String address, Set<PosixFilePermission> permissions) {
		if (!isUnix(address)) {
			throw new IllegalArgumentException("a Unix socket address starts with 'unix:' but was '" + address + "'");
		}
		String rest = address.substring(SCHEME.length());
		boolean abstractName = rest.startsWith("@");
		return new UnixSocket(abstractName ? rest.substring(1) : rest, abstractName, permissions);
	}

	/**
	 * Reads permissions written as {@code ls -l} shows them ({@code rw-rw----}) or in octal
	 * ({@code 0660} or {@code 660}).
	 * @param text the permissions
	 * @return the permissions
	 * @throws IllegalArgumentException if the text is neither, or sets bits beyond the nine permission bits
	 */
	public static Set<PosixFilePermission> parsePermissions(String text) {
		String value = text.strip();
		if (value.matches("0?[0-7]{3}")) {
			int bits = Integer.parseInt(value, 8);
			Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
			PosixFilePermission[] byBit = PosixFilePermission.values();
			for (int i = 0; i < byBit.length; i++) {
				// PosixFilePermission lists OWNER_READ first: the highest of the nine bits.
				if ((bits & (1 << (byBit.length - 1 - i))) != 0) {
					permissions.add(byBit[i]);
				}
			}
			return permissions;
		}
		if (value.matches("[r-][w-][x-][r-][w-][x-][r-][w-][x-]")) {
			return PosixFilePermissions.fromString(value);
		}
		throw new IllegalArgumentException("permissions must be written like 'rw-rw----' or in octal like '0660' "
				+ "(setuid, setgid and sticky bits are not allowed) but were '" + text + "'");
	}

	/**
	 * Returns the socket file's path.
	 * @return the path, or {@code null} for an abstract name
	 */
	public @Nullable Path path() {
		return this.abstractNamespace ? null : Path.of(this.name);
	}

	/**
	 * Returns the socket's address as the JDK names Unix sockets.
	 * @return the address, or {@code null} for an abstract name, which the JDK cannot represent
	 */
	public @Nullable UnixDomainSocketAddress socketAddress() {
		return this.abstractNamespace ? null : UnixDomainSocketAddress.of(this.name);
	}

	/**
	 * Returns the name's bytes as bind() takes them, without the terminating or leading NUL.
	 * @return the UTF-8 bytes
	 */
	byte[] nameBytes() {
		return this.name.getBytes(StandardCharsets.UTF_8);
	}

	/**
	 * Returns the address as it is configured.
	 * @return {@code unix:/path} or {@code unix:@name}
	 */
	@Override
	public String toString() {
		return SCHEME + (this.abstractNamespace ? "@" : "") + this.name;
	}

}
