package dev.iouring.server;

import java.lang.foreign.MemorySegment;

/**
 * Where a {@link TlsSession} puts the bytes it produces: decrypted application bytes for the codec, or
 * records to send to the peer.
 *
 * <p>The bytes are borrowed: they lie in the session's own reused buffers and are valid only during the
 * call, so a sink copies what it keeps (into the outbound queue) or reads them at once (a codec through a
 * {@link BytesWindow} view). Called on the connection's loop thread only.
 */
@FunctionalInterface
interface TlsSink {

	/**
	 * Takes bytes.
	 * @param segment the memory holding them
	 * @param offset the first byte within {@code segment}
	 * @param length the number of bytes, at least 1
	 */
	void accept(MemorySegment segment, long offset, int length);

}
