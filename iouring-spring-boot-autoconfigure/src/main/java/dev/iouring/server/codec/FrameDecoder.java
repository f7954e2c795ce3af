package dev.iouring.server.codec;

import dev.iouring.server.Bytes;

/**
 * Cuts one connection's byte stream into frames.
 *
 * <p>{@link #decode} is called with each chunk of received bytes, in order, on one thread at a time. It
 * passes every complete frame to the sink, in order. A frame lying wholly inside {@code input} should be
 * passed as a view of it (no copy); a frame spanning chunks is assembled in memory owned by the decoder
 * and bounded by its maximum frame size. The {@link Bytes} given to the sink is valid only during the
 * sink call.
 *
 * <p>On bad input the decoder throws {@link FramingException} (and nothing else); the server then
 * closes that connection with the exception's reason.
 */
public interface FrameDecoder {

	/**
	 * Consumes a chunk of the stream.
	 * @param input the received bytes, valid during this call
	 * @param sink receives each complete frame
	 * @throws FramingException if a frame is too large or malformed
	 */
	void decode(Bytes input, FrameSink sink) throws FramingException;

	/**
	 * Returns how many bytes of an incomplete frame the decoder holds.
	 * @return the buffered byte count
	 */
	int bufferedBytes();

	/**
	 * Frees buffered bytes; called once when the connection closes.
	 */
	default void release() {
	}

}
