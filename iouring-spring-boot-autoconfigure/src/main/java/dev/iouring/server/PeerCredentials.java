package dev.iouring.server;

import org.jspecify.annotations.Nullable;

/**
 * Who is at the other end of a Unix socket connection, as the kernel recorded it when the peer
 * connected ({@code SO_PEERCRED}). The kernel vouches for these, unlike anything the peer sends, so they
 * can decide what a connection may do.
 *
 * <p>What each transport can tell: io_uring asks the kernel itself and gives the numbers
 * ({@code pid}, {@code uid}, {@code gid}) and no names; NIO asks through the JDK, which gives the user and
 * group names only ({@code jdk.net.UnixDomainPrincipal}), so there the numbers are {@link #UNKNOWN}.
 *
 * @param pid the peer's process id, or {@link #UNKNOWN}; 0 when the peer lives in a pid namespace this
 * process cannot see
 * @param uid the peer's effective user id, or {@link #UNKNOWN}
 * @param gid the peer's effective group id, or {@link #UNKNOWN}
 * @param user the peer's user name, or {@code null} when the transport gives none
 * @param group the peer's group name, or {@code null} when the transport gives none
 */
public record PeerCredentials(long pid, long uid, long gid, @Nullable String user, @Nullable String group) {

	/** A number the transport cannot tell. */
	public static final long UNKNOWN = -1;

}
