package dev.iouring.server.codec;

/**
 * Creates the {@link FrameDecoder} of each new connection. Decoders keep per-connection state, so every
 * connection gets its own.
 */
@FunctionalInterface
public interface FrameDecoderFactory {

	/**
	 * Returns a fresh decoder for one connection.
	 * @return the decoder
	 */
	FrameDecoder newDecoder();

}
