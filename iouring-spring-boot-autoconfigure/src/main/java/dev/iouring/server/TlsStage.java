package dev.iouring.server;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.Executor;

import org.jspecify.annotations.Nullable;

/**
 * TLS as a stage: a {@link TlsSession} between the socket's bytes and the codec's plaintext. Its setup is
 * the handshake; the handler's {@code onOpen} runs once it finished, with the negotiated session on the
 * connection. A peer's {@code close_notify} is end of stream; a graceful close sends ours after what is
 * queued. Delegated tasks run on virtual threads, and the connection resumes on its loop.
 *
 * <p>Each handshake is counted once in the listener's statistics: succeeded (with its time, from the
 * first byte the stage received to the end, at the loop's turn clock), timed out, or failed (the client
 * sent something, then the connection closed before the handshake finished). A connection that leaves
 * without a byte, such as a TCP health check, is no handshake.
 *
 * <p>Threads: the loop thread only, except the task callback, which only posts to the loop.
 */
final class TlsStage implements Stage {

	/** Runs delegated tasks, one virtual thread each. */
	private static final Executor OFF_LOOP = (task) -> Thread.ofVirtual().name("tls-task").start(task);

	private final TlsSession session;

	private final ListenerStats stats;

	private @Nullable Context context;

	private final BytesWindow plaintext = new BytesWindow();

	private final TlsSink up = (segment, offset, length) -> {
		Context context = this.context;
		if (context != null) {
			context.passInbound(this.plaintext.point(segment, offset, length));
		}
	};

	private final TlsSink toPeer = (segment, offset, length) -> {
		Context context = this.context;
		if (context != null) {
			context.passOutbound(segment, offset, length);
		}
	};

	private boolean endReported;

	/** The peer sent something: a close from now on before the handshake finished is a failed handshake. */
	private boolean handshakeStarted;

	/** The loop's turn clock when the first byte arrived. */
	private long handshakeStartNanos;

	/** The handshake was counted as succeeded or timed out. */
	private boolean handshakeCounted;

	/**
	 * @param settings the listener's TLS
	 * @param loop the connection's loop, where work resumes after a delegated task
	 * @param pool the loop's TLS buffers
	 * @param maxPendingPlaintext most plaintext kept before the handshake finished
	 * @param stats the loop's statistics of the listener, where the handshake is counted
	 */
	TlsStage(TlsSettings settings, AbstractServerLoop loop, TlsBufferPool pool, int maxPendingPlaintext,
			ListenerStats stats) {
		this.stats = stats;
		this.session = new TlsSession(settings, pool, OFF_LOOP, () -> loop.execute(this::resume),
				maxPendingPlaintext);
	}

	@Override
	public void inbound(Context context, Bytes data) throws StageException {
		this.context = context;
		if (!this.handshakeStarted) {
			this.handshakeStarted = true;
			this.handshakeStartNanos = context.connection().core.turnNanos;
		}
		try {
			this.session.received(data, this.up, this.toPeer);
		}
		catch (TlsException ex) {
			throw failure(ex);
		}
		catch (TlsBufferPool.Refused ex) {
			throw refused(context, ex);
		}
		progressed(context);
	}

	private void resume() {
		Context context = this.context;
		if (context == null || context.connection().state == ServedConnection.CLOSED) {
			return;
		}
		try {
			this.session.resume(this.up, this.toPeer);
			progressed(context);
		}
		catch (TlsException ex) {
			context.connection().core.stageFailed(context.connection(), failure(ex));
		}
		catch (StageException ex) {
			context.connection().core.stageFailed(context.connection(), ex);
		}
		catch (TlsBufferPool.Refused ex) {
			context.connection().core.stageFailed(context.connection(), refused(context, ex));
		}
	}

	/** After the session moved: report a finished handshake, and a peer's close_notify as end of stream. */
	private void progressed(Context context) throws StageException {
		ServedConnection connection = context.connection();
		if (connection.tls() == null && this.session.handshakeFinished()) {
			NegotiatedTls negotiated = this.session.negotiated();
			if (negotiated != null) {
				connection.negotiated(negotiated);
				this.handshakeCounted = true;
				this.stats.countHandshakeSucceeded(connection.core.turnNanos - this.handshakeStartNanos);
				context.setupDone();
			}
		}
		if (this.session.peerClosed() && !this.endReported) {
			if (!this.session.handshakeFinished()) {
				throw new StageException(CloseReason.TLS_HANDSHAKE_FAILED, "the peer gave up the TLS handshake");
			}
			this.endReported = true;
			context.endOfStream();
		}
	}

	private static StageException refused(Context context, TlsBufferPool.Refused ex) {
		context.connection().memoryRefused = true;
		context.connection().core.loop.stats.error("tls", "OutOfDirectMemory");
		return new StageException(CloseReason.OUTBOUND_OVERFLOW, ex.getMessage());
	}

	private StageException failure(TlsException ex) {
		return new StageException(ex.duringHandshake() ? CloseReason.TLS_HANDSHAKE_FAILED : CloseReason.TLS_ERROR,
				"TLS " + (ex.duringHandshake() ? "handshake failed" : "failed") + ": " + ex.getMessage());
	}

	@Override
	public void outbound(Context context, MemorySegment source, long offset, int length) throws StageException {
		this.context = context;
		try {
			if (!this.session.write(source, offset, length, this.toPeer)) {
				throw new StageException(CloseReason.OUTBOUND_OVERFLOW,
						"more plaintext written before the TLS handshake finished than the write limit");
			}
		}
		catch (TlsException ex) {
			throw failure(ex);
		}
		catch (TlsBufferPool.Refused ex) {
			throw refused(context, ex);
		}
	}

	@Override
	public void endOfStream(Context context) throws StageException {
		if (this.handshakeStarted && !this.session.handshakeFinished()) {
			throw new StageException(CloseReason.TLS_HANDSHAKE_FAILED, "the peer closed during the TLS handshake");
		}
		// A peer that connects and leaves without a byte (a TCP health check) is an ordinary close; one that
		// ends without close_notify after the handshake (a careless peer, or truncation) is end of stream.
		if (!this.endReported) {
			this.endReported = true;
			context.endOfStream();
		}
	}

	@Override
	public void closing(Context context) {
		this.context = context;
		try {
			this.session.close(this.toPeer);
		}
		catch (TlsException | IllegalStateException ex) {
			// Nothing more can be said to this peer; the close goes on.
		}
	}

	@Override
	public void release() {
		if (this.handshakeStarted && !this.handshakeCounted) {
			this.stats.countHandshakeFailed();
		}
		this.session.release();
	}

	@Override
	public CloseReason setupTimedOut() {
		if (!this.handshakeCounted) {
			this.handshakeCounted = true;
			this.stats.countHandshakeTimedOut();
		}
		return CloseReason.TLS_HANDSHAKE_TIMEOUT;
	}

}
