package dev.iouring.server.nio;

import java.io.IOException;

import dev.iouring.server.CloseReason;
import dev.iouring.server.Failures;

/**
 * Tells a peer that went away from a real I/O failure. NIO reports both as {@link IOException}s whose
 * text the JDK takes from the C library's {@code strerror}: "Connection reset", "Connection reset by
 * peer" (ECONNRESET), "Broken pipe" (EPIPE), "Connection timed out" (ETIMEDOUT). These close the
 * connection as {@link CloseReason#RESET}, as the io_uring transport does for the same errno values;
 * anything else is an {@link CloseReason#IO_ERROR} and is counted.
 */
final class SocketErrors {

	private SocketErrors() {
	}

	static CloseReason closeReason(IOException ex) {
		return Failures.isPeerGone(ex) ? CloseReason.RESET : CloseReason.IO_ERROR;
	}

	/**
	 * Returns a short, bounded name for an error, for the {@code error} tag of the errors meter.
	 */
	static String errorName(IOException ex) {
		return ex.getClass().getSimpleName();
	}

}
