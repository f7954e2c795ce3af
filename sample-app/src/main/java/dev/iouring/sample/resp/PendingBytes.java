package dev.iouring.sample.resp;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import dev.iouring.server.Bytes;
import dev.iouring.server.BytesWindow;

/**
 * The received bytes of one session's commands not executed yet, from the first byte of the next
 * command to execute: the tail of a chunk that ended inside a command, or the pipeline kept while the
 * session is paused. Empty between commands.
 *
 * <p>The array grows by doubling up to the session's longest command, and while it holds bytes its
 * whole capacity is taken from the budget shared by every session ({@link UnfinishedCommands}). Once
 * emptied, an array up to {@link #RETAINED_CAPACITY} is kept for the next tail (commands that straddle
 * chunks are common under pipelining) and given back to the budget; a larger one is dropped.
 *
 * <p>Used on the connection's thread only.
 */
final class PendingBytes {

	/** The largest emptied array kept for reuse: four receive buffers of the sample's 16 KiB. */
	private static final int RETAINED_CAPACITY = 64 * 1024;

	private final UnfinishedCommands budget;

	private final int maxLength;

	private byte[] bytes = new byte[0];

	private int length;

	/** A view over {@link #bytes}, re-pointed when the array grows or its content moves. */
	private final BytesWindow window = new BytesWindow();

	private final Bytes view = this.window.view();

	private MemorySegment segment = MemorySegment.ofArray(this.bytes);

	/** Bytes taken from the budget: the capacity of {@link #bytes} while it holds any. */
	private long reserved;

	PendingBytes(UnfinishedCommands budget, int maxLength) {
		this.budget = budget;
		this.maxLength = maxLength;
	}

	/**
	 * Returns how many bytes are held.
	 * @return the length of {@link #view()}
	 */
	int length() {
		return this.length;
	}

	/**
	 * Returns the held bytes, valid until the next change.
	 * @return a view over them
	 */
	Bytes view() {
		return this.view;
	}

	/**
	 * Appends part of a chunk, growing the array when needed.
	 * @param data the chunk
	 * @param from the first byte to keep
	 * @param count how many bytes to keep; the caller keeps the total within the session's limit
	 * @return {@code false}, keeping nothing, when the array needed would take more than what is left of
	 * the shared budget
	 */
	boolean append(Bytes data, int from, int count) {
		int needed = this.length + count;
		int capacity = this.bytes.length;
		if (needed > capacity) {
			capacity = Math.max(needed, (int) Math.min(2L * capacity, this.maxLength));
		}
		if (capacity > this.reserved) {
			if (!this.budget.reserve(capacity - this.reserved)) {
				return false;
			}
			this.reserved = capacity;
		}
		if (capacity > this.bytes.length) {
			this.bytes = Arrays.copyOf(this.bytes, capacity);
			this.segment = MemorySegment.ofArray(this.bytes);
		}
		data.copyTo(from, this.bytes, this.length, count);
		this.length = needed;
		this.window.point(this.segment, 0, needed);
		return true;
	}

	/**
	 * Drops the first bytes, the commands executed from them.
	 * @param count how many
	 */
	void drop(int count) {
		if (count == this.length) {
			clear();
			return;
		}
		if (count > 0) {
			System.arraycopy(this.bytes, count, this.bytes, 0, this.length - count);
			this.length -= count;
			this.window.point(this.segment, 0, this.length);
		}
	}

	/**
	 * Drops every byte and gives the array's share of the budget back.
	 */
	void clear() {
		this.length = 0;
		if (this.bytes.length > RETAINED_CAPACITY) {
			this.bytes = new byte[0];
			this.segment = MemorySegment.ofArray(this.bytes);
		}
		this.window.point(this.segment, 0, 0);
		this.budget.release(this.reserved);
		this.reserved = 0;
	}

}
