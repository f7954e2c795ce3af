package dev.iouring.server;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads from a blocking {@link SocketChannel} with a deadline, for channels that cannot take
 * {@code SO_TIMEOUT}: a Unix domain channel has no socket adaptor ({@code socket()} throws), so a read
 * on it would otherwise wait forever for a server that stalled. A watchdog closes the channel when no
 * byte arrived for the timeout, which ends the blocked read; the read then fails with a message instead
 * of hanging the test.
 */
public final class BoundedReads {

	/** A read that waits longer than this for its next byte means the server stalled. */
	public static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

	private static final int READING = 0;

	private static final int DONE = 1;

	private static final int TIMED_OUT = 2;

	private BoundedReads() {
	}

	/**
	 * Reads until {@code into} is full or the stream ends, failing when no byte arrives for
	 * {@link #READ_TIMEOUT}. Writes on the channel from another thread may go on meanwhile.
	 * @param channel a connected channel in blocking mode; closed if the read times out
	 * @param into where the bytes go, from its position
	 * @return the bytes read
	 * @throws SocketTimeoutException if no byte arrived for the timeout
	 * @throws IOException if the read fails otherwise
	 */
	public static int readFully(SocketChannel channel, ByteBuffer into) throws IOException {
		return readFully(channel, into, READ_TIMEOUT);
	}

	/**
	 * Reads until {@code into} is full or the stream ends, failing when no byte arrives for
	 * {@code timeout}.
	 * @param channel a connected channel in blocking mode; closed if the read times out
	 * @param into where the bytes go, from its position
	 * @param timeout the longest wait for the next byte
	 * @return the bytes read
	 * @throws SocketTimeoutException if no byte arrived for the timeout
	 * @throws IOException if the read fails otherwise
	 */
	public static int readFully(SocketChannel channel, ByteBuffer into, Duration timeout) throws IOException {
		int start = into.position();
		AtomicLong lastProgress = new AtomicLong(System.nanoTime());
		// Whoever leaves READING first decides: the reader that finished, or the watchdog that closes.
		AtomicInteger state = new AtomicInteger(READING);
		Thread watchdog = Thread.ofVirtual().name("bounded-read").start(() -> {
			try {
				long left;
				while ((left = lastProgress.get() + timeout.toNanos() - System.nanoTime()) > 0) {
					Thread.sleep(Duration.ofNanos(left));
				}
				if (state.compareAndSet(READING, TIMED_OUT)) {
					channel.close();
				}
			}
			catch (InterruptedException ex) {
				// the read finished in time
			}
			catch (IOException ex) {
				// closing failed: the read goes on and the test's own deadline ends it
			}
		});
		try {
			while (into.hasRemaining() && channel.read(into) >= 0) {
				lastProgress.set(System.nanoTime());
			}
		}
		catch (ClosedChannelException ex) {
			if (state.get() != TIMED_OUT) {
				throw ex;
			}
		}
		finally {
			watchdog.interrupt();
		}
		if (!state.compareAndSet(READING, DONE)) {
			throw new SocketTimeoutException("no byte for " + timeout + " after " + (into.position() - start)
					+ " bytes (" + into.remaining() + " more expected); the channel was closed");
		}
		return into.position() - start;
	}

}
