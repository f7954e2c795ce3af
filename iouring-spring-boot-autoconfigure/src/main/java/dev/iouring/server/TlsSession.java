package dev.iouring.server;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.concurrent.Executor;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;

import org.jspecify.annotations.Nullable;

/**
 * The TLS stage of one connection: a server-mode {@link SSLEngine} between the bytes of the socket and
 * the plaintext of the codec. It never touches a socket: the connection feeds it what it read
 * ({@link #received}), hands it what the application writes ({@link #write}), and sends what comes out
 * of the {@code toPeer} sink, in order.
 *
 * <p>Delegated tasks (key exchange, certificate checks) run on the {@code offLoop} executor, so other
 * connections of the loop never wait for them. While they run, received ciphertext is kept (at most
 * {@value TlsEngineDriver#STASHED_RECORDS} records, beyond which {@link TlsException}) and writes join
 * the pending plaintext. When they finish, {@code tasksDone} runs on the task's thread; the connection
 * then calls {@link #resume} on its loop.
 *
 * <p>Application bytes written before the handshake finishes wait, at most {@code maxPendingPlaintext}
 * of them, and are encrypted when it does; {@link #write} returns {@code false} for bytes that do not
 * fit, which the connection treats as a full write buffer.
 *
 * <p>Given {@link TlsSettings} that choose the engine by server name, the session keeps the first bytes
 * until the ClientHello is whole, reads its SNI host name ({@link ClientHelloServerName}), and only then
 * creates the engine with the context registered for that name.
 *
 * <p>Memory: native buffers borrowed from the loop's {@link TlsBufferPool} for the length of a call
 * ({@link TlsBuffers}), each bounded, of which only kept input stays between calls, plus the bounded
 * pending plaintext on the heap; {@link #release()} gives them back. A steady exchange allocates nothing
 * here: received bytes are read through a cached view ({@link DirectBufferView}), and plaintext from the
 * session's own buffers (what a handler echoes) is encrypted in place.
 *
 * <p>Threads: the connection's loop thread only, except {@code tasksDone}.
 */
final class TlsSession {

	/** Bytes kept while reading the ClientHello: a few records of the JDK's largest packet size. */
	private static final int MAX_CLIENT_HELLO = TlsEngineDriver.STASHED_RECORDS * 16709;

	private final @Nullable TlsSettings settings;

	private final Executor offLoop;

	private final Runnable tasksDone;

	private final PendingPlaintext pending;

	private final TlsBuffers buffers;

	/** A pool of the session's own, released with it; {@code null} when the loop's pool is used. */
	private final @Nullable TlsBufferPool ownPool;

	private final DirectBufferView received = new DirectBufferView();

	/** Calls in progress (a handler writes from within a received call): buffers go back at depth 0. */
	private int depth;

	private boolean releaseRequested;

	private @Nullable TlsEngineDriver driver;

	private @Nullable String peekedServerName;

	private boolean closeRequested;

	private @Nullable NegotiatedTls negotiated;

	/**
	 * Creates a session around an engine.
	 * @param engine a server-mode engine that has not started its handshake
	 * @param offLoop runs delegated tasks, off the loop (a virtual thread per task suits)
	 * @param tasksDone called on the task's thread once delegated tasks finished; must lead to
	 * {@link #resume} on the connection's loop
	 * @param maxPendingPlaintext most application bytes kept before the handshake finishes
	 */
	TlsSession(SSLEngine engine, Executor offLoop, Runnable tasksDone, int maxPendingPlaintext) {
		this(null, engine, null, offLoop, tasksDone, maxPendingPlaintext);
	}

	/**
	 * Creates a session whose engine comes from a listener's settings, chosen by the client's requested
	 * server name when the settings register any.
	 * @param settings the listener's TLS
	 * @param offLoop runs delegated tasks, off the loop
	 * @param tasksDone called on the task's thread once delegated tasks finished
	 * @param pool the loop's TLS buffers, or {@code null} for a pool of the session's own
	 * @param maxPendingPlaintext most application bytes kept before the handshake finishes
	 */
	TlsSession(TlsSettings settings, @Nullable TlsBufferPool pool, Executor offLoop, Runnable tasksDone,
			int maxPendingPlaintext) {
		this(settings, settings.selectsByServerName() ? null : settings.createEngine(null), pool, offLoop, tasksDone,
				maxPendingPlaintext);
	}

	private TlsSession(@Nullable TlsSettings settings, @Nullable SSLEngine engine, @Nullable TlsBufferPool pool,
			Executor offLoop, Runnable tasksDone, int maxPendingPlaintext) {
		this.ownPool = (pool != null) ? null : new TlsBufferPool();
		this.buffers = new TlsBuffers((pool != null) ? pool : this.ownPool);
		this.pending = new PendingPlaintext(maxPendingPlaintext);
		this.settings = settings;
		this.offLoop = offLoop;
		this.tasksDone = tasksDone;
		if (engine != null) {
			this.driver = new TlsEngineDriver(engine, this.buffers, this.pending, offLoop, tasksDone);
		}
	}

	/**
	 * Takes bytes read from the socket, to its limit. Decrypted application bytes go to
	 * {@code plaintextUp} in order, handshake messages and alerts to {@code toPeer}. What it keeps it
	 * copies, so the caller may reuse the bytes once it returns.
	 * @param ciphertext the bytes read
	 * @param plaintextUp takes decrypted application bytes
	 * @param toPeer takes records to send
	 * @throws TlsException if the bytes are not TLS, the handshake fails, or a bound is exceeded; an
	 * alert the engine had for the peer went to {@code toPeer} first
	 */
	void received(ByteBuffer ciphertext, TlsSink plaintextUp, TlsSink toPeer) throws TlsException {
		this.depth++;
		try {
			TlsEngineDriver driver = (this.driver != null) ? this.driver : chooseEngine(ciphertext);
			if (driver == null) {
				return;
			}
			try {
				if (driver.taskRunning()) {
					driver.stash(ciphertext);
					return;
				}
				driver.feed(ciphertext, plaintextUp, toPeer);
				afterProgress(driver, toPeer);
			}
			catch (SSLException ex) {
				throw driver.failed(ex, toPeer);
			}
		}
		finally {
			exit();
		}
	}

	/**
	 * Takes bytes read from the socket, as {@link #received(ByteBuffer, TlsSink, TlsSink)}.
	 * @param ciphertext a view valid only during the call
	 * @param plaintextUp takes decrypted application bytes
	 * @param toPeer takes records to send
	 * @throws TlsException if the bytes are not TLS, the handshake fails, or a bound is exceeded
	 */
	void received(Bytes ciphertext, TlsSink plaintextUp, TlsSink toPeer) throws TlsException {
		received(this.received.of(ciphertext), plaintextUp, toPeer);
	}

	/**
	 * Goes on after delegated tasks finished: decrypts what arrived meanwhile, sends what is due (the next
	 * handshake flight, pending plaintext, a deferred {@code close_notify}). Does nothing when no task ran.
	 * @param plaintextUp takes decrypted application bytes
	 * @param toPeer takes records to send
	 * @throws TlsException if a task or the handshake failed
	 */
	void resume(TlsSink plaintextUp, TlsSink toPeer) throws TlsException {
		TlsEngineDriver driver = this.driver;
		if (driver == null || !driver.taskRunning()) {
			return;
		}
		this.depth++;
		try {
			driver.tasksFinished();
			driver.feed(TlsEngineDriver.EMPTY, plaintextUp, toPeer);
			afterProgress(driver, toPeer);
		}
		catch (SSLException ex) {
			throw driver.failed(ex, toPeer);
		}
		finally {
			exit();
		}
	}

	/**
	 * Encrypts application bytes to {@code toPeer}, or keeps them until the handshake finishes.
	 * @param src the bytes, from position to limit, all consumed when the call returns {@code true}
	 * @param toPeer takes records to send
	 * @return {@code false} if bytes that must wait would take the pending plaintext past its bound
	 * @throws TlsException if the engine fails
	 * @throws IllegalStateException after {@link #close}
	 */
	boolean write(ByteBuffer src, TlsSink toPeer) throws TlsException {
		if (this.closeRequested) {
			throw new IllegalStateException("TLS session is closing; nothing more can be written");
		}
		TlsEngineDriver driver = this.driver;
		if (driver == null || !driver.handshakeFinished() || driver.taskRunning() || !this.pending.isEmpty()) {
			return this.pending.keep(src);
		}
		this.depth++;
		try {
			return driver.wrapAll(src, toPeer);
		}
		catch (SSLException ex) {
			throw driver.failed(ex, toPeer);
		}
		finally {
			exit();
		}
	}

	/**
	 * Encrypts application bytes, as {@link #write(ByteBuffer, TlsSink)}.
	 * @param src the memory holding the bytes
	 * @param offset the first byte
	 * @param length the number of bytes
	 * @param toPeer takes records to send
	 * @return {@code false} if bytes that must wait would take the pending plaintext past its bound
	 * @throws TlsException if the engine fails
	 */
	boolean write(MemorySegment src, long offset, int length, TlsSink toPeer) throws TlsException {
		ByteBuffer own = this.buffers.reader(src, offset, length);
		if (own != null) {
			return write(own, toPeer);
		}
		TlsEngineDriver driver = this.driver;
		if (this.closeRequested || driver == null || !driver.handshakeFinished() || driver.taskRunning()
				|| !this.pending.isEmpty()) {
			// Kept whole, or refused whole: rare (before the handshake finished), so a view will do.
			return write(src.asSlice(offset, length).asByteBuffer(), toPeer);
		}
		this.depth++;
		try {
			// Other memory (a heap array, a codec's buffer) is copied a record at a time into a direct buffer.
			for (int done = 0; done < length;) {
				ByteBuffer staging = this.buffers.staging(TlsBufferPool.UNIT);
				int n = Math.min(length - done, staging.capacity());
				MemorySegment.copy(src, offset + done, this.buffers.stagingSegment(), 0, n);
				staging.limit(n).position(0);
				boolean taken = write(staging, toPeer);
				staging.clear();
				if (!taken) {
					return false;
				}
				done += n;
			}
			return true;
		}
		finally {
			exit();
		}
	}

	/**
	 * Sends {@code close_notify} after what is pending. While a delegated task runs, or the handshake
	 * runs with plaintext pending, it is deferred until that plaintext went out; {@link #outboundDone()}
	 * tells when it has been sent. Idempotent.
	 * @param toPeer takes records to send
	 * @throws TlsException if the engine fails
	 */
	void close(TlsSink toPeer) throws TlsException {
		this.closeRequested = true;
		TlsEngineDriver driver = this.driver;
		if (driver == null) {
			return;
		}
		this.depth++;
		try {
			afterProgress(driver, toPeer);
		}
		catch (SSLException ex) {
			throw driver.failed(ex, toPeer);
		}
		finally {
			exit();
		}
	}

	/** Returns whether {@code close_notify} went to {@code toPeer}, or no engine existed to send one. */
	boolean outboundDone() {
		TlsEngineDriver driver = this.driver;
		return (driver == null) ? this.closeRequested : driver.engine().isOutboundDone();
	}

	/** Returns whether the peer's {@code close_notify} arrived: the end of its stream. */
	boolean peerClosed() {
		TlsEngineDriver driver = this.driver;
		return driver != null && driver.engine().isInboundDone();
	}

	/** Returns whether the handshake finished. */
	boolean handshakeFinished() {
		TlsEngineDriver driver = this.driver;
		return driver != null && driver.handshakeFinished();
	}

	/** Returns whether delegated tasks run: the connection may stop reading until {@link #resume}. */
	boolean waitingForTask() {
		TlsEngineDriver driver = this.driver;
		return driver != null && driver.taskRunning();
	}

	/**
	 * Returns what the handshake agreed on: protocol, cipher suite, server name, client certificates.
	 * @return the negotiated parameters, or {@code null} before the handshake finished
	 */
	@Nullable NegotiatedTls negotiated() {
		TlsEngineDriver driver = this.driver;
		if (this.negotiated == null && driver != null && driver.handshakeFinished()) {
			this.negotiated = NegotiatedTls.of(driver.engine().getSession(), this.peekedServerName);
		}
		return this.negotiated;
	}

	/**
	 * Returns the engine's session, also while the handshake runs (when it holds no peer yet).
	 * @return the session, or {@code null} while the server name is being read
	 */
	@Nullable SSLSession sslSession() {
		TlsEngineDriver driver = this.driver;
		return (driver == null) ? null : driver.engine().getSession();
	}

	/**
	 * Gives the buffers back; the session must not be used after. Called from within one of its own calls
	 * (a handler that closes its connection), it takes effect when that call returns. Idempotent.
	 */
	void release() {
		if (this.depth > 0) {
			this.releaseRequested = true;
			return;
		}
		this.pending.clear();
		this.buffers.release();
		if (this.ownPool != null) {
			this.ownPool.release();
		}
	}

	/** Leaves a call: at the outermost, gives back the buffers that hold nothing, or all of them. */
	private void exit() {
		if (--this.depth == 0) {
			if (this.releaseRequested) {
				release();
			}
			else {
				this.buffers.returnIdle();
			}
		}
	}

	/** Returns the native bytes the session's buffers hold now, for tests of the bounds. */
	long allocatedBytes() {
		return this.buffers.allocatedBytes();
	}

	/** Keeps bytes until the ClientHello is whole, then creates the engine its server name selects. */
	private @Nullable TlsEngineDriver chooseEngine(ByteBuffer ciphertext) throws TlsException {
		TlsEngineDriver.stash(this.buffers, ciphertext, MAX_CLIENT_HELLO, "no complete ClientHello", true);
		ByteBuffer view = this.buffers.input().duplicate().flip();
		ClientHelloServerName.Peek peek = ClientHelloServerName.peek(view, MAX_CLIENT_HELLO);
		if (!peek.complete()) {
			return null;
		}
		this.peekedServerName = peek.serverName();
		SSLEngine engine = this.settings.createEngine(peek.serverName());
		this.driver = new TlsEngineDriver(engine, this.buffers, this.pending, this.offLoop, this.tasksDone);
		return this.driver;
	}

	/** Sends pending plaintext once the handshake allows, then close_notify once asked and nothing waits. */
	private void afterProgress(TlsEngineDriver driver, TlsSink toPeer) throws SSLException, TlsException {
		if (driver.taskRunning()) {
			return;
		}
		if (driver.handshakeFinished() && !this.pending.isEmpty()) {
			driver.wrapAll(this.pending.take(), toPeer);
		}
		if (this.closeRequested && this.pending.isEmpty() && !driver.taskRunning()
				&& !driver.engine().isOutboundDone()) {
			driver.closeOutbound(toPeer);
		}
	}

}
