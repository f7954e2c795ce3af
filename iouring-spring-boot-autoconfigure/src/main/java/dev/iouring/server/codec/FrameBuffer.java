package dev.iouring.server.codec;

import java.lang.foreign.MemorySegment;

import org.jspecify.annotations.Nullable;

import dev.iouring.server.Bytes;

/**
 * The bytes of one frame that arrived in more than one chunk, held by a decoder until the frame is whole.
 *
 * <p>The buffer holds no array while the connection has no partial frame. It grows on demand, doubling,
 * and never beyond its capacity limit, which a codec sets to its largest possible frame including the
 * framing bytes (delimiter or header). A decoder's own checks keep it from appending past that limit;
 * reaching it anyway is a bug and fails with {@link IllegalStateException}. After a frame is delivered,
 * an array larger than {@link #RETAINED_CAPACITY} is dropped, so a connection that once received a big
 * frame does not keep its memory while idle.
 *
 * <p>Used by one thread at a time, like the decoder that owns it.
 */
final class FrameBuffer {

	/** Smallest array allocated: most spanning frames are small and fit without growing again. */
	static final int INITIAL_CAPACITY = 256;

	/** Largest array kept once the buffer is empty; bigger ones are dropped after their frame is delivered. */
	static final int RETAINED_CAPACITY = 4096;

	private final int capacityLimit;

	private byte @Nullable [] array;

	/** A view of {@link #array}, created with it, so frames can be handed out without allocating. */
	private @Nullable MemorySegment segment;

	private int size;

	/**
	 * Creates an empty buffer.
	 * @param capacityLimit the most bytes the buffer may ever hold
	 */
	FrameBuffer(int capacityLimit) {
		if (capacityLimit < 1) {
			throw new IllegalArgumentException("capacityLimit must be positive but was " + capacityLimit);
		}
		this.capacityLimit = capacityLimit;
	}

	/**
	 * Returns how many bytes the buffer holds.
	 * @return the byte count
	 */
	int size() {
		return this.size;
	}

	boolean isEmpty() {
		return this.size == 0;
	}

	/**
	 * Returns the length of the array currently allocated (0 when none), for tests of the memory bound.
	 * @return the capacity in bytes
	 */
	int capacity() {
		return (this.array != null) ? this.array.length : 0;
	}

	/**
	 * Copies bytes to the end of the buffer, growing it if needed.
	 * @param source the bytes to copy from
	 * @param from the first byte of {@code source} to copy
	 * @param count how many bytes to copy
	 */
	void append(Bytes source, int from, int count) {
		if (count == 0) {
			return;
		}
		ensureCapacity(this.size + count);
		source.copyTo(from, segment(), this.size, count);
		this.size += count;
	}

	/**
	 * Returns the buffer's memory, valid until the next {@link #append}, {@link #clear} or {@link #release}.
	 * Its first {@link #size()} bytes are the buffered ones.
	 * @return the segment over the buffer's array
	 */
	MemorySegment segment() {
		if (this.segment == null) {
			throw new IllegalStateException("frame buffer holds no array");
		}
		return this.segment;
	}

	/**
	 * Forgets the buffered bytes once their frame was delivered, dropping a large array.
	 */
	void clear() {
		this.size = 0;
		if (capacity() > RETAINED_CAPACITY) {
			release();
		}
	}

	/**
	 * Forgets the buffered bytes and drops the array.
	 */
	void release() {
		this.size = 0;
		this.array = null;
		this.segment = null;
	}

	private void ensureCapacity(int needed) {
		int capacity = capacity();
		if (needed <= capacity) {
			return;
		}
		if (needed > this.capacityLimit) {
			throw new IllegalStateException(
					"frame buffer needs " + needed + " bytes but is limited to " + this.capacityLimit);
		}
		int doubled = (int) Math.min(this.capacityLimit, Math.max(INITIAL_CAPACITY, 2L * capacity));
		byte[] grown = new byte[Math.max(needed, doubled)];
		if (this.array != null) {
			System.arraycopy(this.array, 0, grown, 0, this.size);
		}
		this.array = grown;
		this.segment = MemorySegment.ofArray(grown);
	}

}
