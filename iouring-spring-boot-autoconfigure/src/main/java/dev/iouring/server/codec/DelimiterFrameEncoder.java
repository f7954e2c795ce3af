package dev.iouring.server.codec;

import java.lang.foreign.MemorySegment;

import dev.iouring.server.Connection;

/**
 * Writes the payload, then a delimiter: lines ({@code \n} or {@code \r\n}) and delimited frames. The
 * delimiter is one read-only segment shared by every write, so the encoder is safe to share and writing
 * it allocates nothing on the loop (an array might be wrapped in a new segment at every write). Any
 * payload length can be framed.
 */
final class DelimiterFrameEncoder extends FrameEncoder {

	private final String description;

	private final MemorySegment delimiter;

	DelimiterFrameEncoder(String description, byte[] delimiter) {
		this.description = description;
		this.delimiter = MemorySegment.ofArray(delimiter).asReadOnly();
	}

	@Override
	void writeHeader(Connection connection, int payloadLength) {
	}

	@Override
	void writeTrailer(Connection connection) {
		connection.write(this.delimiter);
	}

	@Override
	public String toString() {
		return this.description;
	}

}
