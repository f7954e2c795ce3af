package dev.iouring.server;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Application bytes written before a TLS session can encrypt them (the handshake has not finished, or
 * a delegated task runs), kept in order on the heap up to a hard bound.
 *
 * <p>The buffer is allocated at the first byte kept and dropped when taken, since it serves only the
 * few writes that race a handshake (a server greeting, a reply to data sent with the client's Finished).
 *
 * <p>Threads: the connection's loop thread only.
 */
final class PendingPlaintext {

	/** First capacity, enough for a greeting line; it doubles up to the bound. */
	private static final int INITIAL_CAPACITY = 1024;

	private final int limit;

	private byte[] bytes = new byte[0];

	private int length;

	/**
	 * Creates an empty buffer.
	 * @param limit the most bytes it keeps
	 */
	PendingPlaintext(int limit) {
		if (limit < 0) {
			throw new IllegalArgumentException("maxPendingPlaintext must not be negative but was " + limit);
		}
		this.limit = limit;
	}

	/**
	 * Keeps all of {@code src}, or none of it.
	 * @param src the bytes, from position to limit
	 * @return {@code false}, with {@code src} untouched, if they would take the buffer past its bound
	 */
	boolean keep(ByteBuffer src) {
		int count = src.remaining();
		if (count > this.limit - this.length) {
			return false;
		}
		if (this.bytes.length - this.length < count) {
			int capacity = Math.min(this.limit,
					Math.max(this.length + count, Math.max(INITIAL_CAPACITY, 2 * this.bytes.length)));
			this.bytes = Arrays.copyOf(this.bytes, capacity);
		}
		src.get(this.bytes, this.length, count);
		this.length += count;
		return true;
	}

	/** Returns whether no bytes wait. */
	boolean isEmpty() {
		return this.length == 0;
	}

	/**
	 * Hands over the kept bytes and empties the buffer.
	 * @return a buffer of the bytes, in order, which the caller owns
	 */
	ByteBuffer take() {
		ByteBuffer taken = ByteBuffer.wrap(this.bytes, 0, this.length);
		this.bytes = new byte[0];
		this.length = 0;
		return taken;
	}

	/** Drops the kept bytes. */
	void clear() {
		take();
	}

}
