package dev.iouring.ring;

/**
 * A system call failed. The message names the call and the errno, and, where one is known, the likely
 * cause and the fix.
 */
public class NativeCallException extends RuntimeException {

	private final String call;

	private final int errno;

	/**
	 * Creates an exception.
	 * @param call the call that failed, e.g. {@code io_uring_setup}
	 * @param errno the positive errno value
	 * @param hint the likely cause and fix, or an empty string
	 */
	public NativeCallException(String call, int errno, String hint) {
		super(call + " failed: " + Errno.name(errno) + (hint.isEmpty() ? "" : " (" + hint + ")"));
		this.call = call;
		this.errno = errno;
	}

	/**
	 * Returns the call that failed.
	 * @return the call name
	 */
	public String call() {
		return this.call;
	}

	/**
	 * Returns the positive errno value.
	 * @return the errno
	 */
	public int errno() {
		return this.errno;
	}

	/**
	 * Returns the symbolic errno name.
	 * @return e.g. {@code EPERM}
	 */
	public String errnoName() {
		return Errno.name(this.errno);
	}

}
