package dev.iouring.server;

import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

import org.jspecify.annotations.Nullable;

/**
 * One accepted connection, over TCP or a Unix domain socket, as handlers see it.
 *
 * <p>Every method is safe to call from any thread. Writes keep their order: bytes written by one thread
 * are sent in the order of the calls, and a write made on the event-loop thread is copied before the
 * method returns, so the caller may reuse its buffer at once. Writes made after the connection closed
 * are ignored ({@link #isOpen()} tells).
 */
public interface Connection {

	/**
	 * Returns an id unique among the connections of this server while it runs.
	 * @return the connection id
	 */
	long id();

	/**
	 * Returns the name of the listener that accepted this connection.
	 * @return the listener name
	 */
	String listenerName();

	/**
	 * Queues bytes for sending.
	 * @param data the bytes; may be the view passed to {@link TcpHandler#onData}
	 */
	void write(Bytes data);

	/**
	 * Queues bytes for sending.
	 * @param data the bytes
	 */
	default void write(byte[] data) {
		write(data, 0, data.length);
	}

	/**
	 * Queues part of an array for sending.
	 * @param data the array
	 * @param offset the first byte to send
	 * @param length how many bytes to send
	 */
	void write(byte[] data, int offset, int length);

	/**
	 * Queues the remaining bytes of a buffer for sending; the buffer's position is advanced to its limit.
	 * @param data the buffer
	 */
	void write(ByteBuffer data);

	/**
	 * Queues the bytes of a memory segment for sending.
	 * @param data the segment
	 */
	void write(MemorySegment data);

	/**
	 * Queues text for sending, encoded as UTF-8.
	 * @param text the text
	 */
	void write(CharSequence text);

	/**
	 * Closes the connection once every byte written so far has been sent. Idempotent.
	 */
	void close();

	/**
	 * Half-closes the connection: once every byte written so far is sent, the peer sees end of stream
	 * (shutdown of the write side). Reading goes on; writes after this are ignored.
	 */
	void shutdownOutput();

	/**
	 * Closes the connection at once, discarding bytes not yet sent. Idempotent.
	 */
	void abort();

	/**
	 * Returns whether the connection is open: not closed, not closing, not aborted.
	 * @return {@code true} while writes are accepted
	 */
	boolean isOpen();

	/**
	 * Returns whether the connection is writable: {@code false} from the moment the bytes queued for
	 * sending pass the high water mark until they fall to the low water mark, exactly the span between
	 * the two {@link TcpHandler#onWritabilityChanged} calls. Meanwhile the server stops reading from it.
	 * @return {@code true} if the application may keep writing without growing the queue further
	 */
	boolean isWritable();

	/**
	 * Returns the peer's address, or {@code null} once the connection is closed and it was never asked.
	 * On a listener that reads the PROXY protocol, this is the original client the header names (its
	 * {@link ProxyHeader#sourceAddress()}), and the proxy's own address is {@link #proxyAddress()}; when
	 * the header names no client (a {@code LOCAL} health check, a v1 {@code UNKNOWN} line) or none was
	 * sent ({@code optional}), it is the socket's peer.
	 * <p>On a listener bound to a Unix domain socket the peer has no IP address, so this is {@code null}
	 * unless a PROXY protocol header named a client; who the peer is, the kernel tells through
	 * {@link #peerCredentials()}.
	 * @return the remote address
	 */
	@Nullable InetSocketAddress remoteAddress();

	/**
	 * Returns what the TLS handshake agreed on a listener with TLS: protocol, cipher suite, the server
	 * name the client asked for (SNI), and the client's certificate chain under mutual TLS. Handlers are
	 * called only once the handshake finished, so it never changes while they see the connection.
	 * @return the negotiated session, or {@code null} on a plaintext listener
	 */
	default @Nullable NegotiatedTls tls() {
		return null;
	}

	/**
	 * Returns the PROXY protocol header the connection started with, on a listener whose
	 * {@code proxy-protocol} is {@code on} or {@code optional}. Handlers are called only once the header
	 * has been read, so it never changes while they see the connection.
	 * @return the header, or {@code null} when the listener reads none or the connection sent none
	 */
	default @Nullable ProxyHeader proxyHeader() {
		return null;
	}

	/**
	 * Returns the socket's peer when a PROXY protocol header replaced it in {@link #remoteAddress()}:
	 * the load balancer's address, for logs and for checking that the header came from a trusted proxy.
	 * @return the proxy's address, or {@code null} when {@link #remoteAddress()} already is the socket's
	 * peer (no header, or one that names no client)
	 */
	default @Nullable InetSocketAddress proxyAddress() {
		return null;
	}

	/**
	 * Returns the local address the connection was accepted on.
	 * @return the local address, or {@code null} on a listener bound to a Unix domain socket (see
	 * {@link #localSocketAddress()})
	 */
	@Nullable InetSocketAddress localAddress();

	/**
	 * Returns the local address whatever the socket's family: the {@link #localAddress()} of a TCP
	 * connection, or the {@link java.net.UnixDomainSocketAddress} of the listener's socket file on a Unix
	 * listener.
	 * @return the address, or {@code null} when the socket cannot tell, and for a socket in Linux's
	 * abstract namespace, which the JDK's addresses cannot name
	 */
	default @Nullable SocketAddress localSocketAddress() {
		return localAddress();
	}

	/**
	 * Returns who is at the other end of a Unix domain socket connection, as the kernel recorded it when
	 * the peer connected ({@code SO_PEERCRED}): on io_uring its pid, uid and gid, on NIO its user and
	 * group names (see {@link PeerCredentials}).
	 * @return the credentials, or {@code null} on TCP and once the connection is closed
	 */
	default @Nullable PeerCredentials peerCredentials() {
		return null;
	}

	/**
	 * Returns the object attached with {@link #attach(Object)}.
	 * @return the attachment, or {@code null}
	 */
	@Nullable Object attachment();

	/**
	 * Attaches an application object (session state, for example) to this connection.
	 * @param attachment the object, or {@code null} to clear it
	 */
	void attach(@Nullable Object attachment);

}
