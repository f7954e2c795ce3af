package dev.iouring.server;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.iouring.ring.NativeMemory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The send-chunk pool keeps a bounded reserve and gives the pages of the rest back to the system.
 */
class ChunkPoolTests {

	@Test
	void chunksReturnedPastTheRetainedSizeGiveTheirPagesBackAndSlabsAreReleasedOnRelease() {
		long before = NativeMemory.reservedBytes();
		ChunkPool pool = new ChunkPool();
		int taken = ChunkPool.RETAINED_CHUNKS * 3;
		List<Chunk> chunks = new ArrayList<>();
		for (int i = 0; i < taken; i++) {
			Chunk chunk = pool.take();
			chunk.segment.fill((byte) 0xAB);
			chunks.add(chunk);
		}
		assertThat(pool.totalChunks()).isGreaterThanOrEqualTo(taken);
		assertThat(NativeMemory.reservedBytes() - before).isEqualTo((long) pool.totalChunks() * ChunkPool.CHUNK_SIZE);
		chunks.forEach(pool::give);
		assertThat(pool.freeChunks()).isEqualTo(ChunkPool.RETAINED_CHUNKS);
		assertThat(pool.discardedChunks()).isEqualTo(taken - ChunkPool.RETAINED_CHUNKS);
		// The kernel dropped the discarded chunks' pages (they read as zeros now); the kept ones are intact.
		for (int i = 0; i < taken; i++) {
			byte expected = (i < ChunkPool.RETAINED_CHUNKS) ? (byte) 0xAB : 0;
			MemorySegment chunk = chunks.get(i).segment;
			assertThat(chunk.get(ValueLayout.JAVA_BYTE, 0)).as("chunk %d", i).isEqualTo(expected);
			assertThat(chunk.get(ValueLayout.JAVA_BYTE, ChunkPool.CHUNK_SIZE - 1)).as("chunk %d", i).isEqualTo(expected);
		}
		// Reused chunks come from the resident reserve first.
		assertThat(pool.take().segment.get(ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) 0xAB);
		pool.release();
		assertThat(NativeMemory.reservedBytes()).isEqualTo(before);
	}

}
