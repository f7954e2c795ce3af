package dev.iouring.server;

/**
 * The behaviour of one loop's connections, written once for both transports: opening, the close state
 * machine (open, closing, lingering, closed), backpressure with water marks and the write limit, idle,
 * frame and close deadlines, and statistics. A transport only moves bytes: it reports what its sockets
 * did ({@link #received}, {@link #sent}, {@link #endOfStream}, {@link #socketFailed}) and carries out what
 * this class asks of a {@link ConnectionIo}. Handler calls go through the loop's {@link HandlerDispatcher}.
 *
 * <p>Closing: {@link #closeAfterFlush} sends what is queued first; then, unless the peer already ended
 * its stream, the close lingers: our sending side shuts down (the peer reads the rest, then end of
 * stream) and what still arrives is discarded until the peer closes, stays quiet with every byte
 * acknowledged, or the close's deadline passes. Closing the socket at once would make the kernel answer
 * unread or late bytes with a reset, which discards reply bytes the peer has not read yet.
 * {@link #closeNow} drops what is queued.
 *
 * <p>Threads: the loop thread only.
 */
final class ConnectionCore {

	final AbstractServerLoop loop;

	final ConnectionFaults faults;

	final HandlerDispatcher dispatcher;

	/** Writes: the write limit, water marks, and the list of connections to flush this turn. */
	final ConnectionWrites writes;

	private final ServerSettings settings;

	private final ConnectionTimers timers;

	private final ChunkPool pool;

	/** The native buffers the loop's TLS sessions borrow. */
	final TlsBufferPool tlsBuffers;

	private final LiveConnections live = new LiveConnections();

	/** Connections closing with a deadline: sending what is queued, or lingering. */
	private int closingCount;

	private long connectionSequence;

	/** System.nanoTime() at the turn's start, taken again after a wait: the clock of every deadline. */
	long turnNanos = System.nanoTime();

	ConnectionCore(AbstractServerLoop loop, ChunkPool pool) {
		this.loop = loop;
		this.settings = loop.settings;
		this.faults = loop.faults;
		this.pool = pool;
		this.tlsBuffers = new TlsBufferPool(pool.refusals);
		this.timers = new ConnectionTimers(loop.listeners, this.settings.closeLimit().toNanos());
		this.dispatcher = new HandlerDispatcher(this, this.settings.writeHighWaterMark(),
				this.settings.writeLowWaterMark());
		this.writes = new ConnectionWrites(this, this.settings.writeHighWaterMark());
	}

	/**
	 * Lets go of the loop's send chunks and TLS buffers, once, when the loop stops after its connections
	 * gave theirs back (or were abandoned).
	 */
	void releaseMemory() {
		this.pool.release();
		this.tlsBuffers.release();
	}

	// ---- opening ----

	/**
	 * Serves a new socket: counts it, makes its codec and lane, tells the handler, and starts reading.
	 * @param listener the listener that accepted it, whose connection slot is already taken
	 * @param io the transport's half
	 * @return the connection (already closed if the handler closed it in onOpen)
	 */
	ServedConnection open(ListenerRuntime listener, ConnectionIo io) {
		long id = ((long) this.loop.index << 48) | ++this.connectionSequence;
		ListenerStats stats = this.loop.listenerStats[listener.index];
		ServedConnection connection = new ServedConnection(this, id, listener, stats, new OutboundQueue(this.pool), io);
		this.live.add(connection);
		this.loop.connectionCount = this.live.size();
		connection.lastActive = this.turnNanos;
		stats.countAccepted();
		if (listener.settings.framing() != null) {
			connection.decoder = listener.settings.framing().newDecoder();
		}
		Stage[] stages = listener.newStages(this.loop, this.tlsBuffers);
		if (stages.length > 0) {
			connection.pipeline = new StagePipeline(connection, stages);
			connection.setupDeadline = (this.turnNanos + listener.setupTimeoutNanos()) | 1;
		}
		else {
			connection.opened = true;
			this.dispatcher.opened(connection);
		}
		if (connection.state == ServedConnection.OPEN) {
			io.readingChanged(connection);
		}
		return connection;
	}

	/** Every stage finished its setup: the handler may see the connection now. */
	void setupDone(ServedConnection connection) {
		connection.setupDeadline = 0;
		if (!connection.opened && connection.state == ServedConnection.OPEN) {
			connection.opened = true;
			this.dispatcher.opened(connection);
		}
	}

	/** A stage found bytes that break its protocol: log it, send what is queued, then close. */
	void stageFailed(ServedConnection connection, StageException failure) {
		this.faults.log().info("Closing {}: {}", connection, failure.getMessage());
		connection.inputEnded = true;
		closeAfterFlush(connection, failure.reason());
	}

	/** The connections open, closing or lingering on this loop. */
	LiveConnections live() {
		return this.live;
	}

	// ---- a turn ----

	/** Starts a turn: takes the clock, and closes connections whose deadline passed if a sweep is due. */
	void beginTurn() {
		this.turnNanos = System.nanoTime();
		if (this.timers.isDue(this.turnNanos, this.closingCount > 0)) {
			DeadlineSweep.closeOverdue(this, this.timers);
		}
	}

	/** Nanoseconds until the next sweep is due, or -1 when none is needed. */
	long nanosUntilSweep(long now) {
		return this.timers.nanosUntilDue(now, this.closingCount > 0);
	}

	// ---- what the socket did ----

	/** Whether the connection wants bytes from its socket now. */
	static boolean wantsToRead(ServedConnection connection) {
		return connection.lingering || (connection.state == ServedConnection.OPEN && !connection.peerClosed
				&& !connection.inputEnded && !connection.unwritable && !connection.laneBacklogged);
	}

	/**
	 * Bytes arrived. While lingering they are discarded (and push the quiet deadline); otherwise they go
	 * to the codec or handler.
	 * @param data a view valid during this call only
	 */
	void received(ServedConnection connection, Bytes data) {
		if (connection.lingering) {
			connection.closeDeadline.peerSent(this.turnNanos);
			return;
		}
		if (connection.state != ServedConnection.OPEN) {
			return;
		}
		connection.stats.countReceived(data.length());
		connection.lastActive = this.turnNanos;
		if (connection.pipeline != null) {
			connection.pipeline.inbound(data);
		}
		else {
			this.dispatcher.received(connection, data);
		}
	}

	/** The socket reported end of stream: the stages, if any, decide what it means first. */
	void endOfStream(ServedConnection connection) {
		if (connection.pipeline != null && connection.state == ServedConnection.OPEN) {
			connection.pipeline.endOfStream();
		}
		else {
			peerEnded(connection);
		}
	}

	/** The peer ended its stream: finish a lingering close, or close once the queue is sent. */
	void peerEnded(ServedConnection connection) {
		connection.peerClosed = true;
		if (connection.lingering) {
			closeNow(connection, connection.closeReason);
		}
		else {
			closeAfterFlush(connection, CloseReason.PEER_CLOSED);
		}
	}

	/**
	 * The socket took {@code bytes} from the front of the outbound queue: drop them, then finish a close
	 * or a half-close waiting for an empty queue, and tell the handler when it may write again.
	 */
	void sent(ServedConnection connection, long bytes) {
		if (connection.state == ServedConnection.CLOSED) {
			return;
		}
		OutboundQueue outbound = connection.outbound;
		if (bytes > 0) {
			outbound.advance(bytes);
			connection.queuedBytesChanged();
			connection.stats.countSent(bytes);
			connection.lastActive = this.turnNanos;
		}
		if (outbound.isEmpty() && !connection.io.sending()) {
			if (connection.state == ServedConnection.CLOSING) {
				if (!connection.lingering) {
					finishClosing(connection, connection.closeReason);
				}
				return;
			}
			if (connection.outputShutdownRequested) {
				shutdownOutputNow(connection);
			}
		}
		if (connection.unwritable && outbound.bytes() <= this.settings.writeLowWaterMark()) {
			connection.unwritable = false;
			connection.publishWritable(true);
			this.dispatcher.writabilityChanged(connection, true);
			if (connection.state != ServedConnection.CLOSED) {
				connection.io.readingChanged(connection);
			}
		}
	}

	/**
	 * The socket failed: a reset or broken pipe closes as {@link CloseReason#RESET}; anything else is an
	 * I/O error, counted under {@code op}.
	 * @param error the error's short name, such as {@code EIO}
	 */
	void socketFailed(ServedConnection connection, String op, boolean peerGone, String error) {
		if (!peerGone) {
			this.loop.stats.error(op, error);
		}
		closeNow(connection, peerGone ? CloseReason.RESET : CloseReason.IO_ERROR);
	}

	/**
	 * Contains a failure while serving one connection: it closes that connection only (as reset if the
	 * peer caused it), and the loop goes on. A fatal error is thrown on and ends the loop.
	 */
	void failed(ServedConnection connection, String op, Throwable failure) {
		boolean peerGone = this.faults.contain(connection, op, failure);
		try {
			closeNow(connection, peerGone ? CloseReason.RESET : CloseReason.INTERNAL_ERROR);
		}
		catch (Throwable ex) {
			Failures.rethrowIfFatal(ex);
			this.faults.log().warn("Closing {} failed too", connection, ex);
		}
	}

	// ---- what the application asked ----

	void shutdownOutput(ServedConnection connection) {
		if (connection.state != ServedConnection.OPEN || connection.outputShutdownRequested) {
			return;
		}
		if (connection.pipeline != null) {
			// A TLS half-close: close_notify goes out after what is queued, then the socket's side shuts.
			connection.pipeline.closing();
		}
		connection.outputShutdownRequested = true;
		if (connection.outbound.isEmpty() && !connection.io.sending()) {
			shutdownOutputNow(connection);
		}
	}

	private void shutdownOutputNow(ServedConnection connection) {
		if (connection.outputShutDown) {
			return;
		}
		connection.outputShutDown = true;
		try {
			connection.io.shutdownOutput(connection);
		}
		catch (Exception ex) {
			socketFailed(connection, "shutdown", Failures.isPeerGone(ex), Failures.errorName(ex));
		}
	}

	/** Stops reading and closes once what is queued is sent. */
	void closeAfterFlush(ServedConnection connection, CloseReason reason) {
		if (connection.state != ServedConnection.OPEN) {
			return;
		}
		if (connection.pipeline != null) {
			connection.pipeline.closing();
		}
		if (connection.outbound.isEmpty() && !connection.io.sending()) {
			finishClosing(connection, reason);
			return;
		}
		connection.state = ServedConnection.CLOSING;
		connection.closeReason = reason;
		// The clock now, not the turn's: that may predate a long wait and leave the close no time at all.
		if (connection.closeDeadline.startSending(System.nanoTime(), this.timers.closeLimitNanos())) {
			this.closingCount++;
		}
		connection.io.readingChanged(connection);
	}

	/** Closes a connection whose queue is sent: at once if the peer is done, else by lingering. */
	private void finishClosing(ServedConnection connection, CloseReason reason) {
		if (connection.peerClosed || connection.lingering) {
			closeNow(connection, reason);
			return;
		}
		connection.state = ServedConnection.CLOSING;
		connection.closeReason = reason;
		connection.lingering = true;
		if (connection.closeDeadline.startLingering(System.nanoTime(), this.timers.closeLimitNanos())) {
			this.closingCount++;
		}
		if (!connection.outputShutDown) {
			connection.outputShutDown = true;
			try {
				connection.io.shutdownOutput(connection);
			}
			catch (Exception ex) {
				closeNow(connection, reason);
				return;
			}
		}
		connection.io.readingChanged(connection);
	}

	/** Closes at once, dropping what is queued, and tells the handler. */
	void closeNow(ServedConnection connection, CloseReason reason) {
		if (connection.state == ServedConnection.CLOSED) {
			return;
		}
		connection.state = ServedConnection.CLOSED;
		connection.lingering = false;
		if (connection.closeDeadline.end()) {
			this.closingCount--;
		}
		connection.markClosed();
		connection.outbound.clear();
		connection.queuedBytesChanged();
		if (connection.decoder != null) {
			connection.decoder.release();
		}
		if (connection.pipeline != null) {
			connection.pipeline.release();
		}
		this.live.remove(connection);
		this.loop.connectionCount = this.live.size();
		connection.listener.release();
		connection.stats.countClose(reason);
		connection.io.close(connection);
		if (connection.opened) {
			this.dispatcher.closed(connection, reason);
		}
		this.loop.drainedIfIdle();
	}

	// ---- the loop's life cycle ----

	/** A drain: every open connection closes once its queue is sent. */
	void closeAllAfterFlush(CloseReason reason) {
		for (ServedConnection connection : this.live.snapshot()) {
			closeAfterFlush(connection, reason);
		}
	}

	/** The loop stops: every connection closes now. */
	void closeAll(CloseReason reason) {
		for (ServedConnection connection : this.live.snapshot()) {
			closeNow(connection, reason);
		}
	}

	/**
	 * The loop failed and its transport cannot be trusted: mark every connection closed, tell each
	 * handler on this thread, and close each socket directly, so no descriptor leaks.
	 */
	void abandonAll() {
		for (ServedConnection connection : this.live.snapshot()) {
			connection.state = ServedConnection.CLOSED;
			connection.markClosed();
			this.live.remove(connection);
			this.loop.connectionCount = this.live.size();
			connection.listener.release();
			connection.stats.countClose(CloseReason.IO_ERROR);
			connection.io.abandon();
			if (connection.pipeline != null) {
				connection.pipeline.release();
			}
			if (connection.opened) {
				this.dispatcher.closedNow(connection, CloseReason.IO_ERROR);
			}
		}
	}

}
