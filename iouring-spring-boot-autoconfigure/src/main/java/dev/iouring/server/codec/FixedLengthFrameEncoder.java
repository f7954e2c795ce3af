package dev.iouring.server.codec;

import dev.iouring.server.Connection;

/**
 * Writes payloads of exactly one size and refuses any other: a shorter or longer frame would shift
 * every later frame of the peer's {@code fixed} codec, which cannot notice.
 */
final class FixedLengthFrameEncoder extends FrameEncoder {

	private final int frameLength;

	FixedLengthFrameEncoder(int frameLength) {
		this.frameLength = frameLength;
	}

	@Override
	void writeHeader(Connection connection, int payloadLength) {
		if (payloadLength != this.frameLength) {
			throw new IllegalArgumentException("every frame must be exactly " + this.frameLength
					+ " bytes but the payload has " + payloadLength + " (" + this + " encoder)");
		}
	}

	@Override
	void writeTrailer(Connection connection) {
	}

	@Override
	public String toString() {
		return "fixed(frame-length=" + this.frameLength + ")";
	}

}
