package dev.iouring.server;

/**
 * A stage found bytes that break its protocol (a malformed PROXY header, a bad TLS record): the connection
 * closes with {@link #reason()}, and the message is logged at a bounded rate.
 */
final class StageException extends Exception {

	private static final long serialVersionUID = 1L;

	private final CloseReason reason;

	StageException(CloseReason reason, String message) {
		super(message, null, false, false);
		this.reason = reason;
	}

	StageException(CloseReason reason, String message, Throwable cause) {
		super(message, cause, false, false);
		this.reason = reason;
	}

	CloseReason reason() {
		return this.reason;
	}

}
