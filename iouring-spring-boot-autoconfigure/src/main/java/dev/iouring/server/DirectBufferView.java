package dev.iouring.server;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

import org.jspecify.annotations.Nullable;

/**
 * A {@link ByteBuffer} over received bytes for code that reads buffers (an {@code SSLEngine}), made once
 * per memory region and then only re-positioned. Received bytes lie in one region per loop (the io_uring
 * loop's buffer ring, the NIO loop's read buffer), so after the first receive a view costs no allocation;
 * {@link Bytes#asByteBuffer()} would allocate a slice and a buffer every time.
 *
 * <p>The buffer is writable and shared by every call: the caller reads it from position to limit during
 * the call and keeps nothing. Bytes on the heap, or in a region too large for one buffer, get a fresh
 * buffer each time.
 *
 * <p>Threads: one owner at a time.
 */
final class DirectBufferView {

	private @Nullable MemorySegment region;

	private @Nullable ByteBuffer buffer;

	/**
	 * Returns a buffer whose position and limit frame {@code bytes}.
	 * @param bytes a view, valid during the call
	 * @return the buffer, valid until the next call
	 */
	ByteBuffer of(Bytes bytes) {
		MemorySegment segment = bytes.segment();
		if (segment != this.region) {
			if (!segment.isNative() || segment.byteSize() > Integer.MAX_VALUE) {
				return bytes.asByteBuffer();
			}
			this.buffer = segment.asByteBuffer();
			this.region = segment;
		}
		ByteBuffer buffer = this.buffer;
		int offset = (int) bytes.offset();
		buffer.limit(offset + bytes.length()).position(offset);
		return buffer;
	}

}
