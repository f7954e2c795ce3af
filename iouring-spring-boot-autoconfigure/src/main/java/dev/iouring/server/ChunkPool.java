package dev.iouring.server;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import dev.iouring.ring.NativeMemory;

/**
 * Fixed-size native chunks that hold bytes queued for sending, shared by one loop's connections.
 *
 * <p>Chunks come from slabs allocated in the loop's arena when the free list runs dry, and go back to
 * the free list once sent, so a steady state allocates nothing. An idle connection holds no chunk. The
 * pool keeps what it grew to (its peak) until the loop stops and the arena is closed.
 *
 * <p>Threads: the owning loop only.
 */
final class ChunkPool {

	/** Chunk size: a 16 KiB message fits one chunk and one iovec. */
	static final int CHUNK_SIZE = 16 * 1024;

	private static final int CHUNKS_PER_SLAB = 64;

	private final Arena arena;

	private MemorySegment[] free = new MemorySegment[CHUNKS_PER_SLAB];

	private int freeCount;

	private long reservedBytes;

	private int totalChunks;

	ChunkPool(Arena arena) {
		this.arena = arena;
	}

	MemorySegment take() {
		if (this.freeCount == 0) {
			grow();
		}
		MemorySegment chunk = this.free[--this.freeCount];
		this.free[this.freeCount] = null;
		return chunk;
	}

	void give(MemorySegment chunk) {
		this.free[this.freeCount++] = chunk;
	}

	private void grow() {
		long slabSize = (long) CHUNK_SIZE * CHUNKS_PER_SLAB;
		MemorySegment slab = this.arena.allocate(slabSize, 4096);
		NativeMemory.reserved(slabSize);
		this.reservedBytes += slabSize;
		this.totalChunks += CHUNKS_PER_SLAB;
		if (this.free.length < this.totalChunks) {
			this.free = java.util.Arrays.copyOf(this.free, this.totalChunks);
		}
		for (int i = CHUNKS_PER_SLAB - 1; i >= 0; i--) {
			this.free[this.freeCount++] = slab.asSlice((long) i * CHUNK_SIZE, CHUNK_SIZE);
		}
	}

	int totalChunks() {
		return this.totalChunks;
	}

	int freeChunks() {
		return this.freeCount;
	}

	/**
	 * Accounts for the slabs as released; the memory itself is freed when the loop closes its arena.
	 */
	void release() {
		NativeMemory.released(this.reservedBytes);
		this.reservedBytes = 0;
	}

}
