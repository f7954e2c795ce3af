package dev.iouring.sample.resp;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import dev.iouring.server.Bytes;
import dev.iouring.server.BytesWindow;
import dev.iouring.server.Connection;

/**
 * The state of one RESP connection, kept as its attachment: parser, reply buffer, lookup key, client
 * name, and the received bytes of commands not executed yet.
 *
 * <p>Received chunks are parsed in place. Only the tail of a chunk that ends inside a command is
 * copied; when the next chunk comes it is appended to that tail, the command is parsed from the copy,
 * and parsing goes back to the new chunk itself right after that command. All replies to one chunk go
 * out in one write (more only for replies past 64 KiB).
 *
 * <p>Backpressure: when the connection reports it is no longer writable (its send queue passed the
 * high water mark, which the server reports during the write that passed it), the session stops
 * executing and keeps the rest of the pipeline, unparsed, until the connection is writable again. So
 * a client that pipelines commands and does not read the replies makes the server queue at most the
 * high water mark plus one reply, and hold at most {@link RespLimits#maxCommandLength()} bytes of its
 * commands: past that it is aborted, as Redis drops a client over its query buffer limit.
 *
 * <p>A connection's callbacks never run concurrently, so nothing here is synchronised.
 */
final class RespSession {

	private final Connection connection;

	private final KeyValueStore store;

	private final RespLimits limits;

	private final CommandTable commands;

	private final CommandArguments arguments = new CommandArguments();

	private final RespParser parser;

	private final RespWriter writer;

	private final Key probe = Key.probe(64);

	/** The received bytes from the first byte of the next command to execute; empty between commands. */
	private byte[] pending = new byte[0];

	private int pendingLength;

	/** A view over {@link #pending}, re-pointed when the array grows or its content moves. */
	private final BytesWindow pendingWindow = new BytesWindow();

	private final Bytes pendingView = this.pendingWindow.view();

	private MemorySegment pendingSegment = MemorySegment.ofArray(this.pending);

	/**
	 * Whether {@link #pending} may hold whole commands kept while the session was paused; otherwise it
	 * holds at most one incomplete command.
	 */
	private boolean backlogged;

	/** Set while the connection is not writable: commands wait in {@link #pending}. */
	private boolean paused;

	/** Set while commands execute, so a writability change reported meanwhile only flips the flag. */
	private boolean executing;

	private byte[] clientName;

	private boolean closing;

	RespSession(Connection connection, KeyValueStore store, RespLimits limits, CommandTable commands) {
		this.connection = connection;
		this.store = store;
		this.limits = limits;
		this.commands = commands;
		this.parser = new RespParser(limits, this.arguments);
		this.writer = new RespWriter(connection);
	}

	/**
	 * Executes every complete command in a received chunk and writes the replies, or keeps the chunk
	 * while the connection is not writable.
	 * @param data the chunk, valid only during this call
	 */
	void receive(Bytes data) {
		if (this.closing) {
			return;
		}
		if (this.paused || this.backlogged) {
			if (hold(data, 0) && !this.paused) {
				executePending();
			}
			return;
		}
		this.executing = true;
		try {
			int position = (this.pendingLength > 0) ? finishPendingCommand(data) : 0;
			while (position >= 0 && position < data.length() && !this.closing) {
				if (this.paused) {
					hold(data, position);
					break;
				}
				int end = this.parser.parse(data, position);
				if (end == RespParser.INCOMPLETE) {
					keep(data, position);
					break;
				}
				if (end == RespParser.MALFORMED) {
					failProtocol(this.parser.error());
					break;
				}
				execute();
				position = end;
			}
			finish();
		}
		finally {
			this.executing = false;
		}
	}

	/**
	 * Pauses or resumes execution; on resuming, runs the commands kept meanwhile.
	 * @param writable whether the connection is under its water marks again
	 */
	void writabilityChanged(boolean writable) {
		this.paused = !writable;
		if (writable && this.backlogged && !this.executing && !this.closing) {
			executePending();
		}
	}

	/**
	 * Appends the chunk to the incomplete command and executes it if it is now whole.
	 * @return where parsing resumes in {@code data}, or -1 if the chunk is used up or the session closes
	 */
	private int finishPendingCommand(Bytes data) {
		int previous = this.pendingLength;
		int room = this.limits.maxCommandLength() - previous;
		append(data, 0, Math.min(data.length(), room));
		int end = this.parser.parse(this.pendingView, 0);
		if (end == RespParser.MALFORMED) {
			failProtocol(this.parser.error());
			return -1;
		}
		if (end == RespParser.INCOMPLETE) {
			if (this.pendingLength == this.limits.maxCommandLength()) {
				failTooLong();
			}
			return -1;
		}
		execute();
		discardPending();
		// The command ends in this chunk: everything after it is read from the chunk directly.
		return end - previous;
	}

	/**
	 * Executes the commands in {@link #pending} until it holds only an incomplete command, the
	 * connection becomes unwritable again or the session closes.
	 */
	private void executePending() {
		this.executing = true;
		try {
			int position = 0;
			while (position < this.pendingLength && !this.paused && !this.closing) {
				int end = this.parser.parse(this.pendingView, position);
				if (end == RespParser.INCOMPLETE) {
					break;
				}
				if (end == RespParser.MALFORMED) {
					failProtocol(this.parser.error());
					break;
				}
				execute();
				position = end;
			}
			if (!this.closing) {
				dropPending(position);
				if (!this.paused) {
					this.backlogged = false;
					if (this.pendingLength == this.limits.maxCommandLength()) {
						failTooLong();
					}
				}
			}
			finish();
		}
		finally {
			this.executing = false;
		}
	}

	private void execute() {
		this.commands.execute(this.arguments, this);
		// Replies past the threshold go out now, so that the connection reports unwritability before the
		// next command runs rather than after the whole pipeline did.
		if (this.writer.collected() >= RespWriter.FLUSH_THRESHOLD) {
			this.writer.writeOut();
		}
	}

	private void finish() {
		this.writer.flush();
		if (this.closing) {
			this.connection.close();
		}
	}

	/** Keeps the unparsed rest of a chunk, an incomplete command. */
	private void keep(Bytes data, int from) {
		if (data.length() - from > this.limits.maxCommandLength()) {
			failTooLong();
			return;
		}
		append(data, from, data.length() - from);
	}

	/**
	 * Keeps the rest of a chunk unexecuted, or aborts the connection when that would hold more than the
	 * limit: a client that pipelines that far ahead of the replies it reads is dropped.
	 * @return whether the bytes were kept
	 */
	private boolean hold(Bytes data, int from) {
		int count = data.length() - from;
		if ((long) this.pendingLength + count > this.limits.maxCommandLength()) {
			this.closing = true;
			discardPending();
			this.connection.abort();
			return false;
		}
		append(data, from, count);
		this.backlogged = true;
		return true;
	}

	private void append(Bytes data, int from, int count) {
		int needed = this.pendingLength + count;
		if (needed > this.pending.length) {
			int capacity = (int) Math.min(Math.max(needed, 2L * this.pending.length), this.limits.maxCommandLength());
			this.pending = Arrays.copyOf(this.pending, Math.max(capacity, needed));
			this.pendingSegment = MemorySegment.ofArray(this.pending);
		}
		data.copyTo(from, this.pending, this.pendingLength, count);
		this.pendingLength = needed;
		this.pendingWindow.point(this.pendingSegment, 0, needed);
	}

	/** Drops the first {@code count} pending bytes, the commands executed from them. */
	private void dropPending(int count) {
		if (count == this.pendingLength) {
			discardPending();
			return;
		}
		if (count > 0) {
			System.arraycopy(this.pending, count, this.pending, 0, this.pendingLength - count);
			this.pendingLength -= count;
			this.pendingWindow.point(this.pendingSegment, 0, this.pendingLength);
		}
	}

	private void discardPending() {
		this.pendingLength = 0;
		if (this.pending.length > 64 * 1024) {
			this.pending = new byte[0];
			this.pendingSegment = MemorySegment.ofArray(this.pending);
		}
		this.pendingWindow.point(this.pendingSegment, 0, 0);
	}

	private void failTooLong() {
		failProtocol("Protocol error: command longer than " + this.limits.maxCommandLength() + " bytes");
	}

	private void failProtocol(String message) {
		this.writer.error("ERR " + message);
		this.closing = true;
	}

	/**
	 * Returns the store commands act on.
	 * @return the shared store
	 */
	KeyValueStore store() {
		return this.store;
	}

	/**
	 * Returns where replies are collected.
	 * @return the connection's writer
	 */
	RespWriter writer() {
		return this.writer;
	}

	/**
	 * Returns a lookup key holding an argument; valid until the next call.
	 * @param index the argument
	 * @return the connection's reused probe key
	 */
	Key key(int index) {
		return this.arguments.key(index, this.probe);
	}

	/**
	 * Returns the connection this session serves.
	 * @return the connection
	 */
	Connection connection() {
		return this.connection;
	}

	/**
	 * Returns the name set with {@code CLIENT SETNAME}.
	 * @return the name, or {@code null}
	 */
	byte[] clientName() {
		return this.clientName;
	}

	/**
	 * Sets or clears the client name.
	 * @param name the name, or {@code null}
	 */
	void clientName(byte[] name) {
		this.clientName = name;
	}

	/**
	 * Stops reading commands and closes the connection once the replies so far are sent ({@code QUIT}).
	 */
	void closeAfterReplies() {
		this.closing = true;
	}

}
