package dev.iouring.server.codec;

import java.util.Objects;

/**
 * Options of the {@code length-field} codec. Each frame is a header of {@code lengthFieldOffset} bytes and
 * a length field, then {@code field value + lengthAdjustment} bytes of payload:
 *
 * <pre>
 * |&lt;- length-field-offset -&gt;|&lt;- length-field-length -&gt;|&lt;- value + length-adjustment bytes -&gt;|
 * </pre>
 *
 * <p>A field whose value counts the whole frame (header included) takes a negative adjustment of minus
 * the header length. The field is read unsigned; an 8-byte value above 2<sup>63</sup> - 1, a negative
 * payload length or an overflow is a malformed frame, and a payload over {@code maxFrameSize} is rejected
 * from the header alone, before its bytes are buffered.
 *
 * @param maxFrameSize the largest payload accepted ({@code max-frame-size}); the header comes on top
 * @param lengthFieldLength the field's size in bytes: 1, 2, 4 or 8 ({@code length-field-length})
 * @param lengthFieldOffset the bytes before the field ({@code length-field-offset})
 * @param lengthAdjustment added to the field's value to give the bytes following the field
 * ({@code length-adjustment})
 * @param stripHeader whether delivered frames leave out the offset bytes and the field
 * ({@code strip-header})
 * @param byteOrder the field's byte order ({@code byte-order})
 */
public record LengthFieldOptions(int maxFrameSize, int lengthFieldLength, int lengthFieldOffset,
		int lengthAdjustment, boolean stripHeader, FieldByteOrder byteOrder) {

	/** Default field size: 4 bytes, enough for any frame a decoder can buffer. */
	public static final int DEFAULT_LENGTH_FIELD_LENGTH = 4;

	public LengthFieldOptions {
		Objects.requireNonNull(byteOrder, "byte-order must not be null");
		if (lengthFieldLength != 1 && lengthFieldLength != 2 && lengthFieldLength != 4 && lengthFieldLength != 8) {
			throw new IllegalArgumentException(
					"length-field-length must be 1, 2, 4 or 8 but was " + lengthFieldLength);
		}
		if (lengthFieldOffset < 0 || lengthFieldOffset > Framing.LARGEST_BUFFER - 9) {
			throw new IllegalArgumentException("length-field-offset must be between 0 and "
					+ (Framing.LARGEST_BUFFER - 9) + " but was " + lengthFieldOffset);
		}
		Framing.checkMaxFrameSize(maxFrameSize, lengthFieldOffset + lengthFieldLength,
				"length-field-offset plus length-field-length");
	}

	/**
	 * Returns the defaults: {@value Framing#DEFAULT_MAX_FRAME_SIZE}-byte maximum payload, a 4-byte
	 * big-endian field at offset 0 counting the bytes after it, header stripped.
	 * @return the default options
	 */
	public static LengthFieldOptions defaults() {
		return new LengthFieldOptions(Framing.DEFAULT_MAX_FRAME_SIZE, DEFAULT_LENGTH_FIELD_LENGTH, 0, 0, true,
				FieldByteOrder.BIG_ENDIAN);
	}

	/**
	 * Returns how many bytes precede the payload: the offset plus the field.
	 * @return the header length
	 */
	public int headerLength() {
		return this.lengthFieldOffset + this.lengthFieldLength;
	}

	/**
	 * Returns a copy with another maximum payload size.
	 * @param maxFrameSize the largest payload
	 * @return the new options
	 */
	public LengthFieldOptions withMaxFrameSize(int maxFrameSize) {
		return new LengthFieldOptions(maxFrameSize, this.lengthFieldLength, this.lengthFieldOffset,
				this.lengthAdjustment, this.stripHeader, this.byteOrder);
	}

	/**
	 * Returns a copy with another field size.
	 * @param lengthFieldLength 1, 2, 4 or 8
	 * @return the new options
	 */
	public LengthFieldOptions withLengthFieldLength(int lengthFieldLength) {
		return new LengthFieldOptions(this.maxFrameSize, lengthFieldLength, this.lengthFieldOffset,
				this.lengthAdjustment, this.stripHeader, this.byteOrder);
	}

	/**
	 * Returns a copy with another field offset.
	 * @param lengthFieldOffset the bytes before the field
	 * @return the new options
	 */
	public LengthFieldOptions withLengthFieldOffset(int lengthFieldOffset) {
		return new LengthFieldOptions(this.maxFrameSize, this.lengthFieldLength, lengthFieldOffset,
				this.lengthAdjustment, this.stripHeader, this.byteOrder);
	}

	/**
	 * Returns a copy with another adjustment.
	 * @param lengthAdjustment added to the field's value
	 * @return the new options
	 */
	public LengthFieldOptions withLengthAdjustment(int lengthAdjustment) {
		return new LengthFieldOptions(this.maxFrameSize, this.lengthFieldLength, this.lengthFieldOffset,
				lengthAdjustment, this.stripHeader, this.byteOrder);
	}

	/**
	 * Returns a copy whose field counts the whole frame, header included: the length adjustment becomes
	 * minus {@link #headerLength()}. Call it after setting the field's offset and length, which it reads.
	 * @return the new options
	 */
	public LengthFieldOptions withLengthIncludingHeader() {
		return withLengthAdjustment(-headerLength());
	}

	/**
	 * Returns a copy that strips the header or keeps it.
	 * @param stripHeader whether frames leave out the header
	 * @return the new options
	 */
	public LengthFieldOptions withStripHeader(boolean stripHeader) {
		return new LengthFieldOptions(this.maxFrameSize, this.lengthFieldLength, this.lengthFieldOffset,
				this.lengthAdjustment, stripHeader, this.byteOrder);
	}

	/**
	 * Returns a copy with another byte order.
	 * @param byteOrder the field's byte order
	 * @return the new options
	 */
	public LengthFieldOptions withByteOrder(FieldByteOrder byteOrder) {
		return new LengthFieldOptions(this.maxFrameSize, this.lengthFieldLength, this.lengthFieldOffset,
				this.lengthAdjustment, this.stripHeader, byteOrder);
	}

}
