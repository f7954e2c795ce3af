package dev.iouring.sample.resp;

import dev.iouring.server.Bytes;
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
 * <p>Across connections, {@link UnfinishedCommands} bounds the rest: the bytes all sessions hold (each
 * takes what its {@link PendingBytes} hold from a shared budget, and is closed when the budget is
 * spent), and how long a command may take to arrive (each publishes
 * when its incomplete command started; it checks that itself when bytes arrive, and a sweep closes
 * those that wait past the timeout with nothing arriving).
 *
 * <p>A connection's callbacks never run concurrently, so nothing here is synchronised.
 */
final class RespSession {

	private final Connection connection;

	private final KeyValueStore store;

	private final RespLimits limits;

	private final CommandTable commands;

	private final UnfinishedCommands unfinished;

	private final CommandArguments arguments = new CommandArguments();

	private final RespParser parser;

	private final RespWriter writer;

	private final Key probe = Key.probe(64);

	private final PendingBytes pending;

	/**
	 * When the first byte of the incomplete command in {@link #pending} arrived (a reading of
	 * {@link UnfinishedCommands#now()}), or 0 while the session waits for no command from the peer:
	 * nothing pending, or execution paused because the peer does not read. Written on the connection's
	 * thread, read by the sweep.
	 */
	private volatile long commandStarted;

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

	RespSession(Connection connection, KeyValueStore store, RespLimits limits, CommandTable commands,
			UnfinishedCommands unfinished) {
		this.connection = connection;
		this.store = store;
		this.limits = limits;
		this.commands = commands;
		this.unfinished = unfinished;
		this.pending = new PendingBytes(unfinished, limits.maxCommandLength());
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
		if (this.pending.length() > 0 && this.unfinished.isOverdue(this.commandStarted, UnfinishedCommands.now())) {
			timedOut();
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
			int position = (this.pending.length() > 0) ? finishPendingCommand(data) : 0;
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
		if (this.executing || this.closing) {
			return;
		}
		if (writable && this.backlogged) {
			executePending();
		}
		else {
			updateCommandClock();
		}
	}

	/**
	 * Gives back what the session held; the connection has closed.
	 */
	void closed() {
		this.closing = true;
		this.unfinished.unregister(this);
		discardPending();
	}

	/**
	 * Returns when the command the session waits for started.
	 * @return a reading of {@link UnfinishedCommands#now()}, or 0 when it waits for none
	 */
	long commandStarted() {
		return this.commandStarted;
	}

	/**
	 * Appends the chunk to the incomplete command and executes it if it is now whole.
	 * @return where parsing resumes in {@code data}, or -1 if the chunk is used up or the session closes
	 */
	private int finishPendingCommand(Bytes data) {
		int previous = this.pending.length();
		int room = this.limits.maxCommandLength() - previous;
		if (!append(data, 0, Math.min(data.length(), room))) {
			return -1;
		}
		int end = this.parser.parse(this.pending.view(), 0);
		if (end == RespParser.MALFORMED) {
			failProtocol(this.parser.error());
			return -1;
		}
		if (end == RespParser.INCOMPLETE) {
			if (this.pending.length() == this.limits.maxCommandLength()) {
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
			while (position < this.pending.length() && !this.paused && !this.closing) {
				int end = this.parser.parse(this.pending.view(), position);
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
				if (position > 0) {
					// What is left starts with a command that has not been waited for yet.
					this.commandStarted = 0;
				}
				this.pending.drop(position);
				if (!this.paused) {
					this.backlogged = false;
					if (this.pending.length() == this.limits.maxCommandLength()) {
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
		updateCommandClock();
	}

	/**
	 * Starts the command clock when the session is left waiting for the rest of a command, and stops it
	 * when it waits for none. A clock already running goes on: the same command is still incomplete.
	 */
	private void updateCommandClock() {
		if (this.pending.length() == 0 || this.paused || this.backlogged || this.closing) {
			this.commandStarted = 0;
		}
		else if (this.commandStarted == 0) {
			this.commandStarted = UnfinishedCommands.now();
		}
	}

	/** Keeps the unparsed rest of a chunk, an incomplete command. */
	private void keep(Bytes data, int from) {
		if (data.length() - from > this.limits.maxCommandLength()) {
			failTooLong();
			return;
		}
		// A new command: its clock starts when the chunk is done with.
		this.commandStarted = 0;
		append(data, from, data.length() - from);
	}

	/**
	 * Keeps the rest of a chunk unexecuted, or aborts the connection when that would hold more than the
	 * limit: a client that pipelines that far ahead of the replies it reads is dropped.
	 * @return whether the bytes were kept
	 */
	private boolean hold(Bytes data, int from) {
		int count = data.length() - from;
		if ((long) this.pending.length() + count > this.limits.maxCommandLength()) {
			this.closing = true;
			discardPending();
			this.connection.abort();
			return false;
		}
		if (!append(data, from, count)) {
			return false;
		}
		this.backlogged = true;
		return true;
	}

	/**
	 * Keeps bytes, or closes the connection when the shared budget cannot hold them.
	 * @return whether the bytes were kept
	 */
	private boolean append(Bytes data, int from, int count) {
		if (this.pending.append(data, from, count)) {
			return true;
		}
		overBudget();
		return false;
	}

	private void discardPending() {
		this.pending.clear();
		this.commandStarted = 0;
	}

	/**
	 * Closes a connection whose command took longer than the timeout, without a reply (Redis has none
	 * for this), keeping nothing of it.
	 */
	private void timedOut() {
		this.closing = true;
		discardPending();
		this.connection.close();
	}

	/**
	 * Closes a connection that would hold more than the shared budget allows, as Redis closes a client
	 * over its query buffer limit: replies to the commands executed so far are sent first, with no error.
	 */
	private void overBudget() {
		this.closing = true;
		discardPending();
		this.writer.flush();
		this.connection.close();
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
