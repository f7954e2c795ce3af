package dev.iouring.server;

/**
 * A TLS connection cannot go on: the peer sent something that is not TLS or a record the engine refused,
 * the handshake failed (wrong CA, expired certificate, no client certificate where one is needed), or
 * the peer sent more than a bounded buffer holds while the session could not read it.
 *
 * <p>{@link #duringHandshake()} picks the close reason: {@code tls-handshake-failed} before the handshake
 * finished, a protocol error after it. Any alert the engine had for the peer was already given to the
 * {@code toPeer} sink when this is thrown, so the connection sends it before closing.
 */
final class TlsException extends Exception {

	private final boolean duringHandshake;

	TlsException(String message, boolean duringHandshake, Throwable cause) {
		super(message, cause);
		this.duringHandshake = duringHandshake;
	}

	TlsException(String message, boolean duringHandshake) {
		super(message);
		this.duringHandshake = duringHandshake;
	}

	/**
	 * Returns whether the failure came before the handshake finished.
	 * @return {@code true} for a handshake failure
	 */
	boolean duringHandshake() {
		return this.duringHandshake;
	}

}
