package dev.iouring.server.codec;

import java.lang.foreign.MemorySegment;

import dev.iouring.server.Connection;

/**
 * Writes a length field, then the payload: the inverse of {@link LengthFieldFrameDecoder} with the same
 * {@link LengthFieldOptions}. The field holds {@code payload length - length-adjustment}, which is what
 * makes that decoder find {@code field + length-adjustment} payload bytes after it.
 *
 * <p>The field is written from a small buffer of the writing thread, which the connection copies before
 * {@code write} returns. Per thread rather than per encoder because one encoder is typically shared by
 * a handler that serves every loop; per thread rather than per frame so that the loop allocates nothing.
 * The buffer is handed over as a segment made once per field size, since a transport may wrap an array
 * in a new segment at every write.
 */
final class LengthFieldFrameEncoder extends FrameEncoder {

	private static final ThreadLocal<FieldBuffer> FIELD = ThreadLocal.withInitial(FieldBuffer::new);

	private final LengthFieldOptions options;

	private final int fieldLength;

	private final boolean bigEndian;

	/** The largest value the field can hold; an 8-byte field is read as a signed positive long. */
	private final long largestValue;

	LengthFieldFrameEncoder(LengthFieldOptions options) {
		this.options = options;
		this.fieldLength = options.lengthFieldLength();
		this.bigEndian = options.byteOrder() == FieldByteOrder.BIG_ENDIAN;
		this.largestValue = (this.fieldLength == Long.BYTES) ? Long.MAX_VALUE : (1L << (8 * this.fieldLength)) - 1;
	}

	@Override
	void writeHeader(Connection connection, int payloadLength) {
		if (payloadLength > this.options.maxFrameSize()) {
			throw new IllegalArgumentException("a frame of " + payloadLength + " bytes exceeds max-frame-size of "
					+ this.options.maxFrameSize() + " bytes (" + this + " encoder)");
		}
		long value = (long) payloadLength - this.options.lengthAdjustment();
		if (value < 0 || value > this.largestValue) {
			throw new IllegalArgumentException("a frame of " + payloadLength + " bytes needs the length field to hold "
					+ value + " (the length less length-adjustment " + this.options.lengthAdjustment() + "), outside 0 to "
					+ this.largestValue + " of a " + this.fieldLength + "-byte field (" + this + " encoder)");
		}
		FieldBuffer field = FIELD.get();
		for (int i = 0; i < this.fieldLength; i++) {
			int shift = 8 * (this.bigEndian ? this.fieldLength - 1 - i : i);
			field.bytes[i] = (byte) (value >>> shift);
		}
		connection.write(field.ofSize[this.fieldLength]);
	}

	@Override
	void writeTrailer(Connection connection) {
	}

	@Override
	public String toString() {
		return "length-field(max-frame-size=" + this.options.maxFrameSize() + ", length-field-length="
				+ this.fieldLength + ", length-adjustment=" + this.options.lengthAdjustment() + ", byte-order="
				+ this.options.byteOrder() + ")";
	}

	/** One thread's field bytes, and a segment over the first 1, 2, 4 and 8 of them. */
	private static final class FieldBuffer {

		final byte[] bytes = new byte[Long.BYTES];

		final MemorySegment[] ofSize = new MemorySegment[Long.BYTES + 1];

		FieldBuffer() {
			MemorySegment all = MemorySegment.ofArray(this.bytes);
			for (int size = 1; size <= Long.BYTES; size *= 2) {
				this.ofSize[size] = all.asSlice(0, size);
			}
		}

	}

}
