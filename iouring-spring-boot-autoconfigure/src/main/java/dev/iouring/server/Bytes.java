package dev.iouring.server;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A read-only view of received bytes: a window of {@code length} bytes at {@code offset} in a memory
 * segment (usually a buffer of the event loop's provided buffer ring).
 *
 * <p>The server hands out one reused instance per event loop, so a view passed to a handler is valid
 * only during that callback. Keep bytes by copying them ({@link #toByteArray()}, {@link #copy()}).
 * Reading methods allocate nothing, which keeps the receive path free of garbage.
 */
public final class Bytes {

	private static final MemorySegment EMPTY_SEGMENT = MemorySegment.ofArray(new byte[0]);

	private MemorySegment segment;

	private long offset;

	private int length;

	/**
	 * Creates an empty view; {@link #set} points it at bytes.
	 */
	public Bytes() {
		this.segment = EMPTY_SEGMENT;
	}

	private Bytes(MemorySegment segment, long offset, int length) {
		this.segment = segment;
		this.offset = offset;
		this.length = length;
	}

	/**
	 * Returns a view of a whole array (the array is not copied).
	 * @param data the bytes
	 * @return a view of {@code data}
	 */
	public static Bytes wrap(byte[] data) {
		return new Bytes(MemorySegment.ofArray(data), 0, data.length);
	}

	/**
	 * Returns a view of part of an array (the array is not copied).
	 * @param data the bytes
	 * @param offset the first byte of the view
	 * @param length the number of bytes in the view
	 * @return a view of the range
	 */
	public static Bytes wrap(byte[] data, int offset, int length) {
		Objects.checkFromIndexSize(offset, length, data.length);
		return new Bytes(MemorySegment.ofArray(data), offset, length);
	}

	/**
	 * Returns a view of a whole segment (not copied).
	 * @param segment the bytes
	 * @return a view of {@code segment}
	 */
	public static Bytes wrap(MemorySegment segment) {
		return new Bytes(segment, 0, Math.toIntExact(segment.byteSize()));
	}

	/**
	 * Points this view at a window of a segment. Used by the server and by codecs to reuse one instance.
	 * @param segment the memory holding the bytes
	 * @param offset the window's first byte within {@code segment}
	 * @param length the window's size
	 * @return this view
	 */
	public Bytes set(MemorySegment segment, long offset, int length) {
		Objects.checkFromIndexSize(offset, length, segment.byteSize());
		this.segment = segment;
		this.offset = offset;
		this.length = length;
		return this;
	}

	/**
	 * Returns the number of bytes in the view.
	 * @return the length
	 */
	public int length() {
		return this.length;
	}

	/**
	 * Returns whether the view holds no bytes.
	 * @return {@code true} if the length is zero
	 */
	public boolean isEmpty() {
		return this.length == 0;
	}

	/**
	 * Returns one byte.
	 * @param index the position in the view, from 0
	 * @return the byte
	 */
	public byte getByte(int index) {
		Objects.checkIndex(index, this.length);
		return this.segment.get(ValueLayout.JAVA_BYTE, this.offset + index);
	}

	/**
	 * Returns the position of the first occurrence of a byte at or after {@code from}, or -1.
	 * @param value the byte to find
	 * @param from the first position to look at
	 * @return the position in the view, or -1 if absent
	 */
	public int indexOf(byte value, int from) {
		for (int i = Math.max(from, 0); i < this.length; i++) {
			if (this.segment.get(ValueLayout.JAVA_BYTE, this.offset + i) == value) {
				return i;
			}
		}
		return -1;
	}

	/**
	 * Copies bytes of this view into an array.
	 * @param srcIndex the first byte of the view to copy
	 * @param dst the destination
	 * @param dstIndex where in {@code dst} to start
	 * @param count how many bytes to copy
	 */
	public void copyTo(int srcIndex, byte[] dst, int dstIndex, int count) {
		Objects.checkFromIndexSize(srcIndex, count, this.length);
		MemorySegment.copy(this.segment, ValueLayout.JAVA_BYTE, this.offset + srcIndex, dst, dstIndex, count);
	}

	/**
	 * Copies bytes of this view into a segment.
	 * @param srcIndex the first byte of the view to copy
	 * @param dst the destination
	 * @param dstOffset where in {@code dst} to start
	 * @param count how many bytes to copy
	 */
	public void copyTo(int srcIndex, MemorySegment dst, long dstOffset, int count) {
		Objects.checkFromIndexSize(srcIndex, count, this.length);
		MemorySegment.copy(this.segment, this.offset + srcIndex, dst, dstOffset, count);
	}

	/**
	 * Returns a copy of the bytes as a new array.
	 * @return the bytes
	 */
	public byte[] toByteArray() {
		byte[] copy = new byte[this.length];
		copyTo(0, copy, 0, this.length);
		return copy;
	}

	/**
	 * Returns a copy that stays valid after the callback returns.
	 * @return an independent view over a heap copy
	 */
	public Bytes copy() {
		return wrap(toByteArray());
	}

	/**
	 * Returns a new view over a part of this one (sharing the memory, so valid as long as this view is).
	 * @param from the first byte
	 * @param count the number of bytes
	 * @return the sub-view
	 */
	public Bytes slice(int from, int count) {
		Objects.checkFromIndexSize(from, count, this.length);
		return new Bytes(this.segment, this.offset + from, count);
	}

	/**
	 * Returns the bytes as a memory segment slice (no copy; valid as long as this view is).
	 * @return the segment
	 */
	public MemorySegment asSegment() {
		return this.segment.asSlice(this.offset, this.length);
	}

	/**
	 * Returns the bytes as a read-only byte buffer (no copy; valid as long as this view is).
	 * @return the buffer
	 */
	public ByteBuffer asByteBuffer() {
		return asSegment().asByteBuffer().asReadOnlyBuffer();
	}

	/**
	 * Decodes the bytes as text.
	 * @param charset the encoding
	 * @return the text
	 */
	public String toString(Charset charset) {
		return new String(toByteArray(), charset);
	}

	/**
	 * Returns the memory the view points into. Used by the server to copy without a slice.
	 * @return the backing segment
	 */
	MemorySegment segment() {
		return this.segment;
	}

	/**
	 * Returns the offset of the view's first byte in {@link #segment()}.
	 * @return the offset
	 */
	long offset() {
		return this.offset;
	}

	/**
	 * Compares contents with another view.
	 * @param other the other bytes
	 * @return {@code true} if both hold the same bytes
	 */
	public boolean contentEquals(Bytes other) {
		return this.length == other.length && MemorySegment.mismatch(this.segment, this.offset,
				this.offset + this.length, other.segment, other.offset, other.offset + other.length) == -1;
	}

	@Override
	public String toString() {
		return "Bytes[length=" + this.length + "]";
	}

	/**
	 * Returns the text of these bytes as UTF-8, for logs and tests.
	 * @return the decoded text
	 */
	public String toUtf8() {
		return toString(StandardCharsets.UTF_8);
	}

}
