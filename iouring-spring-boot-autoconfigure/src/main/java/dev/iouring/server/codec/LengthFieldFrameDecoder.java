package dev.iouring.server.codec;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The {@code length-field} codec: each frame starts with a header of {@code length-field-offset} bytes
 * followed by an unsigned length field of 1, 2, 4 or 8 bytes. The field's value plus
 * {@code length-adjustment} is the number of bytes following the field, which {@code max-frame-size}
 * bounds.
 *
 * <pre>
 * |&lt;- length-field-offset -&gt;|&lt;- length-field-length -&gt;|&lt;- value + length-adjustment bytes -&gt;|
 * |        header (stripped when strip-header is true)      |             payload                 |
 * </pre>
 */
final class LengthFieldFrameDecoder extends LengthPrefixedFrameDecoder {

	private final LengthFieldOptions options;

	private final ValueLayout field;

	/**
	 * Creates the decoder.
	 * @param options the validated options
	 */
	LengthFieldFrameDecoder(LengthFieldOptions options) {
		super("length-field", options.maxFrameSize(), options.headerLength(),
				options.stripHeader() ? options.headerLength() : 0);
		this.options = options;
		this.field = fieldLayout(options);
	}

	private static ValueLayout fieldLayout(LengthFieldOptions options) {
		ValueLayout layout = switch (options.lengthFieldLength()) {
			case 1 -> ValueLayout.JAVA_BYTE;
			case 2 -> ValueLayout.JAVA_SHORT_UNALIGNED;
			case 4 -> ValueLayout.JAVA_INT_UNALIGNED;
			case 8 -> ValueLayout.JAVA_LONG_UNALIGNED;
			default -> throw new IllegalArgumentException(
					"length-field-length must be 1, 2, 4 or 8 but was " + options.lengthFieldLength());
		};
		return layout.withOrder(options.byteOrder().toByteOrder());
	}

	@Override
	int frameLength(MemorySegment memory, long headerOffset) {
		long value = readField(memory, headerOffset + this.options.lengthFieldOffset());
		if (value < 0) {
			throw malformedFrame("length field holds " + Long.toUnsignedString(value)
					+ ", beyond the largest signed 64-bit length");
		}
		long payload;
		try {
			payload = Math.addExact(value, this.options.lengthAdjustment());
		}
		catch (ArithmeticException ex) {
			throw malformedFrame("length field " + value + " plus length-adjustment "
					+ this.options.lengthAdjustment() + " overflows a 64-bit length");
		}
		if (payload < 0) {
			throw malformedFrame("length field " + value + " plus length-adjustment "
					+ this.options.lengthAdjustment() + " is negative");
		}
		if (payload > this.maxFrameSize) {
			throw frameTooLarge();
		}
		return this.options.headerLength() + (int) payload;
	}

	/** Reads the field as an unsigned number (a negative result means an 8-byte value above 2^63 - 1). */
	private long readField(MemorySegment memory, long offset) {
		return switch (this.field) {
			case ValueLayout.OfByte layout -> Byte.toUnsignedLong(memory.get(layout, offset));
			case ValueLayout.OfShort layout -> Short.toUnsignedLong(memory.get(layout, offset));
			case ValueLayout.OfInt layout -> Integer.toUnsignedLong(memory.get(layout, offset));
			case ValueLayout.OfLong layout -> memory.get(layout, offset);
			default -> throw new IllegalStateException("unexpected length field layout " + this.field);
		};
	}

}
