package dev.iouring.server;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * One fixed-size piece of send memory from a {@link ChunkPool}, seen two ways, both made once: as a
 * segment, to copy bytes in and to give the kernel its address (io_uring), and as a {@link ByteBuffer},
 * for a channel's gathering write (NIO). The buffer is a direct buffer without a memory session, so a
 * channel write from it allocates nothing.
 *
 * <p>Threads: the owning loop only.
 */
final class Chunk {

	final MemorySegment segment;

	final ByteBuffer buffer;

	Chunk(ByteBuffer buffer) {
		this.buffer = buffer;
		this.segment = MemorySegment.ofBuffer(buffer);
	}

	/** The native address of the chunk's first byte. */
	long address() {
		return this.segment.address();
	}

}
