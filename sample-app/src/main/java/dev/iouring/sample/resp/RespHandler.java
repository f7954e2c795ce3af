package dev.iouring.sample.resp;

import dev.iouring.server.Bytes;
import dev.iouring.server.CloseReason;
import dev.iouring.server.Connection;
import dev.iouring.server.TcpHandler;

/**
 * A mini-Redis: speaks RESP2 (the protocol of {@code redis-cli} and {@code redis-benchmark}) on a raw
 * listener and keeps data in a {@link KeyValueStore}.
 *
 * <p>One bean serves every connection: per-connection state lives in a session attached to the
 * connection, and the store is safe for the event loops to share. Commands run on the event-loop
 * thread; none of them blocks.
 */
public final class RespHandler implements TcpHandler {

	private final KeyValueStore store;

	private final RespLimits limits;

	private final UnfinishedCommands unfinished;

	private final CommandTable commands = CommandTable.standard();

	/**
	 * Creates a handler with the sample's default limits.
	 * @param store the data set shared by all connections
	 */
	public RespHandler(KeyValueStore store) {
		this(store, RespLimits.DEFAULTS);
	}

	/**
	 * Creates a handler with no command timeout and no budget across connections.
	 * @param store the data set shared by all connections
	 * @param limits the bounds on what a client may send
	 */
	public RespHandler(KeyValueStore store, RespLimits limits) {
		this(store, limits, UnfinishedCommands.UNBOUNDED);
	}

	/**
	 * Creates a handler.
	 * @param store the data set shared by all connections
	 * @param limits the bounds on what a client may send
	 * @param unfinished the timeout and the budget its connections share for commands not executed yet
	 */
	public RespHandler(KeyValueStore store, RespLimits limits, UnfinishedCommands unfinished) {
		this.store = store;
		this.limits = limits;
		this.unfinished = unfinished;
	}

	@Override
	public void onOpen(Connection connection) {
		open(connection);
	}

	@Override
	public void onData(Connection connection, Bytes data) {
		session(connection).receive(data);
	}

	@Override
	public void onWritabilityChanged(Connection connection, boolean writable) {
		session(connection).writabilityChanged(writable);
	}

	@Override
	public void onClose(Connection connection, CloseReason reason) {
		if (connection.attachment() instanceof RespSession session) {
			session.closed();
		}
		connection.attach(null);
	}

	private RespSession session(Connection connection) {
		if (connection.attachment() instanceof RespSession session) {
			return session;
		}
		// Tolerates a server that delivers data without an open event, or a reused connection object.
		return open(connection);
	}

	private RespSession open(Connection connection) {
		RespSession session = new RespSession(connection, this.store, this.limits, this.commands, this.unfinished);
		connection.attach(session);
		this.unfinished.register(session);
		return session;
	}

}
