package dev.iouring.server;

/**
 * Why a connection closed. {@link #tag()} is the value used in logs and in the {@code reason} tag of
 * the {@code iouring.server.connections.closed} meter, so the set is small and fixed.
 */
public enum CloseReason {

	/** The peer closed its side (the receive returned end of stream). */
	PEER_CLOSED("peer-closed"),

	/** The peer reset the connection (ECONNRESET, EPIPE). */
	RESET("reset"),

	/** The application called {@link Connection#close()}, and pending writes were sent. */
	LOCAL_CLOSE("local-close"),

	/** The application called {@link Connection#abort()}: pending writes were discarded. */
	ABORTED("aborted"),

	/** A handler callback threw. */
	HANDLER_ERROR("handler-error"),

	/** A frame was larger than the codec's maximum frame size. */
	FRAME_TOO_LARGE("frame-too-large"),

	/** The codec found bytes that are not a valid frame. */
	MALFORMED_FRAME("malformed-frame"),

	/** Nothing was received or sent for longer than the idle timeout. */
	IDLE_TIMEOUT("idle-timeout"),

	/** The server stopped, or its drain deadline passed, while the connection was open. */
	SERVER_STOPPED("server-stopped"),

	/** A socket operation failed with an unexpected error. */
	IO_ERROR("io-error"),
	/**
	 * More bytes were queued for sending than the write buffer's hard limit allows: the peer does not
	 * read what the handler writes. Also when the JVM's direct memory limit refused the memory this
	 * connection's bytes needed (send memory, TLS buffers). Queued bytes are discarded.
	 */
	OUTBOUND_OVERFLOW("outbound-overflow"),
	/** A frame that had started did not finish within the listener's frame timeout. */
	FRAME_TIMEOUT("frame-timeout"),
	/**
	 * On a listener that reads the PROXY protocol: the connection did not start with a valid header
	 * (missing, malformed, truncated, longer than the protocol allows), or the header did not arrive
	 * within the listener's proxy-protocol timeout.
	 */
	PROXY_PROTOCOL_ERROR("proxy-protocol-error"),
	/**
	 * On a TLS listener: the handshake failed (no shared protocol or cipher, a client certificate that is
	 * missing or not trusted, bytes that are not TLS), or the peer gave it up.
	 */
	TLS_HANDSHAKE_FAILED("tls-handshake-failed"),
	/** On a TLS listener: the handshake did not finish within the listener's handshake timeout. */
	TLS_HANDSHAKE_TIMEOUT("tls-handshake-timeout"),
	/** On a TLS listener, after the handshake: a record failed to decrypt or broke the protocol. */
	TLS_ERROR("tls-error"),
	/** Serving the connection failed in the server itself; the failure is counted and logged. */
	INTERNAL_ERROR("internal-error");

	private final String tag;

	CloseReason(String tag) {
		this.tag = tag;
	}

	/**
	 * Returns the stable, lower-case name used in logs and meter tags.
	 * @return the tag value
	 */
	public String tag() {
		return this.tag;
	}

}
