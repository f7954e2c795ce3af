package dev.iouring.server.nio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;

import dev.iouring.server.Bytes;
import dev.iouring.server.nio.SendBufferPool.SendBuffer;

import static dev.iouring.server.nio.SendBufferPool.BUFFER_SIZE;

/**
 * One connection's bytes waiting to be sent, in write order: a circular array of pool buffers, the head
 * one read from {@code headOffset}, the tail one filled up to {@code tailFill}.
 *
 * <pre>
 *   head                                   tail
 *   [ sent | unsent ][ unsent ........ ][ unsent | free ]
 *          ^headOffset                           ^tailFill
 * </pre>
 *
 * {@link #writeTo} hands up to {@value #MAX_GATHER} buffers to one gathering write and drops what the
 * socket took, giving emptied buffers back to the pool.
 *
 * <p>Threads: the owning loop only.
 */
final class SendQueue {

	/** Buffers gathered into one write: 16 x 16 KiB = 256 KiB, as the io_uring transport's sendmsg. */
	static final int MAX_GATHER = 16;

	/** The pool of closed queues: empty, and never asked for a buffer, because closed queues take no bytes. */
	private static final SendBufferPool CLOSED = new SendBufferPool();

	private SendBufferPool pool;

	private SendBuffer[] buffers = new SendBuffer[4];

	private int head;

	private int count;

	private int headOffset;

	private int tailFill;

	private long bytes;

	SendQueue(SendBufferPool pool) {
		this.pool = pool;
	}

	long bytes() {
		return this.bytes;
	}

	boolean isEmpty() {
		return this.bytes == 0;
	}

	/**
	 * Copies bytes to the end of the queue; the caller may reuse them as soon as this returns.
	 * @param data the bytes
	 */
	void append(Bytes data) {
		int length = data.length();
		int copied = 0;
		while (copied < length) {
			if (this.count == 0 || this.tailFill == BUFFER_SIZE) {
				addBuffer();
			}
			SendBuffer tail = this.buffers[(this.head + this.count - 1) & mask()];
			int n = Math.min(length - copied, BUFFER_SIZE - this.tailFill);
			data.copyTo(copied, tail.segment(), this.tailFill, n);
			this.tailFill += n;
			this.bytes += n;
			copied += n;
		}
	}

	/**
	 * Writes as much as the channel takes in one gathering write.
	 * @param channel the connection's channel, non-blocking
	 * @param gather scratch array of at least {@value #MAX_GATHER} entries, shared by the loop
	 * @return the bytes written, 0 when the socket's send buffer is full
	 * @throws IOException if the write fails
	 */
	long writeTo(GatheringByteChannel channel, ByteBuffer[] gather) throws IOException {
		int n = Math.min(this.count, MAX_GATHER);
		for (int i = 0; i < n; i++) {
			ByteBuffer buffer = this.buffers[(this.head + i) & mask()].buffer();
			buffer.limit((i == this.count - 1) ? this.tailFill : BUFFER_SIZE);
			buffer.position((i == 0) ? this.headOffset : 0);
			gather[i] = buffer;
		}
		long written = channel.write(gather, 0, n);
		drop(written);
		return written;
	}

	/**
	 * Discards everything queued and lets go of the pool, so a connection object the application keeps
	 * after close does not keep the loop's buffers alive. Nothing is appended after this.
	 */
	void close() {
		while (this.count > 0) {
			releaseHead();
		}
		this.bytes = 0;
		this.pool = CLOSED;
	}

	private void drop(long sent) {
		this.bytes -= sent;
		while (sent > 0) {
			int inHead = ((this.count == 1) ? this.tailFill : BUFFER_SIZE) - this.headOffset;
			if (sent < inHead) {
				this.headOffset += (int) sent;
				return;
			}
			sent -= inHead;
			releaseHead();
		}
	}

	private void addBuffer() {
		if (this.count == this.buffers.length) {
			SendBuffer[] larger = new SendBuffer[this.buffers.length * 2];
			for (int i = 0; i < this.count; i++) {
				larger[i] = this.buffers[(this.head + i) & mask()];
			}
			this.buffers = larger;
			this.head = 0;
		}
		this.buffers[(this.head + this.count) & mask()] = this.pool.take();
		this.count++;
		this.tailFill = 0;
	}

	private void releaseHead() {
		this.pool.give(this.buffers[this.head]);
		this.buffers[this.head] = null;
		this.head = (this.head + 1) & mask();
		this.count--;
		this.headOffset = 0;
		if (this.count == 0) {
			this.tailFill = 0;
		}
	}

	private int mask() {
		return this.buffers.length - 1;
	}

}
