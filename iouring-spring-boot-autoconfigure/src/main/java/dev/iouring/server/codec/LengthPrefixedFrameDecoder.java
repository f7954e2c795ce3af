package dev.iouring.server.codec;

import java.lang.foreign.MemorySegment;

import dev.iouring.server.Bytes;

/**
 * Cuts frames whose length is known from their first bytes: a header of fixed size that a subclass reads
 * to learn the whole frame's length (the {@code length-field} codec), or no header and a constant length
 * (the {@code fixed} codec).
 *
 * <p>The length is read as soon as the header is complete, so an oversized or malformed frame is rejected
 * before any of its body is buffered, and the buffer never holds more than one frame.
 */
abstract class LengthPrefixedFrameDecoder extends AccumulatingFrameDecoder {

	/** Length still unknown: the buffered bytes do not hold a whole header yet. */
	private static final int UNKNOWN = -1;

	private final int headerLength;

	private final int strippedLength;

	/** Length of the frame being buffered, header included, or {@link #UNKNOWN}. */
	private int frameLength = UNKNOWN;

	/**
	 * Creates the decoder.
	 * @param codecName the codec's kind, used in error messages
	 * @param maxFrameSize the longest frame accepted, header excluded
	 * @param headerLength how many leading bytes {@link #frameLength(MemorySegment, long)} reads
	 * @param strippedLength how many leading bytes to leave out of each delivered frame
	 */
	LengthPrefixedFrameDecoder(String codecName, int maxFrameSize, int headerLength, int strippedLength) {
		super(codecName, maxFrameSize, headerLength);
		this.headerLength = headerLength;
		this.strippedLength = strippedLength;
	}

	/**
	 * Reads a header and returns the whole frame's length.
	 * @param memory the memory holding the header
	 * @param headerOffset where the header starts
	 * @return the frame's length, header included: at least the header length, and at most the header
	 * length plus the maximum frame size
	 * @throws FramingException if the header announces a frame too large or impossible
	 */
	abstract int frameLength(MemorySegment memory, long headerOffset);

	@Override
	final void decodeChunk(Bytes input, FrameSink sink) {
		int pos = 0;
		if (!this.buffer.isEmpty()) {
			pos = completeBufferedFrame(input, sink);
		}
		int end = input.length();
		while (pos < end) {
			int available = end - pos;
			if (available < this.headerLength) {
				this.buffer.append(input, pos, available);
				return;
			}
			int length = frameLength(inputSegment(input), pos);
			if (available < length) {
				this.frameLength = length;
				this.buffer.append(input, pos, available);
				return;
			}
			deliverFromInput(sink, input, pos + this.strippedLength, length - this.strippedLength);
			pos += length;
		}
	}

	/**
	 * Adds the chunk's first bytes to the buffered frame, and delivers the frame if that completes it.
	 * @return where the chunk's unused bytes start ({@code input.length()} if it was used up)
	 */
	private int completeBufferedFrame(Bytes input, FrameSink sink) {
		int pos = 0;
		if (this.frameLength == UNKNOWN) {
			pos = appendUpTo(this.headerLength, input, pos);
			if (this.buffer.size() < this.headerLength) {
				return pos;
			}
			this.frameLength = frameLength(this.buffer.segment(), 0);
		}
		pos = appendUpTo(this.frameLength, input, pos);
		if (this.buffer.size() == this.frameLength) {
			int length = this.frameLength;
			this.frameLength = UNKNOWN;
			deliverBuffered(sink, this.strippedLength, length - this.strippedLength);
		}
		return pos;
	}

	/** Appends chunk bytes until the buffer holds {@code target} bytes or the chunk ends. */
	private int appendUpTo(int target, Bytes input, int pos) {
		int count = Math.min(target - this.buffer.size(), input.length() - pos);
		this.buffer.append(input, pos, count);
		return pos + count;
	}

}
