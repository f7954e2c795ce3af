package dev.iouring.server;

import java.io.IOException;
import java.util.Locale;

import dev.iouring.ring.Errno;
import dev.iouring.ring.NativeCallException;

/**
 * Sorts what can go wrong while serving a connection. Most failures belong to one connection, which is
 * closed for them while its loop goes on; a {@link VirtualMachineError} (out of memory, stack overflow)
 * leaves the whole JVM in doubt and must end the loop, which then fails the server visibly. Among the
 * connection failures, the peer's own doing (it reset, or it is gone) is normal on the internet and is
 * never logged with a stack trace.
 */
final class Failures {

	private Failures() {
	}

	/**
	 * Whether a failure may not be contained to one connection.
	 * @param failure what was thrown
	 * @return {@code true} for a {@link VirtualMachineError}
	 */
	public static boolean isFatal(Throwable failure) {
		return failure instanceof VirtualMachineError;
	}

	/**
	 * Throws {@code failure} again if it is fatal; does nothing otherwise.
	 * @param failure what was thrown
	 */
	public static void rethrowIfFatal(Throwable failure) {
		if (failure instanceof VirtualMachineError error) {
			throw error;
		}
	}

	/**
	 * Whether a failure only says the peer went away: a reset, a broken pipe, a socket no longer
	 * connected, or a timed-out connection, from a native call or from a JDK channel.
	 * @param failure what was thrown
	 * @return {@code true} if the peer caused it
	 */
	public static boolean isPeerGone(Throwable failure) {
		if (failure instanceof NativeCallException ex) {
			int errno = ex.errno();
			return errno == Errno.ECONNRESET || errno == Errno.ENOTCONN || errno == Errno.EPIPE
					|| errno == Errno.ETIMEDOUT;
		}
		if (failure instanceof IOException ex && ex.getMessage() != null) {
			String text = ex.getMessage().toLowerCase(Locale.ROOT);
			return text.contains("connection reset") || text.contains("broken pipe") || text.contains("timed out")
					|| text.contains("not connected");
		}
		return false;
	}

	/**
	 * Returns a short, bounded name for a failure, for the {@code error} tag of the errors meter.
	 * @param failure what was thrown
	 * @return the errno name of a native call, and of running out of descriptors on a JDK channel (which
	 * says so only in its message), otherwise the exception's simple class name
	 */
	public static String errorName(Throwable failure) {
		if (failure instanceof NativeCallException ex) {
			return ex.errnoName();
		}
		if (failure instanceof IOException ex && ex.getMessage() != null) {
			// The JDK's text for these errnos is strerror's: "Too many open files (in system)".
			String text = ex.getMessage().toLowerCase(Locale.ROOT);
			if (text.contains("too many open files in system")) {
				return Errno.name(Errno.ENFILE);
			}
			if (text.contains("too many open files")) {
				return Errno.name(Errno.EMFILE);
			}
		}
		return failure.getClass().getSimpleName();
	}

}
