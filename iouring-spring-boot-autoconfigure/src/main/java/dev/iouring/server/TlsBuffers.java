package dev.iouring.server;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * The three native buffers of one {@link TlsSession}, each allocated when first needed, reused, and
 * grown only to the capacity its caller asks for, which the caller bounds, so that no peer can make a
 * session hold more:
 * <ul>
 * <li>{@link #input(int)}: received records not yet decrypted (a record cut by the segment boundary,
 * or bytes that arrive while a delegated task runs);
 * <li>{@link #application(int)}: decrypted bytes on their way to the codec;
 * <li>{@link #network(int)}: records on their way to the peer.
 * </ul>
 * All three are kept in write mode (position = end of data). Each is a view of a segment of one shared
 * arena, freed at once by {@link #release()}; the segments let the session hand a sink
 * {@code (segment, 0, length)} without a slice. A buffer that grows leaves its smaller segment in the
 * arena until release, which the callers' bounds keep to a few KiB.
 *
 * <p>Threads: the connection's loop thread only. The arena is shared rather than confined because the
 * session may be created on another thread than the loop that runs it.
 */
final class TlsBuffers {

	private final Arena arena = Arena.ofShared();

	private final Region input = new Region();

	private final Region application = new Region();

	private final Region network = new Region();

	private boolean released;

	/** The received bytes not yet decrypted; no capacity until first sized. */
	ByteBuffer input() {
		return this.input.buffer;
	}

	/** Whether received bytes wait in {@link #input()}. */
	boolean hasInput() {
		return this.input.buffer.position() > 0;
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

	/** Hands the decrypted bytes to a sink and empties the buffer. */
	void drainApplication(TlsSink sink) {
		this.application.drain(sink);
	}

	/** Hands the records to send to a sink and empties the buffer. */
	void drainNetwork(TlsSink sink) {
		this.network.drain(sink);
	}

	/** Returns how many native bytes the buffers hold now, for tests of the bounds. */
	long allocatedBytes() {
		return this.input.segment.byteSize() + this.application.segment.byteSize() + this.network.segment.byteSize();
	}

	/** Frees the native memory; the buffers must not be used after. Idempotent. */
	void release() {
		if (!this.released) {
			this.released = true;
			this.input.clear();
			this.application.clear();
			this.network.clear();
			this.arena.close();
		}
	}

	/** One buffer and the segment it views. */
	private final class Region {

		private MemorySegment segment = MemorySegment.NULL;

		private ByteBuffer buffer = ByteBuffer.allocate(0);

		ByteBuffer ensure(int capacity) {
			if (this.buffer.capacity() < capacity) {
				if (TlsBuffers.this.released) {
					throw new IllegalStateException("TLS session released");
				}
				MemorySegment grown = TlsBuffers.this.arena.allocate(capacity);
				ByteBuffer view = grown.asByteBuffer();
				view.put(this.buffer.flip());
				this.segment = grown;
				this.buffer = view;
			}
			return this.buffer;
		}

		void drain(TlsSink sink) {
			int length = this.buffer.position();
			if (length > 0) {
				this.buffer.clear();
				sink.accept(this.segment, 0, length);
			}
		}

		void clear() {
			this.segment = MemorySegment.NULL;
			this.buffer = ByteBuffer.allocate(0);
		}

	}

}
