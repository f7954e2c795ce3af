package dev.iouring.server;

import java.nio.ByteBuffer;
import java.util.Arrays;

import org.jspecify.annotations.Nullable;

import dev.iouring.ring.AnonymousMemory;
import dev.iouring.ring.NativeMemory;

/**
 * Fixed-size chunks of native memory that hold bytes queued for sending, shared by one loop's
 * connections, whichever transport the loop runs.
 *
 * <p>Chunks are cut from page-aligned slabs allocated when none is free, and come back once sent, so a
 * steady state allocates nothing and an idle connection holds no chunk. Up to {@link #RETAINED_CHUNKS}
 * returned chunks stay ready for reuse; past that, a returned chunk gives its pages back to the system
 * (it stays allocated, reads as zeros, and is reused last), so a burst of slow peers does not pin its
 * peak memory for the life of the process.
 *
 * <p>Slabs are direct buffers: a channel writes from them without acquiring a memory session (which
 * allocates on every write from arena memory), and their addresses are stable for the kernel. They are
 * freed when the stopped loop lets go of the pool and the garbage collector runs their cleaners;
 * {@link NativeMemory} counts them until {@link #release()}.
 *
 * <p>Direct buffers count against the JVM's direct memory limit ({@code -XX:MaxDirectMemorySize}, by
 * default the maximum heap size). Peers that ask for replies and never read them fill send memory, so
 * reaching the limit is their doing, not a fault of the JVM: a slab the limit refuses makes {@link #take()}
 * answer {@code null}, and the connection that asked closes, instead of an {@link OutOfMemoryError}
 * failing the whole server.
 *
 * <p>Threads: the owning loop only.
 */
final class ChunkPool {

	/** Chunk size: a 16 KiB message fits one chunk and one iovec. */
	static final int CHUNK_SIZE = 16 * 1024;

	/** Returned chunks kept resident for reuse: 4 MiB per loop. */
	static final int RETAINED_CHUNKS = 256;

	private static final int CHUNKS_PER_SLAB = 64;

	private static final int PAGE = 4096;

	/** Free chunks whose pages are resident; never more than it holds. */
	private final Chunk[] free = new Chunk[RETAINED_CHUNKS];

	private int freeCount;

	/** Free chunks whose pages were given back; they cost memory again once written. */
	private Chunk[] discarded = new Chunk[0];

	private int discardedCount;

	private int totalChunks;

	private long reservedBytes;

	/** This loop's direct allocations, shared with its TLS buffers. */
	final DirectMemoryRefusals refusals = new DirectMemoryRefusals();

	/**
	 * Takes a free chunk, growing the pool by a slab when none is free.
	 * @return the chunk, or {@code null} when the direct memory limit leaves no room for another slab
	 */
	@Nullable Chunk take() {
		if (this.freeCount > 0) {
			Chunk chunk = this.free[--this.freeCount];
			this.free[this.freeCount] = null;
			return chunk;
		}
		if (this.discardedCount > 0) {
			Chunk chunk = this.discarded[--this.discardedCount];
			this.discarded[this.discardedCount] = null;
			return chunk;
		}
		if (!grow()) {
			return null;
		}
		return take();
	}

	void give(Chunk chunk) {
		this.refusals.returned();
		if (this.freeCount < RETAINED_CHUNKS) {
			this.free[this.freeCount++] = chunk;
			return;
		}
		AnonymousMemory.discard(chunk.segment);
		if (this.discardedCount == this.discarded.length) {
			this.discarded = Arrays.copyOf(this.discarded, Math.max(CHUNKS_PER_SLAB, this.discardedCount * 2));
		}
		this.discarded[this.discardedCount++] = chunk;
	}

	private boolean grow() {
		int size = CHUNK_SIZE * CHUNKS_PER_SLAB;
		ByteBuffer memory = this.refusals.allocate(size + PAGE);
		if (memory == null) {
			return false;
		}
		ByteBuffer slab = memory.alignedSlice(PAGE).limit(size).slice();
		NativeMemory.reserved(size);
		this.reservedBytes += size;
		this.totalChunks += CHUNKS_PER_SLAB;
		// Only called with both free lists empty, so the slab's chunks fit.
		for (int i = CHUNKS_PER_SLAB - 1; i >= 0; i--) {
			this.free[this.freeCount++] = new Chunk(slab.slice(i * CHUNK_SIZE, CHUNK_SIZE));
		}
		return true;
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
	 * Lets go of every slab. Called once when the loop stops, after every connection gave its chunks
	 * back; the memory goes when the garbage collector finds the slabs unreachable.
	 */
	void release() {
		Arrays.fill(this.free, null);
		Arrays.fill(this.discarded, null);
		this.freeCount = 0;
		this.discardedCount = 0;
		this.totalChunks = 0;
		NativeMemory.released(this.reservedBytes);
		this.reservedBytes = 0;
	}

}
