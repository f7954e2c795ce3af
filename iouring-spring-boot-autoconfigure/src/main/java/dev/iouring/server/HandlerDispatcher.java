package dev.iouring.server;


import dev.iouring.server.codec.FrameSink;
import dev.iouring.server.codec.FramingException;

/**
 * Calls the application's handler for one loop's connections, whichever transport the loop runs, and keeps a failing callback from hurting
 * anything but its own connection.
 *
 * <ul>
 * <li>Where: on the loop thread, or, for listeners with {@link HandlerExecution#VIRTUAL_THREADS}, on the
 * connection's {@link VirtualThreadLane}, which gets a copy of the bytes. A lane more than the high water
 * mark behind stops the loop reading that connection until it is back under the low one.</li>
 * <li>What: raw bytes as they were read, or, when the listener has a codec, one call per frame.</li>
 * <li>Failures: a codec's {@link FramingException} closes the connection with the exception's reason; any
 * other exception from a callback goes to {@link TcpHandler#onError} and then closes the connection
 * with {@link CloseReason#HANDLER_ERROR}.</li>
 * </ul>
 *
 * <p>Threads: every method is called on the loop thread.
 */
final class HandlerDispatcher {


	private final ConnectionCore core;

	private final long highWaterMark;

	private final long lowWaterMark;

	HandlerDispatcher(ConnectionCore core, long highWaterMark, long lowWaterMark) {
		this.core = core;
		this.highWaterMark = highWaterMark;
		this.lowWaterMark = lowWaterMark;
	}

	void opened(ServedConnection connection) {
		if (connection.listener.settings.handlerExecution() == HandlerExecution.VIRTUAL_THREADS) {
			connection.lane = new VirtualThreadLane(connection.listener.name() + "-connection-" + connection.id());
		}
		TcpHandler handler = handler(connection);
		call(connection, () -> handler.onOpen(connection));
	}

	/**
	 * Hands received bytes to the handler, cut into frames when the listener has a codec.
	 * @param connection the connection they came from
	 * @param data the bytes, valid during this call
	 */
	void received(ServedConnection connection, Bytes data) {
		if (connection.inputEnded) {
			return;
		}
		try {
			if (connection.decoder == null) {
				deliver(connection, data);
			}
			else {
				long frames = connection.frames;
				connection.decoder.decode(data, sink(connection));
				connection.frameStarted = ConnectionTimers.frameMark(connection.frameStarted,
						connection.frames != frames, connection.decoder.bufferedBytes(), this.core.turnNanos);
			}
		}
		catch (FramingException ex) {
			badFrame(connection, ex);
		}
		catch (Throwable ex) {
			failedOnLoop(connection, ex);
		}
	}

	/**
	 * Bad input ends the connection, but loses nothing the handler already answered: reading stops, and
	 * the connection closes once what was written for the earlier frames is sent (after the lane has
	 * handled them, when there is one).
	 */
	private void badFrame(ServedConnection connection, FramingException ex) {
		this.core.faults.log().info("Closing {} from {}: {}", connection, connection.peer(), ex.getMessage());
		connection.inputEnded = true;
		CloseReason reason = ex.reason();
		if (connection.lane == null) {
			this.core.closeAfterFlush(connection, reason);
			return;
		}
		connection.io.readingChanged(connection);
		connection.lane.submit(() -> this.core.loop.execute(() -> this.core.closeAfterFlush(connection, reason)));
	}

	void writabilityChanged(ServedConnection connection, boolean writable) {
		TcpHandler handler = handler(connection);
		call(connection, () -> handler.onWritabilityChanged(connection, writable));
	}

	/**
	 * Tells the handler the connection closed. A failure here is only logged: the connection is gone.
	 */
	void closed(ServedConnection connection, CloseReason reason) {
		if (connection.lane != null) {
			connection.lane.submit(() -> closedNow(connection, reason));
		}
		else {
			closedNow(connection, reason);
		}
	}

	/** Tells the handler the connection closed, on this thread, whatever its execution mode. */
	void closedNow(ServedConnection connection, CloseReason reason) {
		try {
			handler(connection).onClose(connection, reason);
		}
		catch (Throwable ex) {
			Failures.rethrowIfFatal(ex);
			this.core.faults.log().warn("onClose of {} failed", connection, ex);
		}
	}

	private FrameSink sink(ServedConnection connection) {
		FrameSink sink = connection.sink;
		if (sink == null) {
			sink = (frame) -> {
				if (connection.state == ServedConnection.OPEN) {
					connection.frames++;
					deliver(connection, frame);
				}
			};
			connection.sink = sink;
		}
		return sink;
	}

	private void deliver(ServedConnection connection, Bytes data) {
		connection.stats.countFrame();
		if (connection.lane != null) {
			handOver(connection, connection.lane, data);
		}
		else {
			handler(connection).onData(connection, data);
		}
	}

	/**
	 * Queues a copy of the bytes on the connection's lane and counts them until the handler is done, so
	 * a slow handler pauses reading instead of making the server buffer without bound.
	 */
	private void handOver(ServedConnection connection, VirtualThreadLane lane, Bytes data) {
		Bytes copy = data.copy();
		int length = copy.length();
		if (lane.addPending(length) > this.highWaterMark && !connection.laneBacklogged) {
			connection.laneBacklogged = true;
			connection.io.readingChanged(connection);
		}
		TcpHandler handler = handler(connection);
		lane.submit(() -> {
			onLane(connection, () -> handler.onData(connection, copy));
			long pending = lane.addPending(-length);
			if (pending <= this.lowWaterMark && pending + length > this.lowWaterMark) {
				this.core.loop.execute(() -> caughtUp(connection, lane));
			}
		});
	}

	private void caughtUp(ServedConnection connection, VirtualThreadLane lane) {
		if (connection.laneBacklogged && lane.pendingBytes() <= this.lowWaterMark) {
			connection.laneBacklogged = false;
			connection.io.readingChanged(connection);
		}
	}

	/**
	 * Runs a callback where the listener wants it: on its lane, or here on the loop thread.
	 */
	private void call(ServedConnection connection, Runnable callback) {
		if (connection.lane != null) {
			connection.lane.submit(() -> onLane(connection, callback));
			return;
		}
		try {
			callback.run();
		}
		catch (Throwable ex) {
			failedOnLoop(connection, ex);
		}
	}

	/**
	 * Runs a callback on a lane: a failure is reported to onError right there, in order with the other
	 * callbacks, and the loop then closes the connection.
	 */
	private void onLane(ServedConnection connection, Runnable callback) {
		try {
			callback.run();
		}
		catch (Throwable ex) {
			if (Failures.isFatal(ex)) {
				// Not the loop's thread, but the JVM is in doubt all the same: fail the loop.
				this.core.loop.execute(() -> Failures.rethrowIfFatal(ex));
				return;
			}
			reportFailure(connection, ex);
			this.core.loop.execute(() -> closeAfterHandlerError(connection, ex));
		}
	}

	private void closeAfterHandlerError(ServedConnection connection, Throwable error) {
		if (connection.state != ServedConnection.CLOSED) {
			this.core.loop.stats.error("handler", error.getClass().getSimpleName());
			this.core.closeNow(connection, CloseReason.HANDLER_ERROR);
		}
	}

	private void failedOnLoop(ServedConnection connection, Throwable ex) {
		Failures.rethrowIfFatal(ex);
		reportFailure(connection, ex);
		closeAfterHandlerError(connection, ex);
	}

	private void reportFailure(ServedConnection connection, Throwable ex) {
		this.core.faults.log().warn("Handler of listener '{}' failed on {}; closing that connection",
				connection.listenerName(), connection, ex);
		try {
			handler(connection).onError(connection, ex);
		}
		catch (Throwable nested) {
			Failures.rethrowIfFatal(nested);
			this.core.faults.log().warn("onError of {} failed too", connection, nested);
		}
	}

	private static TcpHandler handler(ServedConnection connection) {
		return connection.listener.settings.handler();
	}

}
