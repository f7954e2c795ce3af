package dev.iouring.server.codec;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import dev.iouring.server.Bytes;

/**
 * Cuts frames that end with a delimiter: the {@code delimiter} codec (any byte sequence) and the
 * {@code line} codec (LF, where a CR right before the LF belongs to the delimiter too, so LF and CRLF
 * lines both work and a lone CR elsewhere is content).
 *
 * <p>{@code max-frame-size} bounds the content, delimiter excluded, whether or not the delimiter is
 * stripped. A frame is rejected as soon as more than that many bytes have been seen that cannot be part of
 * a delimiter, without waiting for the delimiter; so the buffer never holds more than the maximum plus
 * the delimiter.
 */
final class DelimiterFrameDecoder extends AccumulatingFrameDecoder {

	private static final byte LF = '\n';

	private static final byte CR = '\r';

	private final DelimiterMatcher matcher;

	/** Whether a CR right before the delimiter is part of it (the line codec). */
	private final boolean lines;

	private final boolean stripDelimiter;

	/**
	 * Most bytes of one frame, delimiter included, that can be scanned without finding the delimiter
	 * before the frame is certainly too large.
	 */
	private final int scanLimit;

	private DelimiterFrameDecoder(String codecName, byte[] delimiter, boolean lines, int maxFrameSize,
			boolean stripDelimiter) {
		super(codecName, maxFrameSize, delimiter.length + (lines ? 1 : 0));
		this.matcher = new DelimiterMatcher(delimiter);
		this.lines = lines;
		this.stripDelimiter = stripDelimiter;
		this.scanLimit = maxFrameSize + delimiter.length + (lines ? 1 : 0);
	}

	/**
	 * Returns a decoder for the line codec.
	 * @param maxFrameSize the longest line, without its CRLF or LF
	 * @param stripDelimiter whether frames leave out their CRLF or LF
	 * @return the decoder
	 */
	static DelimiterFrameDecoder lines(int maxFrameSize, boolean stripDelimiter) {
		return new DelimiterFrameDecoder("line", new byte[] { LF }, true, maxFrameSize, stripDelimiter);
	}

	/**
	 * Returns a decoder for the delimiter codec.
	 * @param delimiter the non-empty sequence that ends each frame (not copied; must not change)
	 * @param maxFrameSize the longest frame, without its delimiter
	 * @param stripDelimiter whether frames leave out their delimiter
	 * @return the decoder
	 */
	static DelimiterFrameDecoder delimitedBy(byte[] delimiter, int maxFrameSize, boolean stripDelimiter) {
		return new DelimiterFrameDecoder("delimiter", delimiter, false, maxFrameSize, stripDelimiter);
	}

	@Override
	void decodeChunk(Bytes input, FrameSink sink) {
		int end = input.length();
		int pos = 0;
		while (pos < end) {
			int buffered = this.buffer.size();
			int limit = (int) Math.min(end, (long) pos + this.scanLimit - buffered);
			int found = this.matcher.find(input, pos, limit);
			if (found < 0) {
				if (limit < end || buffered + (end - pos) - possibleDelimiterBytes(input, end) > this.maxFrameSize) {
					throw frameTooLarge();
				}
				this.buffer.append(input, pos, end - pos);
				return;
			}
			if (buffered == 0) {
				int length = deliverableLength(inputSegment(input), pos, found - pos);
				deliverFromInput(sink, input, pos, length);
			}
			else {
				this.buffer.append(input, pos, found - pos);
				deliverBuffered(sink, 0, deliverableLength(this.buffer.segment(), 0, this.buffer.size()));
			}
			pos = found;
		}
	}

	/**
	 * Returns how many of the bytes scanned since the last delimiter, ending at {@code end}, could still be
	 * the start of a delimiter: the matcher's partial match, or for lines a trailing CR.
	 */
	private int possibleDelimiterBytes(Bytes input, int end) {
		if (this.lines && input.getByte(end - 1) == CR) {
			return 1;
		}
		return this.matcher.matched();
	}

	/**
	 * Checks a whole frame and returns how much of it to deliver.
	 * @param frame the memory holding the frame
	 * @param from the frame's first byte
	 * @param length the frame's length, delimiter included
	 * @return the length to deliver: without the delimiter if it is stripped
	 */
	private int deliverableLength(MemorySegment frame, long from, int length) {
		int delimiterLength = this.matcher.length();
		if (this.lines && length > delimiterLength
				&& frame.get(ValueLayout.JAVA_BYTE, from + length - delimiterLength - 1) == CR) {
			delimiterLength++;
		}
		int contentLength = length - delimiterLength;
		if (contentLength > this.maxFrameSize) {
			throw frameTooLarge();
		}
		return this.stripDelimiter ? contentLength : length;
	}

}
