package dev.iouring.server;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;

import org.jspecify.annotations.Nullable;

import dev.iouring.ring.SocketStructs;

/**
 * One connection's bytes waiting to be sent, in write order: a circular array of pool chunks, the head
 * one read from {@code headOffset}, the tail one filled up to {@code tailFill}.
 *
 * <pre>
 *   head                                   tail
 *   [ sent | unsent ][ unsent ........ ][ unsent | free ]
 *          ^headOffset                           ^tailFill
 * </pre>
 *
 * A transport hands the front of the queue to its socket either as native iovecs ({@link #prepareIovecs},
 * for io_uring's sendmsg) or as buffers ({@link #gather}, for a channel's gathering write), and then drops
 * what the socket took with {@link #advance}, which gives emptied chunks back to the pool.
 *
 * <p>When the pool has no chunk to give (the JVM's direct memory limit is reached), an append stops part
 * way and the queue is starved: it refuses every later append, and its connection must close, which
 * {@link #clear}s it.
 *
 * <p>Threads: the owning loop only.
 */
final class OutboundQueue {

	/** Chunks handed to one send: 16 x 16 KiB = 256 KiB. */
	static final int MAX_GATHER = 16;

	private final ChunkPool pool;

	private Chunk[] chunks = new Chunk[4];

	private int head;

	private int count;

	private int headOffset;

	private int tailFill;

	private long bytes;

	/** An append found no chunk; set until {@link #clear}. */
	private boolean starved;

	OutboundQueue(ChunkPool pool) {
		this.pool = pool;
	}

	long bytes() {
		return this.bytes;
	}

	boolean isEmpty() {
		return this.bytes == 0;
	}

	/** Whether an append found no send memory; the connection is to close. */
	boolean starved() {
		return this.starved;
	}

	/**
	 * Copies bytes of a segment to the end of the queue; the caller may reuse them at once.
	 * @return {@code false} if send memory ran out (part of the bytes may be queued)
	 */
	boolean append(MemorySegment source, long offset, long length) {
		while (length > 0) {
			Chunk tail = tailWithRoom();
			if (tail == null) {
				return false;
			}
			int n = (int) Math.min(length, ChunkPool.CHUNK_SIZE - this.tailFill);
			MemorySegment.copy(source, offset, tail.segment, this.tailFill, n);
			filled(n);
			offset += n;
			length -= n;
		}
		return true;
	}

	/**
	 * Copies bytes of a heap array to the end of the queue.
	 * @return {@code false} if send memory ran out (part of the bytes may be queued)
	 */
	boolean append(byte[] source, int offset, int length) {
		while (length > 0) {
			Chunk tail = tailWithRoom();
			if (tail == null) {
				return false;
			}
			int n = Math.min(length, ChunkPool.CHUNK_SIZE - this.tailFill);
			MemorySegment.copy(source, offset, tail.segment, ValueLayout.JAVA_BYTE, this.tailFill, n);
			filled(n);
			offset += n;
			length -= n;
		}
		return true;
	}

	private @Nullable Chunk tailWithRoom() {
		if (this.starved) {
			return null;
		}
		if ((this.count == 0 || this.tailFill == ChunkPool.CHUNK_SIZE) && !addChunk()) {
			this.starved = true;
			return null;
		}
		return this.chunks[(this.head + this.count - 1) & mask()];
	}

	private void filled(int n) {
		this.tailFill += n;
		this.bytes += n;
	}

	private boolean addChunk() {
		Chunk chunk = this.pool.take();
		if (chunk == null) {
			return false;
		}
		if (this.count == this.chunks.length) {
			Chunk[] larger = new Chunk[this.chunks.length * 2];
			for (int i = 0; i < this.count; i++) {
				larger[i] = this.chunks[(this.head + i) & mask()];
			}
			this.chunks = larger;
			this.head = 0;
		}
		this.chunks[(this.head + this.count) & mask()] = chunk;
		this.count++;
		this.tailFill = 0;
		return true;
	}

	/** Returns the number of chunks holding queued bytes. */
	int chunkCount() {
		return this.count;
	}

	/** Returns the address of the first queued byte. */
	long firstAddress() {
		return this.chunks[this.head].address() + this.headOffset;
	}

	/** Returns the bytes queued in the head chunk. */
	int firstLength() {
		return end(0) - this.headOffset;
	}

	private int end(int index) {
		return (index == this.count - 1) ? this.tailFill : ChunkPool.CHUNK_SIZE;
	}

	/**
	 * Writes native iovecs for up to {@code maxIovecs} chunks.
	 * @return the number of iovecs written
	 */
	int prepareIovecs(MemorySegment iovecs, int maxIovecs) {
		int n = Math.min(this.count, maxIovecs);
		for (int i = 0; i < n; i++) {
			Chunk chunk = this.chunks[(this.head + i) & mask()];
			int start = (i == 0) ? this.headOffset : 0;
			long iovec = i * SocketStructs.IOVEC_SIZE;
			iovecs.set(ValueLayout.JAVA_LONG, iovec + SocketStructs.IOVEC_BASE, chunk.address() + start);
			iovecs.set(ValueLayout.JAVA_LONG, iovec + SocketStructs.IOVEC_LEN, end(i) - start);
		}
		return n;
	}

	/**
	 * Points up to {@code into.length} chunk buffers at the queued bytes, for one gathering write.
	 * @return the number of buffers set
	 */
	int gather(ByteBuffer[] into) {
		int n = Math.min(this.count, into.length);
		for (int i = 0; i < n; i++) {
			ByteBuffer buffer = this.chunks[(this.head + i) & mask()].buffer;
			buffer.limit(end(i));
			buffer.position((i == 0) ? this.headOffset : 0);
			into[i] = buffer;
		}
		return n;
	}

	/** Drops {@code sent} bytes from the front, returning emptied chunks to the pool. */
	void advance(long sent) {
		this.bytes -= sent;
		while (sent > 0) {
			int inHead = firstLength();
			if (sent < inHead) {
				this.headOffset += (int) sent;
				return;
			}
			sent -= inHead;
			releaseHead();
		}
		if (this.count > 0 && firstLength() == 0) {
			releaseHead();
		}
	}

	private void releaseHead() {
		this.pool.give(this.chunks[this.head]);
		this.chunks[this.head] = null;
		this.head = (this.head + 1) & mask();
		this.count--;
		this.headOffset = 0;
		if (this.count == 0) {
			this.tailFill = 0;
		}
	}

	/** Discards everything queued, giving every chunk back to the pool. */
	void clear() {
		while (this.count > 0) {
			releaseHead();
		}
		this.bytes = 0;
		this.starved = false;
	}

	private int mask() {
		return this.chunks.length - 1;
	}

}
