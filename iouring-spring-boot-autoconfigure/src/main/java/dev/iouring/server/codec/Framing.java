package dev.iouring.server.codec;

import java.util.HexFormat;
import java.util.function.Supplier;

/**
 * The built-in codecs. Each method checks its options, naming the offending one, and returns a factory
 * that gives every connection its own decoder.
 *
 * <p>Every codec has a maximum frame size that bounds the frame's content, framing bytes (delimiter,
 * length header) excluded; a decoder therefore never holds more than that maximum plus the framing bytes
 * of one frame. A longer frame fails with {@link dev.iouring.server.CloseReason#FRAME_TOO_LARGE} as soon
 * as it is certain, before the rest of it arrives.
 */
public final class Framing {

	/** Default maximum frame size: 64 KiB, far above a text line or a typical message. */
	public static final int DEFAULT_MAX_FRAME_SIZE = 64 * 1024;

	/**
	 * Largest buffer a decoder may need: frames are assembled in a Java array, and HotSpot refuses arrays
	 * within a few header words of {@link Integer#MAX_VALUE}.
	 */
	static final int LARGEST_BUFFER = Integer.MAX_VALUE - 8;

	private Framing() {
	}

	/**
	 * Returns the line codec with the default maximum, stripping line ends.
	 * @return the decoder factory
	 */
	public static FrameDecoderFactory line() {
		return line(DEFAULT_MAX_FRAME_SIZE, true);
	}

	/**
	 * Returns the line codec: frames end with LF, and a CR right before the LF belongs to the line end, so
	 * LF and CRLF both work. An empty line is an empty frame.
	 * @param maxFrameSize the longest line, without its line end
	 * @param stripDelimiter whether frames leave out their CRLF or LF
	 * @return the decoder factory
	 */
	public static FrameDecoderFactory line(int maxFrameSize, boolean stripDelimiter) {
		checkMaxFrameSize(maxFrameSize, 2, "the line end");
		return new DescribedFactory("line(max-frame-size=" + maxFrameSize + ", strip-delimiter=" + stripDelimiter + ")",
				() -> DelimiterFrameDecoder.lines(maxFrameSize, stripDelimiter));
	}

	/**
	 * Returns the delimiter codec with the default maximum, stripping the delimiter.
	 * @param delimiter the non-empty byte sequence that ends each frame (copied)
	 * @return the decoder factory
	 */
	public static FrameDecoderFactory delimiter(byte[] delimiter) {
		return delimiter(delimiter, DEFAULT_MAX_FRAME_SIZE, true);
	}

	/**
	 * Returns the delimiter codec: frames end with the first occurrence of a byte sequence, e.g. {@code \0}
	 * or {@code \r\n\r\n}. Two delimiters in a row make an empty frame.
	 * @param delimiter the non-empty byte sequence that ends each frame (copied)
	 * @param maxFrameSize the longest frame, without its delimiter
	 * @param stripDelimiter whether frames leave out their delimiter
	 * @return the decoder factory
	 */
	public static FrameDecoderFactory delimiter(byte[] delimiter, int maxFrameSize, boolean stripDelimiter) {
		if (delimiter.length == 0) {
			throw new IllegalArgumentException("delimiter must not be empty");
		}
		byte[] copy = delimiter.clone();
		checkMaxFrameSize(maxFrameSize, copy.length, "the delimiter");
		return new DescribedFactory("delimiter(delimiter=0x" + HexFormat.of().formatHex(copy) + ", max-frame-size="
				+ maxFrameSize + ", strip-delimiter=" + stripDelimiter + ")",
				() -> DelimiterFrameDecoder.delimitedBy(copy, maxFrameSize, stripDelimiter));
	}

	/**
	 * Returns the length-field codec: each frame carries its length in a header.
	 * @param options the header layout and limits
	 * @return the decoder factory
	 * @see LengthFieldOptions
	 */
	public static FrameDecoderFactory lengthField(LengthFieldOptions options) {
		String description = "length-field(max-frame-size=" + options.maxFrameSize() + ", length-field-length="
				+ options.lengthFieldLength() + ", length-field-offset=" + options.lengthFieldOffset()
				+ ", length-adjustment=" + options.lengthAdjustment() + ", strip-header=" + options.stripHeader()
				+ ", byte-order=" + options.byteOrder() + ")";
		return new DescribedFactory(description, () -> new LengthFieldFrameDecoder(options));
	}

	/**
	 * Returns the fixed codec: every frame is exactly {@code frameLength} bytes, which is also the
	 * maximum frame size.
	 * @param frameLength the size of every frame, positive
	 * @return the decoder factory
	 */
	public static FrameDecoderFactory fixed(int frameLength) {
		if (frameLength < 1 || frameLength > LARGEST_BUFFER) {
			throw new IllegalArgumentException(
					"frame-length must be between 1 and " + LARGEST_BUFFER + " but was " + frameLength);
		}
		return new DescribedFactory("fixed(frame-length=" + frameLength + ")",
				() -> new FixedLengthFrameDecoder(frameLength));
	}

	/**
	 * Checks a maximum frame size, given the framing bytes a buffered frame carries on top of it.
	 * @param maxFrameSize the value to check
	 * @param overhead the framing bytes of one frame
	 * @param overheadName what the overhead is, for the message
	 */
	static void checkMaxFrameSize(int maxFrameSize, int overhead, String overheadName) {
		if (maxFrameSize < 1) {
			throw new IllegalArgumentException("max-frame-size must be positive but was " + maxFrameSize);
		}
		if ((long) maxFrameSize + overhead > LARGEST_BUFFER) {
			throw new IllegalArgumentException("max-frame-size must be at most " + (LARGEST_BUFFER - overhead)
					+ " (the largest buffer, " + LARGEST_BUFFER + " bytes, less " + overheadName + ") but was "
					+ maxFrameSize);
		}
	}

	/** A factory that says which codec and options it stands for, for logs and diagnostics. */
	private record DescribedFactory(String description, Supplier<FrameDecoder> decoders)
			implements FrameDecoderFactory {

		@Override
		public FrameDecoder newDecoder() {
			return this.decoders.get();
		}

		@Override
		public String toString() {
			return this.description;
		}

	}

}
