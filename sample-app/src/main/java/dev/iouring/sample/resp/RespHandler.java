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

	private final CommandTable commands = CommandTable.standard();

	/**
	 * Creates a handler with the sample's default limits.
	 * @param store the data set shared by all connections
	 */
	public RespHandler(KeyValueStore store) {
		this(store, RespLimits.DEFAULTS);
	}

	/**
	 * Creates a handler.
	 * @param store the data set shared by all connections
	 * @param limits the bounds on what a client may send
	 */
	public RespHandler(KeyValueStore store, RespLimits limits) {
		this.store = store;
		this.limits = limits;
	}

	@Override
	public void onOpen(Connection connection) {
		connection.attach(new RespSession(connection, this.store, this.limits, this.commands));
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
		connection.attach(null);
	}

	private RespSession session(Connection connection) {
		if (connection.attachment() instanceof RespSession session) {
			return session;
		}
		// Tolerates a server that delivers data without an open event, or a reused connection object.
		RespSession session = new RespSession(connection, this.store, this.limits, this.commands);
		connection.attach(session);
		return session;
	}

}
