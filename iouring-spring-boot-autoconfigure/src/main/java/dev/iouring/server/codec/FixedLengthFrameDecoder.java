package dev.iouring.server.codec;

import java.lang.foreign.MemorySegment;

/**
 * The {@code fixed} codec: every frame is exactly {@code frame-length} bytes, which is also its maximum.
 */
final class FixedLengthFrameDecoder extends LengthPrefixedFrameDecoder {

	private final int frameLength;

	/**
	 * Creates the decoder.
	 * @param frameLength the size of every frame, positive
	 */
	FixedLengthFrameDecoder(int frameLength) {
		super("fixed", frameLength, 0, 0);
		this.frameLength = frameLength;
	}

	@Override
	int frameLength(MemorySegment memory, long headerOffset) {
		return this.frameLength;
	}

}
