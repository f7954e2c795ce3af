package dev.iouring.server;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.iouring.ring.NativeMemory;

/**
 * One selector thread: it owns a {@link Selector}, the listening channels it accepts on, and the channels
 * of every connection it serves ({@link NioSocket}). What the connections do is decided by the loop's
 * {@link ConnectionCore}; this class only drives the selector.
 *
 * <p>A turn: run tasks from other threads, close overdue connections, write out every connection written
 * to since the last turn, then select (blocking only when no task waits) and handle what is ready:
 * accept, write what the socket now takes, read into the loop's one direct buffer and hand the bytes to
 * the core as a view of it. Nothing in a turn takes a lock, and the raw echo path allocates nothing.
 *
 * <p>Wake-up from other threads: before it blocks the loop sets {@code sleeping} and checks the task
 * queue again; a producer enqueues, then wakes the selector only if it flips {@code sleeping} from true
 * to false. Either the loop sees the task before blocking, or the producer sees it asleep and wakes it.
 */
final class NioEventLoop extends AbstractServerLoop {

	private static final Logger logger = LoggerFactory.getLogger(NioEventLoop.class);

	/** Connections accepted per listener per turn, so a flood of them cannot starve the others. */
	private static final int MAX_ACCEPTS_PER_TURN = 64;

	private final BytesWindow view = new BytesWindow();

	/** Scratch for one gathering write, shared by the loop's sockets. */
	final ByteBuffer[] gather = new ByteBuffer[OutboundQueue.MAX_GATHER];

	private final Consumer<SelectionKey> onReady = this::onReady;

	private final AcceptBackoff backoff = new AcceptBackoff("NIO");

	private volatile @Nullable Selector selector;

	// ---- loop thread only (acceptTargets is set before the thread starts) ----

	/** The loops this one hands accepted connections to; empty when it does not accept. */
	private List<NioEventLoop> acceptTargets = List.of();

	/** The loops this one hands connections to Unix listeners to; empty when another loop accepts them. */
	private List<NioEventLoop> unixAcceptTargets = List.of();

	private int nextTarget;

	private final @Nullable ServerSocketChannel[] listenChannels;

	private @Nullable ChunkPool pool;

	private @Nullable ConnectionCore core;

	/** The loop's one read buffer: every read lands here and is handed on as a view. */
	@Nullable ByteBuffer readBuffer;

	private MemorySegment readSegment = MemorySegment.NULL;

	private long reservedReadBytes;

	/**
	 * Set while the selector may block: the first key it reports takes the clock again, so what arrived
	 * during the wait is timed from then, not from the turn's start (up to a sweep earlier).
	 */
	private boolean waited;

	NioEventLoop(int index, ServerSettings settings, ListenerRuntime[] listeners, String threadName) {
		super("NIO", index, settings, listeners, threadName);
		this.listenChannels = new ServerSocketChannel[listeners.length];
	}

	// ---- life cycle (called by NioServer) ----

	/**
	 * Makes this loop accept on its own channels and hand what it accepts to {@code targets} in turn.
	 * Called before {@link #start()}.
	 * @param targets the loops that serve the accepted connections (this loop alone with SO_REUSEPORT)
	 */
	void acceptFor(List<NioEventLoop> targets) {
		this.acceptTargets = List.copyOf(targets);
	}

	/**
	 * Makes this loop the one that accepts on every Unix listener (whose socket cannot be bound twice)
	 * and hands the connections to {@code targets} in turn. Called before {@link #start()}.
	 * @param targets every loop of the server
	 */
	void acceptUnixFor(List<NioEventLoop> targets) {
		this.unixAcceptTargets = List.copyOf(targets);
	}

	@Override
	protected void startDrain() {
		closeListeners();
		this.core.closeAllAfterFlush(CloseReason.SERVER_STOPPED);
	}

	@Override
	protected void closeListenSockets() {
		closeListeners();
	}

	/** Returns the bytes queued for sending on this loop's connections, counted on the loop thread. */
	@Override
	public long queuedBytes() {
		Long total = callOnLoop(() -> (this.core != null) ? this.core.live().queuedBytes() : 0L);
		return (total != null) ? total : 0;
	}

	// ---- the thread ----

	@Override
	protected void signalWakeup() {
		Selector selector = this.selector;
		if (selector != null) {
			selector.wakeup();
		}
	}

	@Override
	protected void open() throws IOException {
		this.selector = Selector.open();
		this.pool = new ChunkPool();
		this.core = new ConnectionCore(this, this.pool);
		this.readBuffer = ByteBuffer.allocateDirect(this.settings.bufferSize());
		this.readSegment = MemorySegment.ofBuffer(this.readBuffer);
		this.reservedReadBytes = this.settings.bufferSize();
		NativeMemory.reserved(this.reservedReadBytes);
		boolean reusePort = this.acceptTargets.size() == 1;
		for (ListenerRuntime listener : this.listeners) {
			if (acceptTargets(listener).isEmpty()) {
				continue;
			}
			ServerSocketChannel channel = listener.isUnix() ? ListenerChannels.bindUnix(listener)
					: ListenerChannels.bind(listener, reusePort);
			this.listenChannels[listener.index()] = channel;
			channel.register(this.selector, SelectionKey.OP_ACCEPT, listener);
		}
	}

	@Override
	protected void turn() throws IOException {
		Selector selector = this.selector;
		runTasks();
		this.core.beginTurn();
		if (this.backoff.retryDue(this.core.turnNanos)) {
			setAcceptInterest(SelectionKey.OP_ACCEPT);
		}
		this.core.writes.flush();
		if (!this.tasks.isEmpty()) {
			selector.selectNow(this.onReady);
			return;
		}
		this.sleeping.set(true);
		if (this.tasks.isEmpty() && this.running) {
			this.waited = true;
			selector.select(this.onReady, timeoutMillis());
			this.waited = false;
		}
		else {
			selector.selectNow(this.onReady);
		}
		this.sleeping.set(false);
	}

	/**
	 * Returns how long the loop may block: until the next accept retry or deadline sweep, or 0 for no
	 * limit (which is what {@link Selector#select(Consumer, long)} takes for "forever").
	 */
	private long timeoutMillis() {
		long now = System.nanoTime();
		long nanos = this.core.nanosUntilSweep(now);
		long untilRetry = this.backoff.nanosUntilRetry(now);
		if (untilRetry >= 0) {
			nanos = (nanos < 0) ? untilRetry : Math.min(nanos, untilRetry);
		}
		if (nanos < 0) {
			return 0;
		}
		return Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos));
	}

	private void onReady(SelectionKey key) {
		if (this.waited) {
			// The wait may have lasted long: what it brought is stamped with the time it is handled.
			this.waited = false;
			this.core.turnNanos = System.nanoTime();
		}
		if (!key.isValid()) {
			return;
		}
		Object attachment = key.attachment();
		if (attachment instanceof ServedConnection connection) {
			try {
				((NioSocket) connection.io).ready(connection, key.readyOps());
			}
			catch (Throwable ex) {
				this.core.failed(connection, "io", ex);
			}
		}
		else if (attachment instanceof ListenerRuntime listener) {
			try {
				accept((ServerSocketChannel) key.channel(), listener);
			}
			catch (Throwable ex) {
				this.faults.contain("listener " + listener.name(), "accept", ex);
			}
		}
	}

	/** A view of the bytes just read into the loop's read buffer, valid until the next read. */
	Bytes view(int length) {
		return this.view.point(this.readSegment, 0, length);
	}

	// ---- accept ----

	private void accept(ServerSocketChannel server, ListenerRuntime listener) {
		for (int i = 0; i < MAX_ACCEPTS_PER_TURN; i++) {
			SocketChannel channel;
			try {
				channel = server.accept();
			}
			catch (IOException ex) {
				acceptFailed(listener, ex);
				return;
			}
			if (channel == null) {
				return;
			}
			this.backoff.succeeded(listener.name());
			if (!listener.tryAcquire()) {
				// Counted first: a peer that sees the close may look at the counter at once.
				this.listenerStats[listener.index()].countRejected();
				ListenerChannels.closeQuietly(channel);
				continue;
			}
			List<NioEventLoop> targets = acceptTargets(listener);
			NioEventLoop target = targets.get(this.nextTarget % targets.size());
			this.nextTarget = (this.nextTarget + 1) % targets.size();
			if (target == this) {
				adopt(listener, channel);
			}
			else {
				target.execute(() -> target.adopt(listener, channel));
			}
		}
	}

	private List<NioEventLoop> acceptTargets(ListenerRuntime listener) {
		return listener.isUnix() ? this.unixAcceptTargets : this.acceptTargets;
	}

	private void acceptFailed(ListenerRuntime listener, IOException ex) {
		if (ex instanceof ClosedChannelException) {
			return;
		}
		this.stats.error("accept", Failures.errorName(ex));
		this.backoff.failed(listener.name(), String.valueOf(ex.getMessage()));
		setAcceptInterest(0);
	}

	private void setAcceptInterest(int ops) {
		for (ServerSocketChannel channel : this.listenChannels) {
			SelectionKey key = (channel != null) ? channel.keyFor(this.selector) : null;
			if (key != null && key.isValid()) {
				key.interestOps(ops);
			}
		}
	}

	/**
	 * Takes over an accepted channel whose listener slot is already reserved. Runs on this loop.
	 */
	void adopt(ListenerRuntime listener, SocketChannel channel) {
		if (!this.running || this.draining) {
			ListenerChannels.closeQuietly(channel);
			listener.release();
			return;
		}
		NioSocket socket = new NioSocket(this, channel, listener.isUnix());
		SelectionKey key;
		try {
			channel.configureBlocking(false);
			if (!listener.isUnix()) {
				// TCP options only: a Unix socket has none of them (and no Nagle delay).
				listener.socketOptions.apply(channel, this.stats);
			}
			key = channel.register(this.selector, 0);
		}
		catch (IOException ex) {
			ListenerChannels.closeQuietly(channel);
			listener.release();
			this.stats.error("accept", Failures.errorName(ex));
			return;
		}
		socket.register(key);
		ServedConnection connection = this.core.open(listener, socket);
		key.attach(connection);
	}

	// ---- stop ----

	private void closeListeners() {
		for (int i = 0; i < this.listenChannels.length; i++) {
			ListenerChannels.closeQuietly(this.listenChannels[i]);
			this.listenChannels[i] = null;
		}
	}

	/** NIO channels close the same way whether the loop stopped or failed. */
	@Override
	protected void abandonConnections() {
		closeEverything();
	}

	/**
	 * Closes every listener and connection, then runs the tasks still queued: a connection another loop
	 * handed over meanwhile is closed by {@link #adopt} because the loop no longer runs.
	 */
	@Override
	protected void closeEverything() {
		this.running = false;
		try {
			closeListeners();
			if (this.core != null) {
				this.core.closeAll(CloseReason.SERVER_STOPPED);
			}
			runTasks();
		}
		catch (RuntimeException ex) {
			logger.warn("NIO event loop {} could not close everything cleanly", this.index, ex);
		}
	}

	/**
	 * Closes the selector, which releases the descriptors of channels closed while registered, and lets go
	 * of the loop's buffers.
	 */
	@Override
	protected void closeResources() {
		closeListeners();
		Selector selector = this.selector;
		if (selector != null) {
			try {
				selector.close();
			}
			catch (IOException ex) {
				logger.warn("NIO event loop {} could not close its selector", this.index, ex);
			}
		}
		if (this.core != null) {
			this.core.releaseMemory();
			this.pool = null;
		}
		NativeMemory.released(this.reservedReadBytes);
		this.reservedReadBytes = 0;
		this.readBuffer = null;
		this.readSegment = MemorySegment.NULL;
	}

}
