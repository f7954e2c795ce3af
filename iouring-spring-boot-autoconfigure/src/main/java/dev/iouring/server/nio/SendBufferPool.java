package dev.iouring.server.nio;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Arrays;

import dev.iouring.ring.NativeMemory;

/**
 * Fixed-size direct buffers that hold bytes waiting to be sent, shared by one loop's connections.
 *
 * <p>Buffers are cut from slabs allocated when none is free, and come back once their bytes are sent, so
 * a steady state allocates nothing and an idle connection holds no buffer. The pool keeps up to
 * {@link #RETAINED_BUFFERS} returned buffers; it lets the rest go. Each buffer is seen two ways, both made
 * once: as a segment to copy bytes in,
 * and as a {@link ByteBuffer} for the channel's gathering write.
 *
 * <p>Why direct buffers and not an arena the loop closes at stop: a channel acquires the memory session
 * of an arena-backed buffer on every read and write, and that allocates (40 bytes per echoed message,
 * measured), which the raw echo path must not. Direct buffers have no session; their memory goes back
 * when the stopped loop drops them and the garbage collector runs their cleaner.
 *
 * <p>Threads: the owning loop only.
 */
final class SendBufferPool {

	/** Buffer size: a 16 KiB message fits one buffer, as it fits one send chunk of the io_uring transport. */
	static final int BUFFER_SIZE = 16 * 1024;

	private static final int BUFFERS_PER_SLAB = 64;

	/** Returned buffers kept for reuse: 4 MiB per loop, as the io_uring transport's chunk pool keeps. */
	static final int RETAINED_BUFFERS = 256;

	private SendBuffer[] free = new SendBuffer[BUFFERS_PER_SLAB];

	private int freeCount;

	private int totalBuffers;

	private long reservedBytes;

	SendBuffer take() {
		if (this.freeCount == 0) {
			grow();
		}
		SendBuffer buffer = this.free[--this.freeCount];
		this.free[this.freeCount] = null;
		return buffer;
	}

	void give(SendBuffer buffer) {
		if (this.freeCount < RETAINED_BUFFERS) {
			this.free[this.freeCount++] = buffer;
			return;
		}
		// Past the retained size, let the buffer go: its slab's memory is freed once the garbage collector
		// finds none of the slab's buffers in use, so a burst does not pin its peak for good.
		NativeMemory.released(BUFFER_SIZE);
		this.reservedBytes -= BUFFER_SIZE;
	}

	private void grow() {
		ByteBuffer slab = ByteBuffer.allocateDirect(BUFFER_SIZE * BUFFERS_PER_SLAB);
		NativeMemory.reserved(slab.capacity());
		this.reservedBytes += slab.capacity();
		this.totalBuffers += BUFFERS_PER_SLAB;
		if (this.free.length < this.totalBuffers) {
			this.free = Arrays.copyOf(this.free, this.totalBuffers);
		}
		for (int i = BUFFERS_PER_SLAB - 1; i >= 0; i--) {
			ByteBuffer buffer = slab.slice(i * BUFFER_SIZE, BUFFER_SIZE);
			this.free[this.freeCount++] = new SendBuffer(MemorySegment.ofBuffer(buffer), buffer);
		}
	}

	/**
	 * Drops every buffer and accounts for them as released; the memory goes back once no connection
	 * refers to one either, when the garbage collector finds them.
	 */
	void release() {
		Arrays.fill(this.free, null);
		this.freeCount = 0;
		NativeMemory.released(this.reservedBytes);
		this.reservedBytes = 0;
	}

	/**
	 * One buffer: the segment bytes are copied into and the byte buffer the channel writes from, over the
	 * same memory.
	 * @param segment the memory
	 * @param buffer a byte buffer over {@code segment}
	 */
	record SendBuffer(MemorySegment segment, ByteBuffer buffer) {
	}

}
