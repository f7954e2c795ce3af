package dev.iouring.server;

import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

import org.jspecify.annotations.Nullable;

/**
 * Runs one {@link SSLEngine} over a {@link TlsSession}'s buffers: unwraps received records into
 * plaintext, wraps plaintext and handshake messages into records, answers the engine's
 * {@link HandshakeStatus} (wrap, unwrap, run a task) until it needs bytes the peer has not sent yet.
 *
 * <p>Delegated tasks run on {@code offLoop}, all of the engine's pending ones in one go; until
 * {@link #tasksFinished()} the driver makes no engine call, and what arrives meanwhile is kept in the
 * input buffer within its bound. The engine is only reached from one thread at a time: the loop hands
 * it to the task and gets it back through {@code tasksDone} and the loop's task queue.
 *
 * <p>Threads: the connection's loop thread, except the task body.
 */
final class TlsEngineDriver {

	/** Records the input buffer holds at most while a delegated task runs. */
	static final int STASHED_RECORDS = 4;

	/** Cipher suite of an engine's session before a handshake agreed on one (JSSE's placeholder). */
	private static final String NO_CIPHER_SUITE = "SSL_NULL_WITH_NULL_NULL";

	/** Read-only empty source for wraps that carry no application bytes. */
	static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

	private final SSLEngine engine;

	private final TlsBuffers buffers;

	private final PendingPlaintext pending;

	private final Executor offLoop;

	private final Runnable tasksDone;

	private boolean taskRunning;

	/** Written by the task's thread, read by the loop after {@code tasksDone}. */
	private volatile @Nullable Throwable taskFailure;

	private boolean handshakeFinished;

	TlsEngineDriver(SSLEngine engine, TlsBuffers buffers, PendingPlaintext pending, Executor offLoop,
			Runnable tasksDone) {
		this.engine = engine;
		this.buffers = buffers;
		this.pending = pending;
		this.offLoop = offLoop;
		this.tasksDone = tasksDone;
	}

	SSLEngine engine() {
		return this.engine;
	}

	boolean handshakeFinished() {
		return this.handshakeFinished;
	}

	boolean taskRunning() {
		return this.taskRunning;
	}

	/**
	 * Marks the tasks done, on the loop.
	 * @throws TlsException if one of them failed outside the engine's own reporting
	 */
	void tasksFinished() throws TlsException {
		this.taskRunning = false;
		Throwable failure = this.taskFailure;
		if (failure != null) {
			throw new TlsException("TLS handshake task failed: " + failure, !this.handshakeFinished, failure);
		}
	}

	/** Decrypts what the input buffer holds and then {@code src}, keeping a record cut short for later. */
	void feed(ByteBuffer src, TlsSink up, TlsSink toPeer) throws SSLException, TlsException {
		while (true) {
			if (!this.buffers.hasInput()) {
				unwrapAll(src, up, toPeer);
				if (src.hasRemaining() && !this.engine.isInboundDone()) {
					stash(src);
				}
				return;
			}
			ByteBuffer input = this.buffers.input(packetSize());
			int room = Math.min(input.remaining(), src.remaining());
			input.put(input.position(), src, src.position(), room);
			input.position(input.position() + room);
			src.position(src.position() + room);
			input.flip();
			int before = input.remaining();
			unwrapAll(input, up, toPeer);
			boolean consumed = input.remaining() < before;
			input.compact();
			if (this.engine.isInboundDone() || !src.hasRemaining()) {
				return;
			}
			if (this.taskRunning) {
				stash(src);
				return;
			}
			if (!consumed && !input.hasRemaining()) {
				throw new TlsException("TLS record larger than " + input.capacity() + " bytes", !this.handshakeFinished);
			}
		}
	}

	/** Copies received bytes into the input buffer, which grows to its bound and no further. */
	void stash(ByteBuffer src) throws TlsException {
		stash(this.buffers, src, STASHED_RECORDS * packetSize(), this.taskRunning ? "a handshake task was running"
				: "no complete TLS record", !this.handshakeFinished);
	}

	static void stash(TlsBuffers buffers, ByteBuffer src, int limit, String why, boolean duringHandshake)
			throws TlsException {
		if (!src.hasRemaining()) {
			return;
		}
		int needed = buffers.input().position() + src.remaining();
		if (needed > limit) {
			throw new TlsException("peer sent more than " + limit + " bytes that could not be decrypted yet (" + why
					+ ")", duringHandshake);
		}
		buffers.input(Math.max(needed, Math.min(limit, needed * 2))).put(src);
	}

	/** Runs the engine over {@code src} until it needs more bytes, waits for a task, or the peer closed. */
	private void unwrapAll(ByteBuffer src, TlsSink up, TlsSink toPeer) throws SSLException, TlsException {
		while (!this.taskRunning) {
			HandshakeStatus status = this.engine.getHandshakeStatus();
			noteFinished(status);
			if (status == HandshakeStatus.NEED_WRAP) {
				if (wrapOnce(EMPTY, toPeer).bytesProduced() == 0 && this.engine.isOutboundDone()) {
					break;
				}
				continue;
			}
			if (status == HandshakeStatus.NEED_TASK) {
				this.buffers.drainApplication(up);
				startTasks();
				return;
			}
			if (!src.hasRemaining() || this.engine.isInboundDone()) {
				break;
			}
			ByteBuffer application = this.buffers.application(this.engine.getSession().getApplicationBufferSize());
			SSLEngineResult result = this.engine.unwrap(src, application);
			noteFinished(result.getHandshakeStatus());
			SSLEngineResult.Status outcome = result.getStatus();
			if (outcome == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
				break;
			}
			if (outcome == SSLEngineResult.Status.BUFFER_OVERFLOW) {
				overflowApplication(application, up);
			}
			else if (result.bytesConsumed() == 0 && result.bytesProduced() == 0
					&& this.engine.getHandshakeStatus() == status) {
				break;
			}
		}
		this.buffers.drainApplication(up);
	}

	private void overflowApplication(ByteBuffer application, TlsSink up) throws TlsException {
		if (application.position() > 0) {
			this.buffers.drainApplication(up);
			return;
		}
		int needed = this.engine.getSession().getApplicationBufferSize();
		if (needed <= application.capacity()) {
			throw new TlsException("TLS record does not fit the engine's application buffer of " + needed + " bytes",
					!this.handshakeFinished);
		}
		this.buffers.application(needed);
	}

	/**
	 * Encrypts all of {@code src}, keeping in the pending plaintext what the engine will not take yet
	 * (a renegotiation waits for the peer, or a task runs).
	 * @return {@code false} if what had to be kept did not fit the pending plaintext's bound
	 */
	boolean wrapAll(ByteBuffer src, TlsSink toPeer) throws SSLException, TlsException {
		while (src.hasRemaining()) {
			if (!this.taskRunning && this.engine.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
				startTasks();
			}
			if (this.taskRunning) {
				return this.pending.keep(src);
			}
			SSLEngineResult result = wrapOnce(src, toPeer);
			if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
				throw new TlsException("TLS engine closed its outbound side; the bytes cannot be sent",
						!this.handshakeFinished);
			}
			if (result.bytesConsumed() == 0 && result.bytesProduced() == 0) {
				return this.pending.keep(src);
			}
		}
		return true;
	}

	/** Turns the outbound side into {@code close_notify}, sent to {@code toPeer}. */
	void closeOutbound(TlsSink toPeer) throws SSLException, TlsException {
		this.engine.closeOutbound();
		while (!this.engine.isOutboundDone() && !this.taskRunning) {
			if (wrapOnce(EMPTY, toPeer).bytesProduced() == 0) {
				return;
			}
		}
	}

	/** One wrap into the network buffer, whose records then go to {@code toPeer}. */
	private SSLEngineResult wrapOnce(ByteBuffer src, TlsSink toPeer) throws SSLException, TlsException {
		ByteBuffer network = this.buffers.network(packetSize());
		SSLEngineResult result = this.engine.wrap(src, network);
		if (result.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW && network.position() == 0) {
			int needed = this.engine.getSession().getPacketBufferSize();
			if (needed <= network.capacity()) {
				throw new TlsException("TLS record does not fit the engine's packet buffer of " + needed + " bytes",
						!this.handshakeFinished);
			}
			this.buffers.network(needed);
		}
		this.buffers.drainNetwork(toPeer);
		noteFinished(result.getHandshakeStatus());
		return result;
	}

	/**
	 * Notes the end of the handshake. The engine reports {@code FINISHED} only in the result of the call
	 * that completed it, which a delegated task may have been instead (TLS 1.3 checks the client's
	 * Finished in one), so an engine that left the handshake open in both directions with a cipher suite
	 * agreed counts too (a failed handshake leaves it closed).
	 */
	private void noteFinished(HandshakeStatus status) {
		if (!this.handshakeFinished && (status == HandshakeStatus.FINISHED
				|| (status == HandshakeStatus.NOT_HANDSHAKING && !this.engine.isOutboundDone()
						&& !this.engine.isInboundDone()
						&& !NO_CIPHER_SUITE.equals(this.engine.getSession().getCipherSuite())))) {
			this.handshakeFinished = true;
		}
	}

	private void startTasks() throws TlsException {
		SSLEngine engine = this.engine;
		this.taskRunning = true;
		try {
			this.offLoop.execute(() -> {
				try {
					for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) {
						task.run();
					}
				}
				catch (Throwable ex) {
					this.taskFailure = ex;
				}
				finally {
					this.tasksDone.run();
				}
			});
		}
		catch (RejectedExecutionException ex) {
			this.taskRunning = false;
			throw new TlsException("TLS handshake task could not start: its executor refused it", true, ex);
		}
	}

	/** Sends the alert the engine has for a failure, if any, and describes the failure. */
	TlsException failed(SSLException ex, TlsSink toPeer) {
		try {
			for (int i = 0; i < 4 && this.engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP
					&& !this.engine.isOutboundDone(); i++) {
				wrapOnce(EMPTY, toPeer);
			}
		}
		catch (SSLException | TlsException | RuntimeException alertFailure) {
			ex.addSuppressed(alertFailure);
		}
		String stage = this.handshakeFinished ? "TLS record refused: " : "TLS handshake failed: ";
		return new TlsException(stage + ex.getMessage(), !this.handshakeFinished, ex);
	}

	private int packetSize() {
		return this.engine.getSession().getPacketBufferSize();
	}

}
