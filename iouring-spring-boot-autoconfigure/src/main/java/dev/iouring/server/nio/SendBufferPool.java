package dev.iouring.server.nio;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Arrays;

import dev.iouring.ring.NativeMemory;

/**
 * Fixed-size native buffers that hold bytes waiting to be sent, shared by one loop's connections.
 *
 * <p>Buffers are cut from slabs allocated in the loop's arena when none is free, and come back once their
 * bytes are sent, so a steady state allocates nothing and an idle connection holds no buffer. The pool
 * keeps what it grew to until the loop stops and closes the arena. Each buffer is seen two ways, both
 * made once: as a segment to copy bytes in, and as a {@link ByteBuffer} for the channel's gathering write.
 *
 * <p>Threads: the owning loop only.
 */
final class SendBufferPool {

	/** Buffer size: a 16 KiB message fits one buffer, as it fits one send chunk of the io_uring transport. */
	static final int BUFFER_SIZE = 16 * 1024;

	private static final int BUFFERS_PER_SLAB = 64;

	private final Arena arena;

	private SendBuffer[] free = new SendBuffer[BUFFERS_PER_SLAB];

	private int freeCount;

	private int totalBuffers;

	private long reservedBytes;

	SendBufferPool(Arena arena) {
		this.arena = arena;
	}

	SendBuffer take() {
		if (this.freeCount == 0) {
			grow();
		}
		SendBuffer buffer = this.free[--this.freeCount];
		this.free[this.freeCount] = null;
		return buffer;
	}

	void give(SendBuffer buffer) {
		this.free[this.freeCount++] = buffer;
	}

	private void grow() {
		long slabSize = (long) BUFFER_SIZE * BUFFERS_PER_SLAB;
		MemorySegment slab = this.arena.allocate(slabSize, 4096);
		NativeMemory.reserved(slabSize);
		this.reservedBytes += slabSize;
		this.totalBuffers += BUFFERS_PER_SLAB;
		if (this.free.length < this.totalBuffers) {
			this.free = Arrays.copyOf(this.free, this.totalBuffers);
		}
		for (int i = BUFFERS_PER_SLAB - 1; i >= 0; i--) {
			MemorySegment segment = slab.asSlice((long) i * BUFFER_SIZE, BUFFER_SIZE);
			this.free[this.freeCount++] = new SendBuffer(segment, segment.asByteBuffer());
		}
	}

	/**
	 * Accounts for the slabs as released; the memory itself is freed when the loop closes its arena.
	 */
	void release() {
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
