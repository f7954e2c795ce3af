package dev.iouring.ring;

/**
 * io_uring cannot be used on this machine; the message says why and how to fix it.
 */
public class IoUringUnavailableException extends RuntimeException {

	/**
	 * Creates an exception.
	 * @param message the cause and the fix
	 * @param cause the failure that showed it, or {@code null}
	 */
	public IoUringUnavailableException(String message, Throwable cause) {
		super(message, cause);
	}

}
