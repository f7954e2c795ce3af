package dev.iouring.server;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
 *
 * <p>Only the {@link BytesWindow} that made a view can move it, so a holder cannot. Reads and searches
 * check positions against {@link #length()} and throw {@link IndexOutOfBoundsException} naming the range,
 * never reading neighbouring memory. Text comparisons are ASCII, one byte per char; a char or byte
 * outside ASCII matches nothing, so text that UTF-8 encodes in several bytes never compares equal.
 */
public final class Bytes {

	private static final MemorySegment EMPTY_SEGMENT = MemorySegment.ofArray(new byte[0]);

	private static final Bytes EMPTY = new Bytes();

	private MemorySegment segment;

	private long offset;

	private int length;

	/** An empty view, for {@link BytesWindow} (and the io_uring loop) to move. */
	Bytes() {
		this.segment = EMPTY_SEGMENT;
	}

	private Bytes(MemorySegment segment, long offset, int length) {
		this.segment = segment;
		this.offset = offset;
		this.length = length;
	}

	/**
	 * Returns the empty view, shared since nothing can re-point it.
	 * @return a view of no bytes
	 */
	public static Bytes empty() {
		return EMPTY;
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
	 * Points this view at a window of a segment. Package-private so that only the owner of a reused view
	 * moves it: the io_uring loop here, everyone else through {@link BytesWindow}.
	 * @param segment the memory holding the bytes
	 * @param offset the window's first byte within {@code segment}
	 * @param length the window's size
	 * @return this view
	 */
	Bytes set(MemorySegment segment, long offset, int length) {
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
	 * Returns one byte as an unsigned value.
	 * @param index the position in the view, from 0
	 * @return the byte, 0 to 255
	 */
	public int getUnsignedByte(int index) {
		return Byte.toUnsignedInt(getByte(index));
	}

	/**
	 * Returns the two bytes at {@code index} as a signed 16-bit value.
	 * @param index the first byte's position
	 * @param order the bytes' order
	 * @return the value
	 */
	public short getShort(int index, ByteOrder order) {
		Objects.checkFromIndexSize(index, Short.BYTES, this.length);
		return this.segment.get(ByteAccess.shortLayout(order), this.offset + index);
	}

	/**
	 * Returns the two bytes at {@code index} as an unsigned 16-bit value.
	 * @param index the first byte's position
	 * @param order the bytes' order
	 * @return the value, 0 to 65535
	 */
	public int getUnsignedShort(int index, ByteOrder order) {
		return Short.toUnsignedInt(getShort(index, order));
	}

	/**
	 * Returns the four bytes at {@code index} as a signed 32-bit value.
	 * @param index the first byte's position
	 * @param order the bytes' order
	 * @return the value
	 */
	public int getInt(int index, ByteOrder order) {
		Objects.checkFromIndexSize(index, Integer.BYTES, this.length);
		return this.segment.get(ByteAccess.intLayout(order), this.offset + index);
	}

	/**
	 * Returns the four bytes at {@code index} as an unsigned 32-bit value.
	 * @param index the first byte's position
	 * @param order the bytes' order
	 * @return the value, 0 to 2<sup>32</sup> - 1
	 */
	public long getUnsignedInt(int index, ByteOrder order) {
		return Integer.toUnsignedLong(getInt(index, order));
	}

	/**
	 * Returns the eight bytes at {@code index} as a signed 64-bit value (there is no unsigned variant:
	 * {@link Long#compareUnsigned} and friends read the result as unsigned).
	 * @param index the first byte's position
	 * @param order the bytes' order
	 * @return the value
	 */
	public long getLong(int index, ByteOrder order) {
		Objects.checkFromIndexSize(index, Long.BYTES, this.length);
		return this.segment.get(ByteAccess.longLayout(order), this.offset + index);
	}

	/**
	 * Returns the position of the first occurrence of a byte, or -1.
	 * @param value the byte to find
	 * @return the position in the view, or -1 if absent
	 */
	public int indexOf(byte value) {
		return indexOf(value, 0);
	}

	/**
	 * Returns the position of the first occurrence of a byte at or after {@code from}, or -1.
	 * @param value the byte to find
	 * @param from the first position to look at, from 0 to {@link #length()} (which finds nothing)
	 * @return the position in the view, or -1 if absent
	 * @throws IndexOutOfBoundsException if {@code from} is negative or past the end
	 */
	public int indexOf(byte value, int from) {
		Objects.checkIndex(from, this.length + 1);
		return ByteAccess.indexOf(this.segment, this.offset, this.length, value, from);
	}

	/**
	 * Returns the position of the first occurrence of a byte sequence, or -1.
	 * @param sequence the bytes to find; an empty one is found at once
	 * @return the position of its first byte in the view, or -1 if absent
	 */
	public int indexOf(byte[] sequence) {
		return indexOf(sequence, 0);
	}

	/**
	 * Returns the position of the first occurrence of a byte sequence starting at or after {@code from},
	 * or -1. An empty sequence is found at {@code from}, as {@link String#indexOf(String, int)} finds an
	 * empty string.
	 * @param sequence the bytes to find
	 * @param from the first position to look at, from 0 to {@link #length()}
	 * @return the position of its first byte in the view, or -1 if absent
	 * @throws IndexOutOfBoundsException if {@code from} is negative or past the end
	 */
	public int indexOf(byte[] sequence, int from) {
		Objects.checkIndex(from, this.length + 1);
		return ByteAccess.indexOf(this.segment, this.offset, this.length, sequence, from);
	}

	/**
	 * Returns whether the view holds exactly these bytes.
	 * @param other the bytes to compare with
	 * @return {@code true} if the lengths and every byte agree
	 */
	public boolean contentEquals(byte[] other) {
		return other.length == this.length && ByteAccess.matches(this.segment, this.offset, other);
	}

	/**
	 * Returns whether the view starts with these bytes.
	 * @param prefix the bytes to look for
	 * @return {@code true} if the view is at least as long and its first bytes are {@code prefix}
	 */
	public boolean startsWith(byte[] prefix) {
		return prefix.length <= this.length && ByteAccess.matches(this.segment, this.offset, prefix);
	}

	/**
	 * Returns whether the view holds exactly this ASCII text, one byte per char.
	 * @param text the text to compare with
	 * @return {@code true} if the lengths agree and every byte is the char at its position
	 */
	public boolean contentEquals(CharSequence text) {
		return text.length() == this.length && ByteAccess.matches(this.segment, this.offset, text, false);
	}

	/**
	 * Returns whether the view starts with this ASCII text, one byte per char.
	 * @param prefix the text to look for
	 * @return {@code true} if the view is at least as long and its first bytes spell {@code prefix}
	 */
	public boolean startsWith(CharSequence prefix) {
		return prefix.length() <= this.length && ByteAccess.matches(this.segment, this.offset, prefix, false);
	}

	/**
	 * Returns whether the view holds this ASCII text, ignoring the case of ASCII letters only (so
	 * {@code "get"} matches {@code GET}, the way text protocols such as RESP and HTTP compare names).
	 * @param text the text to compare with
	 * @return {@code true} if the lengths agree and every byte matches its char, case aside
	 */
	public boolean contentEqualsIgnoreCase(CharSequence text) {
		return text.length() == this.length && ByteAccess.matches(this.segment, this.offset, text, true);
	}

	/**
	 * Returns whether the view starts with this ASCII text, ignoring the case of ASCII letters.
	 * @param prefix the text to look for
	 * @return {@code true} if the view is at least as long and its first bytes match, case aside
	 */
	public boolean startsWithIgnoreCase(CharSequence prefix) {
		return prefix.length() <= this.length && ByteAccess.matches(this.segment, this.offset, prefix, true);
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

	/** The memory the view points into, so that the server copies without a slice. */
	MemorySegment segment() {
		return this.segment;
	}

	/** The offset of the view's first byte in {@link #segment()}. */
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
	 * Returns the bytes decoded as UTF-8, for logs and tests.
	 * @return the text
	 */
	public String toUtf8() {
		return toString(StandardCharsets.UTF_8);
	}

}
