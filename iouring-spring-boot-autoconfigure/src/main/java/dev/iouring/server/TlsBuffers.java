package dev.iouring.server;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

import org.jspecify.annotations.Nullable;

/**
 * The native buffers one {@link TlsSession} works in, borrowed from its loop's {@link TlsBufferPool}:
 * <ul>
 * <li>{@link #input(int)}: received records not yet decrypted (a record cut by the segment boundary,
 * or bytes that arrive while a delegated task runs);
 * <li>{@link #application(int)}: decrypted bytes on their way to the codec;
 * <li>{@link #network(int)}: records on their way to the peer;
 * <li>{@link #staging(int)}: plaintext copied from memory the engine cannot read without a new view.
 * </ul>
 * Each is borrowed when first needed, grows only to the capacity its caller asks for (which the caller
 * bounds, so no peer can make a session hold more) and goes back to the pool at {@link #returnIdle()}
 * once it holds nothing; so between calls a session holds only the input it keeps. All are kept in write
 * mode (position = end of data). The sinks get {@code (segment, 0, length)} of a buffer's segment, made
 * once with the buffer, so nothing is allocated per record.
 *
 * <p>Threads: the connection's loop thread only.
 */
final class TlsBuffers {

	/** What a region without a buffer shows: no capacity, nothing held. */
	private static final ByteBuffer NONE = ByteBuffer.allocate(0);

	private final TlsBufferPool pool;

	private final Region input = new Region();

	private final Region application = new Region();

	private final Region network = new Region();

	private final Region staging = new Region();

	private boolean released;

	TlsBuffers(TlsBufferPool pool) {
		this.pool = pool;
	}

	/** The received bytes not yet decrypted; no capacity until first sized. */
	ByteBuffer input() {
		return this.input.buffer();
	}

	/** Whether received bytes wait in {@link #input()}. */
	boolean hasInput() {
		return this.input.buffer().position() > 0;
	}

	/** Makes the input buffer hold at least {@code capacity} bytes, keeping what it holds. */
	ByteBuffer input(int capacity) {
		return this.input.ensure(capacity);
	}

	/** Makes the buffer decrypted bytes go to hold at least {@code capacity} bytes, keeping what it holds. */
	ByteBuffer application(int capacity) {
		return this.application.ensure(capacity);
	}

	/** Makes the buffer records to send go to hold at least {@code capacity} bytes, keeping what it holds. */
	ByteBuffer network(int capacity) {
		return this.network.ensure(capacity);
	}

	/** A buffer of at least {@code capacity} bytes to copy plaintext into before it is encrypted. */
	ByteBuffer staging(int capacity) {
		return this.staging.ensure(capacity);
	}

	/** The segment of the {@link #staging} buffer, to copy into without a view. */
	MemorySegment stagingSegment() {
		return this.staging.lent.segment;
	}

	/** Hands the decrypted bytes to a sink and empties the buffer. */
	void drainApplication(TlsSink sink) {
		this.application.drain(sink);
	}

	/** Hands the records to send to a sink and empties the buffer. */
	void drainNetwork(TlsSink sink) {
		this.network.drain(sink);
	}

	/**
	 * Returns a reusable buffer for reading {@code length} bytes at {@code offset} of {@code segment}, if
	 * the segment is one of this session's buffers (the decrypted bytes a handler echoes); allocates nothing.
	 * @return the buffer, from position to limit, or {@code null} for memory that is not ours
	 */
	@Nullable ByteBuffer reader(MemorySegment segment, long offset, int length) {
		TlsBufferPool.TlsBuffer lent = this.application.lent;
		if (lent == null || lent.segment != segment) {
			return null;
		}
		ByteBuffer reader = lent.reader;
		reader.limit((int) offset + length).position((int) offset);
		return reader;
	}

	/** Gives the buffers that hold nothing back to the pool. */
	void returnIdle() {
		this.input.returnIfEmpty();
		this.application.returnIfEmpty();
		this.network.returnIfEmpty();
		this.staging.returnIfEmpty();
	}

	/** Returns how many native bytes the session holds from the pool now, for tests of the bounds. */
	long allocatedBytes() {
		return this.input.held() + this.application.held() + this.network.held() + this.staging.held();
	}

	/** Gives every buffer back; the buffers must not be used after. Idempotent. */
	void release() {
		if (!this.released) {
			this.released = true;
			this.input.giveBack();
			this.application.giveBack();
			this.network.giveBack();
			this.staging.giveBack();
		}
	}

	/** One buffer, when lent. */
	private final class Region {

		private TlsBufferPool.@Nullable TlsBuffer lent;

		ByteBuffer buffer() {
			TlsBufferPool.TlsBuffer lent = this.lent;
			return (lent != null) ? lent.buffer : NONE;
		}

		ByteBuffer ensure(int capacity) {
			TlsBufferPool.TlsBuffer lent = this.lent;
			if (lent != null && lent.capacity() >= capacity) {
				return lent.buffer;
			}
			if (TlsBuffers.this.released) {
				throw new IllegalStateException("TLS session released");
			}
			TlsBufferPool.TlsBuffer grown = TlsBuffers.this.pool.take(capacity);
			if (lent != null) {
				grown.buffer.put(lent.buffer.flip());
				TlsBuffers.this.pool.give(lent);
			}
			this.lent = grown;
			return grown.buffer;
		}

		void drain(TlsSink sink) {
			TlsBufferPool.TlsBuffer lent = this.lent;
			if (lent != null) {
				int length = lent.buffer.position();
				if (length > 0) {
					lent.buffer.clear();
					sink.accept(lent.segment, 0, length);
				}
			}
		}

		void returnIfEmpty() {
			TlsBufferPool.TlsBuffer lent = this.lent;
			if (lent != null && lent.buffer.position() == 0) {
				giveBack();
			}
		}

		void giveBack() {
			TlsBufferPool.TlsBuffer lent = this.lent;
			if (lent != null) {
				this.lent = null;
				TlsBuffers.this.pool.give(lent);
			}
		}

		long held() {
			TlsBufferPool.TlsBuffer lent = this.lent;
			return (lent != null) ? lent.capacity() : 0;
		}

	}

}
