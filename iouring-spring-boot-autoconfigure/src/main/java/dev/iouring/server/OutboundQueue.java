package dev.iouring.server;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import dev.iouring.ring.SocketStructs;

/**
 * One connection's bytes waiting to be sent, in order, as a queue of pool chunks. The head chunk is read
 * from {@code headOffset}; the tail chunk is filled up to {@code tailFill}.
 *
 * <p>{@link #prepareIovecs} describes up to {@code maxIovecs} chunks as a native iovec array for one
 * sendmsg; {@link #advance} drops what the kernel sent and returns emptied chunks to the pool.
 *
 * <p>Threads: the owning loop only.
 */
final class OutboundQueue {

	// struct iovec: iov_base ptr (0) | iov_len size_t (8)

	private final ChunkPool pool;

	private MemorySegment[] chunks = new MemorySegment[4];

	private int head;

	private int count;

	private int headOffset;

	private int tailFill;

	private long bytes;

	OutboundQueue(ChunkPool pool) {
		this.pool = pool;
	}

	long bytes() {
		return this.bytes;
	}

	boolean isEmpty() {
		return this.bytes == 0;
	}

	/**
	 * Copies bytes to the end of the queue.
	 */
	void append(MemorySegment source, long offset, long length) {
		while (length > 0) {
			if (this.count == 0 || this.tailFill == ChunkPool.CHUNK_SIZE) {
				addChunk();
			}
			MemorySegment tail = this.chunks[(this.head + this.count - 1) & (this.chunks.length - 1)];
			int n = (int) Math.min(length, ChunkPool.CHUNK_SIZE - this.tailFill);
			MemorySegment.copy(source, offset, tail, this.tailFill, n);
			this.tailFill += n;
			this.bytes += n;
			offset += n;
			length -= n;
		}
	}

	/**
	 * Copies bytes of a heap array to the end of the queue.
	 */
	void append(byte[] source, int offset, int length) {
		while (length > 0) {
			if (this.count == 0 || this.tailFill == ChunkPool.CHUNK_SIZE) {
				addChunk();
			}
			MemorySegment tail = this.chunks[(this.head + this.count - 1) & (this.chunks.length - 1)];
			int n = Math.min(length, ChunkPool.CHUNK_SIZE - this.tailFill);
			MemorySegment.copy(source, offset, tail, ValueLayout.JAVA_BYTE, this.tailFill, n);
			this.tailFill += n;
			this.bytes += n;
			offset += n;
			length -= n;
		}
	}

	private void addChunk() {
		if (this.count == this.chunks.length) {
			MemorySegment[] larger = new MemorySegment[this.chunks.length * 2];
			for (int i = 0; i < this.count; i++) {
				larger[i] = this.chunks[(this.head + i) & (this.chunks.length - 1)];
			}
			this.chunks = larger;
			this.head = 0;
		}
		this.chunks[(this.head + this.count) & (this.chunks.length - 1)] = this.pool.take();
		this.count++;
		this.tailFill = 0;
	}

	/**
	 * Returns the number of chunks holding queued bytes.
	 */
	int chunkCount() {
		return this.count;
	}

	/**
	 * Returns the address of the first queued byte.
	 */
	long firstAddress() {
		return this.chunks[this.head].address() + this.headOffset;
	}

	/**
	 * Returns the bytes queued in the head chunk.
	 */
	int firstLength() {
		int end = (this.count == 1) ? this.tailFill : ChunkPool.CHUNK_SIZE;
		return end - this.headOffset;
	}

	/**
	 * Writes iovecs for up to {@code maxIovecs} chunks.
	 * @return the number of iovecs written
	 */
	int prepareIovecs(MemorySegment iovecs, int maxIovecs) {
		int n = Math.min(this.count, maxIovecs);
		int mask = this.chunks.length - 1;
		for (int i = 0; i < n; i++) {
			MemorySegment chunk = this.chunks[(this.head + i) & mask];
			int start = (i == 0) ? this.headOffset : 0;
			int end = (i == this.count - 1) ? this.tailFill : ChunkPool.CHUNK_SIZE;
			long iovec = i * SocketStructs.IOVEC_SIZE;
			iovecs.set(ValueLayout.JAVA_LONG, iovec + SocketStructs.IOVEC_BASE, chunk.address() + start);
			iovecs.set(ValueLayout.JAVA_LONG, iovec + SocketStructs.IOVEC_LEN, end - start);
		}
		return n;
	}

	/**
	 * Drops {@code sent} bytes from the front, returning emptied chunks to the pool.
	 */
	void advance(long sent) {
		this.bytes -= sent;
		int mask = this.chunks.length - 1;
		while (sent > 0) {
			int inHead = firstLength();
			if (sent < inHead) {
				this.headOffset += (int) sent;
				return;
			}
			sent -= inHead;
			releaseHead(mask);
		}
		if (this.count > 0 && firstLength() == 0) {
			releaseHead(mask);
		}
	}

	private void releaseHead(int mask) {
		this.pool.give(this.chunks[this.head]);
		this.chunks[this.head] = null;
		this.head = (this.head + 1) & mask;
		this.count--;
		this.headOffset = 0;
		if (this.count == 0) {
			this.tailFill = 0;
		}
	}

	/**
	 * Discards everything queued.
	 */
	void clear() {
		int mask = this.chunks.length - 1;
		while (this.count > 0) {
			releaseHead(mask);
		}
		this.bytes = 0;
	}

}
