package dev.iouring.server.codec;

import dev.iouring.server.CloseReason;

/**
 * Bytes that a codec cannot turn into a frame. The server closes the connection with {@link #reason()}
 * and logs the message; nothing else is affected.
 */
public class FramingException extends RuntimeException {

	private final CloseReason reason;

	/**
	 * Creates an exception.
	 * @param reason {@link CloseReason#FRAME_TOO_LARGE} or {@link CloseReason#MALFORMED_FRAME}
	 * @param message what was wrong, with the limit or value involved
	 */
	public FramingException(CloseReason reason, String message) {
		super(message, null, false, false);
		this.reason = reason;
	}

	/**
	 * Returns why the connection is closed.
	 * @return the close reason
	 */
	public CloseReason reason() {
		return this.reason;
	}

}
