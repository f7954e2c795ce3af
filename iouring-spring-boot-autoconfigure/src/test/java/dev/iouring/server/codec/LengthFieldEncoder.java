package dev.iouring.server.codec;

import java.nio.ByteBuffer;

/**
 * The test side of the length-field codec: writes frames the way a peer would.
 */
final class LengthFieldEncoder {

	private LengthFieldEncoder() {
	}

	/**
	 * Encodes one frame: the offset bytes, the length field, then the payload.
	 * @param options the layout
	 * @param offsetBytes the bytes before the field (as many as the options' offset)
	 * @param payload the bytes following the field
	 * @return the frame on the wire
	 */
	static byte[] encode(LengthFieldOptions options, byte[] offsetBytes, byte[] payload) {
		byte[] header = header(options, offsetBytes, (long) payload.length - options.lengthAdjustment());
		return DecoderHarness.concat(header, payload);
	}

	/**
	 * Encodes a header holding any field value, even one no valid frame has.
	 * @param options the layout
	 * @param offsetBytes the bytes before the field
	 * @param fieldValue the value to write, truncated to the field's size
	 * @return the header bytes
	 */
	static byte[] header(LengthFieldOptions options, byte[] offsetBytes, long fieldValue) {
		ByteBuffer header = ByteBuffer.allocate(options.headerLength()).order(options.byteOrder().toByteOrder());
		header.put(offsetBytes);
		switch (options.lengthFieldLength()) {
			case 1 -> header.put((byte) fieldValue);
			case 2 -> header.putShort((short) fieldValue);
			case 4 -> header.putInt((int) fieldValue);
			case 8 -> header.putLong(fieldValue);
			default -> throw new IllegalArgumentException("field length " + options.lengthFieldLength());
		}
		return header.array();
	}

}
