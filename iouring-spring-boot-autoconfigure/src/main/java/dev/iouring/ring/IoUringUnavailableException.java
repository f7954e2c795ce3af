package dev.iouring.ring;

/**
 * io_uring cannot be used on this machine; the message says why, and {@link #reason()} says which kind
 * of cause it is, so a report can give the one fix that applies.
 */
public class IoUringUnavailableException extends RuntimeException {

	private final IoUring.Reason reason;

	/**
	 * Creates an exception whose reason is {@link IoUring.Reason#UNKNOWN}.
	 * @param message the cause and the fix
	 * @param cause the failure that showed it, or {@code null}
	 */
	public IoUringUnavailableException(String message, Throwable cause) {
		super(message, cause);
		this.reason = IoUring.Reason.UNKNOWN;
	}

	/**
	 * Creates an exception for a cause the probe classified.
	 * @param reason the kind of cause
	 * @param message the cause
	 */
	public IoUringUnavailableException(IoUring.Reason reason, String message) {
		super(message);
		this.reason = reason;
	}

	/**
	 * Returns the kind of cause.
	 * @return the reason, {@link IoUring.Reason#UNKNOWN} when it was not classified
	 */
	public IoUring.Reason reason() {
		return this.reason;
	}

}
