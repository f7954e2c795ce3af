package dev.iouring.server;

import java.net.InetSocketAddress;

import org.jspecify.annotations.Nullable;

/**
 * The transport's half of one connection: its socket, and nothing else. The {@link ConnectionCore}
 * decides what happens (when to read, what to send, when and how to close); a transport carries it out
 * and reports back what the socket did (bytes received, bytes sent, end of stream, a failure).
 *
 * <p>Threads: the owning loop only, except the address and credentials methods, which any thread may
 * call.
 */
interface ConnectionIo {

	/**
	 * Whether to read changed (see {@link ConnectionCore#wantsToRead}): start or stop reading to match.
	 * Bytes a transport received before it could stop are still reported, in order, when reading resumes.
	 */
	void readingChanged(ServedConnection connection);

	/** Hands the front of the outbound queue to the socket, unless a send is already under way. */
	void send(ServedConnection connection);

	/** Whether bytes handed to the socket are still on their way into it (a send in flight). */
	boolean sending();

	/** Shuts down the sending side of the socket now: the peer reads what was sent, then end of stream. */
	void shutdownOutput(ServedConnection connection) throws Exception;

	/**
	 * Bytes the socket sent that the peer's kernel has not acknowledged yet, or -1 when the transport
	 * cannot tell.
	 */
	long unacknowledgedBytes();

	/** Closes the socket, now or as soon as no request of the transport refers to it any more. */
	void close(ServedConnection connection);

	/** After a loop failure: closes the socket at once, without the transport's machinery. */
	void abandon();

	/** The peer's address, or {@code null} once the socket cannot tell (for example after a reset). */
	@Nullable InetSocketAddress remoteAddress();

	/** The local address, or {@code null} once the socket cannot tell. */
	@Nullable InetSocketAddress localAddress();

	/** The peer's credentials on a Unix socket, or {@code null} on TCP or once the socket cannot tell. */
	default @Nullable PeerCredentials peerCredentials() {
		return null;
	}

	/** What {@code toString()} adds about the transport, such as {@code ", transport=nio"}, or "". */
	String describe();

}
