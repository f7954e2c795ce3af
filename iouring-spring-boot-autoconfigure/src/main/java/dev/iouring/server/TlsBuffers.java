package dev.iouring.server;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * The three native buffers of one {@link TlsSession}, each allocated when first needed, reused, and
 * allowed to grow only up to a fixed bound, so that no peer can make a session hold more:
 * <ul>
 * <li>{@link #input()}: received records not yet decrypted (a record cut by the segment boundary, or
 * bytes that arrive while a delegated task runs), kept in write mode (position = end of data);
 * <li>{@link #application()}: decrypted bytes on their way to the codec;
 * <li>{@link #network()}: records on their way to the peer.
 * </ul>
 * Each buffer is a view of a segment of one shared arena, freed at once by {@link #release()}; the
 * segments let the session hand a sink {@code (segment, 0, length)} without a slice. A buffer that grows
 * leaves its smaller segment in the arena until release, which the bounds keep to a few KiB.
 *
 * <p>Threads: the connection's loop thread only. The arena is shared rather than confined because the
 * session may be created on another thread than the loop that runs it.
 */
final class TlsBuffers {

	private final Arena arena = Arena.ofShared();

	private MemorySegment inputSegment = MemorySegment.NULL;

	private ByteBuffer input = ByteBuffer.allocate(0);

	private MemorySegment applicationSegment = MemorySegment.NULL;

	private ByteBuffer application = ByteBuffer.allocate(0);

	private MemorySegment networkSegment = MemorySegment.NULL;

	private ByteBuffer network = ByteBuffer.allocate(0);

	private boolean released;

	/** The received bytes not yet decrypted, in write mode; empty with no capacity until first sized. */
	ByteBuffer input() {
		return this.input;
	}

	/** Whether received bytes wait in {@link #input()}. */
	boolean hasInput() {
		return this.input.position() > 0;
	}

	/**
	 * Makes {@link #input()} hold at least {@code capacity} bytes, keeping what it holds.
	 * @param capacity the capacity needed
	 * @return the input buffer, in write mode
	 */
	ByteBuffer input(int capacity) {
		if (this.input.capacity() < capacity) {
			MemorySegment segment = allocate(capacity);
			ByteBuffer grown = segment.asByteBuffer();
			grown.put(this.input.flip());
			this.inputSegment = segment;
			this.input = grown;
		}
		return this.input;
	}

	/**
	 * Returns the buffer decrypted bytes go to, with at least {@code capacity} bytes, keeping what it holds.
	 * @param capacity the capacity needed
	 * @return the buffer, in write mode
	 */
	ByteBuffer application(int capacity) {
		if (this.application.capacity() < capacity) {
			MemorySegment segment = allocate(capacity);
			ByteBuffer grown = segment.asByteBuffer();
			grown.put(this.application.flip());
			this.applicationSegment = segment;
			this.application = grown;
		}
		return this.application;
	}

	/**
	 * Returns the buffer records to send go to, with at least {@code capacity} bytes, keeping what it holds.
	 * @param capacity the capacity needed
	 * @return the buffer, in write mode
	 */
	ByteBuffer network(int capacity) {
		if (this.network.capacity() < capacity) {
			MemorySegment segment = allocate(capacity);
			ByteBuffer grown = segment.asByteBuffer();
			grown.put(this.network.flip());
			this.networkSegment = segment;
			this.network = grown;
		}
		return this.network;
	}

	/** Hands the decrypted bytes to a sink and empties the buffer. */
	void drainApplication(TlsSink sink) {
		drain(this.applicationSegment, this.application, sink);
	}

	/** Hands the records to send to a sink and empties the buffer. */
	void drainNetwork(TlsSink sink) {
		drain(this.networkSegment, this.network, sink);
	}

	private static void drain(MemorySegment segment, ByteBuffer buffer, TlsSink sink) {
		int length = buffer.position();
		if (length > 0) {
			buffer.clear();
			sink.accept(segment, 0, length);
		}
	}

	/** Returns how many native bytes the buffers hold now, for tests of the bounds. */
	long allocatedBytes() {
		return this.inputSegment.byteSize() + this.applicationSegment.byteSize() + this.networkSegment.byteSize();
	}

	private MemorySegment allocate(int capacity) {
		if (this.released) {
			throw new IllegalStateException("TLS session released");
		}
		return this.arena.allocate(capacity);
	}

	/** Frees the native memory; the buffers must not be used after. Idempotent. */
	void release() {
		if (!this.released) {
			this.released = true;
			this.input = this.application = this.network = ByteBuffer.allocate(0);
			this.inputSegment = this.applicationSegment = this.networkSegment = MemorySegment.NULL;
			this.arena.close();
		}
	}

}
