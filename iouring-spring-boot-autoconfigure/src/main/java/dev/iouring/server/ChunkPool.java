package dev.iouring.server;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.iouring.ring.AnonymousMemory;

/**
 * Fixed-size native chunks that hold bytes queued for sending, shared by one loop's connections.
 *
 * <p>Chunks are cut from mapped slabs when none is free, and come back once sent, so a steady state
 * allocates nothing and an idle connection holds no chunk. Up to {@link #RETAINED_CHUNKS} returned chunks
 * stay ready for reuse; past that, a returned chunk gives its pages back to the system (it stays mapped
 * and is reused last), so a burst of slow peers does not pin its peak memory for the life of the
 * process. The slabs are unmapped when the loop stops.
 *
 * <p>Threads: the owning loop only.
 */
final class ChunkPool {

	/** Chunk size: a 16 KiB message fits one chunk and one iovec. */
	static final int CHUNK_SIZE = 16 * 1024;

	/** Returned chunks kept resident for reuse: 4 MiB per loop. */
	static final int RETAINED_CHUNKS = 256;

	private static final int CHUNKS_PER_SLAB = 64;

	private final List<AnonymousMemory> slabs = new ArrayList<>();

	/** Free chunks whose pages are resident; never more than it holds. */
	private final MemorySegment[] free = new MemorySegment[RETAINED_CHUNKS];

	private int freeCount;

	/** Free chunks whose pages were given back; they cost memory again once written. */
	private MemorySegment[] discarded = new MemorySegment[0];

	private int discardedCount;

	private int totalChunks;

	MemorySegment take() {
		if (this.freeCount > 0) {
			MemorySegment chunk = this.free[--this.freeCount];
			this.free[this.freeCount] = null;
			return chunk;
		}
		if (this.discardedCount > 0) {
			MemorySegment chunk = this.discarded[--this.discardedCount];
			this.discarded[this.discardedCount] = null;
			return chunk;
		}
		grow();
		return take();
	}

	void give(MemorySegment chunk) {
		if (this.freeCount < RETAINED_CHUNKS) {
			this.free[this.freeCount++] = chunk;
			return;
		}
		AnonymousMemory.discard(chunk);
		if (this.discardedCount == this.discarded.length) {
			this.discarded = Arrays.copyOf(this.discarded, Math.max(CHUNKS_PER_SLAB, this.discardedCount * 2));
		}
		this.discarded[this.discardedCount++] = chunk;
	}

	private void grow() {
		AnonymousMemory slab = AnonymousMemory.map((long) CHUNK_SIZE * CHUNKS_PER_SLAB);
		this.slabs.add(slab);
		this.totalChunks += CHUNKS_PER_SLAB;
		// Only called with both free lists empty, so the slab's chunks fit.
		for (int i = CHUNKS_PER_SLAB - 1; i >= 0; i--) {
			this.free[this.freeCount++] = slab.segment().asSlice((long) i * CHUNK_SIZE, CHUNK_SIZE);
		}
	}

	int totalChunks() {
		return this.totalChunks;
	}

	/** Free chunks ready for reuse with their pages resident. */
	int freeChunks() {
		return this.freeCount;
	}

	/** Free chunks whose pages went back to the system. */
	int discardedChunks() {
		return this.discardedCount;
	}

	/**
	 * Unmaps every slab. Called once when the loop stops, after every connection gave its chunks back.
	 */
	void release() {
		this.slabs.forEach(AnonymousMemory::close);
		this.slabs.clear();
		Arrays.fill(this.free, null);
		Arrays.fill(this.discarded, null);
		this.freeCount = 0;
		this.discardedCount = 0;
		this.totalChunks = 0;
	}

}
