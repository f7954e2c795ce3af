package dev.iouring.server.nio;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.iouring.ring.NativeMemory;
import dev.iouring.server.AbstractServerLoop;
import dev.iouring.server.Bytes;
import dev.iouring.server.BytesWindow;
import dev.iouring.server.CloseReason;
import dev.iouring.server.ConnectionTimers;
import dev.iouring.server.Failures;
import dev.iouring.server.ListenerRuntime;
import dev.iouring.server.ListenerStats;
import dev.iouring.server.RateLimitedLog;
import dev.iouring.server.ServerSettings;

/**
 * One selector thread: it owns a {@link Selector}, the listening channels it accepts on, and every
 * connection it serves.
 *
 * <p>A turn: run tasks from other threads, close idle connections when a sweep is due, write out every
 * connection written to since the last turn, then select (blocking only when no task waits) and handle
 * what is ready: accept, write what the socket now takes, read into the loop's one direct buffer and
 * hand the bytes to the handler as a view of it. Nothing in a turn takes a lock, and the raw echo path
 * allocates nothing.
 *
 * <p>Interest follows state: {@code OP_READ} while the connection wants bytes (open, writable, its lane
 * not behind), {@code OP_WRITE} only while the socket refused part of the queue. Pausing a connection is
 * dropping {@code OP_READ}: unread bytes wait in the kernel, so nothing received is ever dropped.
 *
 * <p>Wake-up from other threads: before it blocks the loop sets {@code sleeping} and checks the task
 * queue again; a producer enqueues, then wakes the selector only if it flips {@code sleeping} from true
 * to false. Either the loop sees the task before blocking, or the producer sees it asleep and wakes it.
 */
final class NioEventLoop extends AbstractServerLoop {

	private static final Logger logger = LoggerFactory.getLogger(NioEventLoop.class);

	/** Reads of one connection per turn, so one fast sender cannot starve the loop's other connections. */
	private static final int MAX_READS_PER_TURN = 16;

	/** Connections accepted per listener per turn, for the same reason. */
	private static final int MAX_ACCEPTS_PER_TURN = 64;

	/** Tasks from other threads run per turn, so a flood of them cannot starve the sockets. */
	/** How long accepting pauses after a failure such as EMFILE, instead of spinning on it. */
	private static final long ACCEPT_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

	private final HandlerDispatcher dispatcher;

	private final ConnectionTimers timers;

	/** Connections closing with a deadline: sending what is queued, or lingering. */
	private int closingCount;

	private final BytesWindow view = new BytesWindow();

	private final BytesWindow scratch = new BytesWindow();

	private final ByteBuffer[] gather = new ByteBuffer[SendQueue.MAX_GATHER];

	private final Consumer<SelectionKey> onReady = this::onReady;

	private volatile @Nullable Selector selector;

	// ---- loop thread only (acceptTargets is set before the thread starts) ----

	/** The loops this one hands accepted connections to; empty when it does not accept. */
	private List<NioEventLoop> acceptTargets = List.of();

	private int nextTarget;

	private final @Nullable ServerSocketChannel[] listenChannels;

	private @Nullable SendBufferPool pool;

	private @Nullable ByteBuffer readBuffer;

	private MemorySegment readSegment = MemorySegment.NULL;

	private long reservedReadBytes;

	private final ArrayList<NioConnection> connections = new ArrayList<>();

	private NioConnection[] flushList = new NioConnection[64];

	private int flushCount;

	private long connectionSequence;

	/** System.nanoTime() at the start of the current turn: the clock for idle timeouts. */
	private long turnNanos = System.nanoTime();

	private long acceptRetryAt;

	NioEventLoop(int index, ServerSettings settings, ListenerRuntime[] listeners, String threadName) {
		super("NIO", index, settings, listeners, threadName);
		this.listenChannels = new ServerSocketChannel[listeners.length];
		this.dispatcher = new HandlerDispatcher(this, settings.writeHighWaterMark(), settings.writeLowWaterMark());
		this.timers = new ConnectionTimers(listeners);
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

	@Override
	protected void startDrain() {
		closeListeners();
		for (NioConnection connection : this.connections.toArray(NioConnection[]::new)) {
			closeAfterFlush(connection, CloseReason.SERVER_STOPPED);
		}
	}

	@Override
	protected void closeListenSockets() {
		closeListeners();
	}

	/**
	 * Returns the bytes queued for sending on this loop's connections, counted on the loop thread.
	 */
	@Override
	public long queuedBytes() {
		Long total = callOnLoop(this::queuedBytesHere);
		return (total != null) ? total : 0;
	}

	private long queuedBytesHere() {
		long total = 0;
		for (NioConnection connection : this.connections) {
			total += connection.sendQueue.bytes();
		}
		return total;
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
		this.pool = new SendBufferPool();
		// Direct, not from an arena: see SendBufferPool for why.
		this.readBuffer = ByteBuffer.allocateDirect(this.settings.bufferSize());
		this.readSegment = MemorySegment.ofBuffer(this.readBuffer);
		this.reservedReadBytes = this.settings.bufferSize();
		NativeMemory.reserved(this.reservedReadBytes);
		if (!this.acceptTargets.isEmpty()) {
			boolean reusePort = this.acceptTargets.size() == 1;
			for (ListenerRuntime listener : this.listeners) {
				ServerSocketChannel channel = ListenerChannels.bind(listener, reusePort);
				this.listenChannels[listener.index()] = channel;
				channel.register(this.selector, SelectionKey.OP_ACCEPT, listener);
			}
		}
	}

	@Override
	protected void turn() throws IOException {
		Selector selector = this.selector;
		this.turnNanos = System.nanoTime();
		runTasks();
		if (this.timers.isDue(this.turnNanos, this.closingCount > 0)) {
			closeOverdueConnections();
		}
		if (this.acceptRetryAt != 0 && this.turnNanos - this.acceptRetryAt >= 0) {
			this.acceptRetryAt = 0;
			setAcceptInterest(SelectionKey.OP_ACCEPT);
		}
		flush();
		if (!this.tasks.isEmpty()) {
			selector.selectNow(this.onReady);
			return;
		}
		this.sleeping.set(true);
		if (this.tasks.isEmpty() && this.running) {
			selector.select(this.onReady, timeoutMillis());
		}
		else {
			selector.selectNow(this.onReady);
		}
		this.sleeping.set(false);
	}

	/**
	 * Returns how long the loop may block: until the next accept retry or idle sweep, or 0 for no limit
	 * (which is what {@link Selector#select(Consumer, long)} takes for "forever").
	 */
	private long timeoutMillis() {
		long now = System.nanoTime();
		long nanos = this.timers.nanosUntilDue(now, this.closingCount > 0);
		if (this.acceptRetryAt != 0) {
			long untilRetry = Math.max(0, this.acceptRetryAt - now);
			nanos = (nanos < 0) ? untilRetry : Math.min(nanos, untilRetry);
		}
		if (nanos < 0) {
			return 0;
		}
		return Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos));
	}

	private void onReady(SelectionKey key) {
		if (!key.isValid()) {
			return;
		}
		Object attachment = key.attachment();
		if (attachment instanceof NioConnection connection) {
			try {
				int ready = key.readyOps();
				if ((ready & SelectionKey.OP_WRITE) != 0 && connection.state != NioConnection.CLOSED) {
					writeOut(connection);
				}
				if ((ready & SelectionKey.OP_READ) != 0 && connection.state != NioConnection.CLOSED) {
					read(connection);
				}
			}
			catch (Throwable ex) {
				failedUnexpectedly(connection, "io", ex);
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
			if (!listener.tryAcquire()) {
				// Counted first: a peer that sees the close may look at the counter at once.
				this.listenerStats[listener.index()].countRejected();
				ListenerChannels.closeQuietly(channel);
				continue;
			}
			NioEventLoop target = this.acceptTargets.get(this.nextTarget);
			this.nextTarget = (this.nextTarget + 1) % this.acceptTargets.size();
			if (target == this) {
				adopt(listener, channel);
			}
			else {
				target.execute(() -> target.adopt(listener, channel));
			}
		}
	}

	private void acceptFailed(ListenerRuntime listener, IOException ex) {
		if (ex instanceof ClosedChannelException) {
			return;
		}
		this.stats.error("accept", SocketErrors.errorName(ex));
		// Out of descriptors (EMFILE, ENFILE) most likely: stop accepting for a moment instead of spinning.
		if (this.acceptRetryAt == 0) {
			logger.warn("NIO listener '{}' cannot accept: {}; retrying in 100 ms. If it says too many open files, "
					+ "raise the limit (ulimit -n) or lower max-connections", listener.name(), ex.getMessage());
		}
		this.acceptRetryAt = System.nanoTime() + ACCEPT_BACKOFF_NANOS;
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
		ListenerStats stats = this.listenerStats[listener.index()];
		NioConnection connection = new NioConnection(this, ((long) this.index << 48) | ++this.connectionSequence,
				listener, stats, channel, new SendQueue(this.pool));
		try {
			channel.configureBlocking(false);
			channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
			listener.applySocketOptions(channel, this.stats);
			connection.key = channel.register(this.selector, SelectionKey.OP_READ, connection);
			connection.interestOps = SelectionKey.OP_READ;
		}
		catch (IOException ex) {
			ListenerChannels.closeQuietly(channel);
			listener.release();
			this.stats.error("accept", SocketErrors.errorName(ex));
			return;
		}
		connection.position = this.connections.size();
		this.connections.add(connection);
		this.connectionCount++;
		stats.countAccepted();
		connection.lastActive = this.turnNanos;
		if (listener.settings().framing() != null) {
			connection.decoder = listener.settings().framing().newDecoder();
		}
		this.dispatcher.opened(connection);
		updateInterest(connection);
	}

	/** The loop's rate-limited log for connection trouble, shared with its dispatcher. */
	RateLimitedLog faultLog() {
		return this.faults.log();
	}

	/** The loop's clock: System.nanoTime() at the start of the current turn. Loop thread only. */
	long turnNanos() {
		return this.turnNanos;
	}

	// ---- read ----

	private static boolean wantsToRead(NioConnection connection) {
		return connection.lingering || (connection.state == NioConnection.OPEN && !connection.peerClosed
				&& !connection.inputEnded && !connection.unwritable && !connection.laneBacklogged);
	}

	private void read(NioConnection connection) {
		ByteBuffer buffer = this.readBuffer;
		for (int i = 0; i < MAX_READS_PER_TURN && wantsToRead(connection); i++) {
			buffer.clear();
			int n;
			try {
				n = connection.channel.read(buffer);
			}
			catch (IOException ex) {
				failed(connection, "recv", ex);
				return;
			}
			if (n < 0) {
				connection.peerClosed = true;
				if (connection.lingering) {
					closeNow(connection, connection.closeReason);
					return;
				}
				closeAfterFlush(connection, CloseReason.PEER_CLOSED);
				break;
			}
			if (n == 0) {
				break;
			}
			if (connection.lingering) {
				// Closing: what still arrives is discarded, and pushes the quiet deadline.
				connection.closeDeadline.peerSent(this.turnNanos);
				continue;
			}
			connection.stats.countReceived(n);
			connection.lastActive = this.turnNanos;
			this.dispatcher.received(connection, this.view.point(this.readSegment, 0, n));
			if (n < buffer.capacity()) {
				break;
			}
		}
		updateInterest(connection);
	}

	/**
	 * Gives the connection's key the interest its state asks for, touching the key only on a change.
	 */
	void updateInterest(NioConnection connection) {
		if (connection.state == NioConnection.CLOSED) {
			return;
		}
		int ops = (wantsToRead(connection) ? SelectionKey.OP_READ : 0)
				| (connection.waitingForSocket ? SelectionKey.OP_WRITE : 0);
		if (ops != connection.interestOps) {
			connection.interestOps = ops;
			connection.key.interestOps(ops);
		}
	}

	// ---- write ----

	void write(NioConnection connection, MemorySegment source, long offset, int length) {
		write(connection, this.scratch.point(source, offset, length));
	}

	void write(NioConnection connection, Bytes data) {
		if (connection.state != NioConnection.OPEN || connection.outputShutdownRequested || data.isEmpty()) {
			return;
		}
		if (this.faults.overflows(connection, connection.sendQueue.bytes(), data.length())) {
			closeNow(connection, CloseReason.OUTBOUND_OVERFLOW);
			return;
		}
		connection.sendQueue.append(data);
		connection.queuedBytesChanged();
		if (!connection.inFlushList) {
			connection.inFlushList = true;
			if (this.flushCount == this.flushList.length) {
				this.flushList = Arrays.copyOf(this.flushList, this.flushCount * 2);
			}
			this.flushList[this.flushCount++] = connection;
		}
		if (!connection.unwritable && connection.sendQueue.bytes() > this.settings.writeHighWaterMark()) {
			connection.unwritable = true;
			connection.publishWritable(false);
			updateInterest(connection);
			this.dispatcher.writabilityChanged(connection, false);
		}
	}

	/**
	 * Writes out every connection written to since the last turn, unless it waits for its socket (then
	 * OP_WRITE brings it back). Handlers called from here may write again: those connections are
	 * appended and handled in the same pass.
	 */
	private void flush() {
		for (int i = 0; i < this.flushCount; i++) {
			NioConnection connection = this.flushList[i];
			this.flushList[i] = null;
			connection.inFlushList = false;
			if (connection.state != NioConnection.CLOSED && !connection.waitingForSocket
					&& !connection.sendQueue.isEmpty()) {
				writeOut(connection);
			}
		}
		this.flushCount = 0;
	}

	private void writeOut(NioConnection connection) {
		SendQueue queue = connection.sendQueue;
		long sent = 0;
		try {
			while (!queue.isEmpty()) {
				long n = queue.writeTo(connection.channel, this.gather);
				if (n == 0) {
					break;
				}
				sent += n;
			}
		}
		catch (IOException ex) {
			failed(connection, "send", ex);
			return;
		}
		if (sent > 0) {
			connection.queuedBytesChanged();
			connection.stats.countSent(sent);
			connection.lastActive = this.turnNanos;
		}
		connection.waitingForSocket = !queue.isEmpty();
		if (queue.isEmpty()) {
			if (connection.state == NioConnection.CLOSING) {
				if (!connection.lingering) {
					finishClosing(connection, connection.closeReason);
				}
				return;
			}
			if (connection.outputShutdownRequested) {
				shutdownOutputNow(connection);
			}
		}
		if (connection.unwritable && queue.bytes() <= this.settings.writeLowWaterMark()) {
			connection.unwritable = false;
			connection.publishWritable(true);
			this.dispatcher.writabilityChanged(connection, true);
		}
		updateInterest(connection);
	}

	// ---- half-close and close ----

	void shutdownOutput(NioConnection connection) {
		if (connection.state != NioConnection.OPEN || connection.outputShutdownRequested) {
			return;
		}
		connection.outputShutdownRequested = true;
		if (connection.sendQueue.isEmpty()) {
			shutdownOutputNow(connection);
		}
	}

	private void shutdownOutputNow(NioConnection connection) {
		if (connection.outputShutDown) {
			return;
		}
		connection.outputShutDown = true;
		try {
			connection.channel.shutdownOutput();
		}
		catch (IOException ex) {
			failed(connection, "shutdown", ex);
		}
	}

	void closeAfterFlush(NioConnection connection, CloseReason reason) {
		if (connection.state != NioConnection.OPEN) {
			return;
		}
		if (connection.sendQueue.isEmpty()) {
			finishClosing(connection, reason);
			return;
		}
		connection.state = NioConnection.CLOSING;
		connection.closeReason = reason;
		if (connection.closeDeadline.startSending(this.turnNanos)) {
			this.closingCount++;
		}
		updateInterest(connection);
	}

	/**
	 * Closes a connection whose queued bytes are all written. If the peer has not ended its stream this
	 * is a lingering close: shut down our sending side (the peer reads the rest, then end of stream) and
	 * discard what still arrives until the peer closes or stays quiet for a while. Closing the channel at
	 * once would make the kernel answer unread or late bytes with a reset, which discards the reply bytes
	 * the peer has not read yet.
	 */
	private void finishClosing(NioConnection connection, CloseReason reason) {
		if (connection.peerClosed || connection.lingering) {
			closeNow(connection, reason);
			return;
		}
		connection.state = NioConnection.CLOSING;
		connection.closeReason = reason;
		connection.lingering = true;
		if (connection.closeDeadline.startLingering(this.turnNanos)) {
			this.closingCount++;
		}
		try {
			connection.channel.shutdownOutput();
			connection.outputShutDown = true;
		}
		catch (IOException ex) {
			closeNow(connection, reason);
			return;
		}
		updateInterest(connection);
	}

	/**
	 * Contains a failure while serving one connection: it closes that connection only (as reset if the
	 * peer caused it), and the loop goes on. A fatal error is thrown on and ends the loop.
	 */
	void failedUnexpectedly(NioConnection connection, String op, Throwable failure) {
		boolean peerGone = this.faults.contain(connection, op, failure);
		try {
			closeNow(connection, peerGone ? CloseReason.RESET : CloseReason.INTERNAL_ERROR);
		}
		catch (Throwable ex) {
			Failures.rethrowIfFatal(ex);
			this.faults.log().warn("Closing {} failed too", connection, ex);
		}
	}

	void closeAfterHandlerError(NioConnection connection, Throwable error) {
		if (connection.state != NioConnection.CLOSED) {
			this.stats.error("handler", error.getClass().getSimpleName());
			closeNow(connection, CloseReason.HANDLER_ERROR);
		}
	}

	private void failed(NioConnection connection, String op, IOException ex) {
		CloseReason reason = SocketErrors.closeReason(ex);
		if (reason == CloseReason.IO_ERROR) {
			this.stats.error(op, SocketErrors.errorName(ex));
			logger.debug("{} failed: {}", op, ex.toString());
		}
		closeNow(connection, reason);
	}

	void closeNow(NioConnection connection, CloseReason reason) {
		if (connection.state == NioConnection.CLOSED) {
			return;
		}
		connection.state = NioConnection.CLOSED;
		connection.lingering = false;
		if (connection.closeDeadline.end()) {
			this.closingCount--;
		}
		connection.markClosed();
		connection.sendQueue.close();
		connection.queuedBytesChanged();
		if (connection.decoder != null) {
			connection.decoder.release();
		}
		remove(connection);
		this.connectionCount--;
		connection.listener.release();
		connection.stats.countClose(reason);
		// Closing the channel cancels its key; the descriptor goes at the selector's next select.
		ListenerChannels.closeQuietly(connection.channel);
		this.dispatcher.closed(connection, reason);
		drainedIfIdle();
	}

	private void remove(NioConnection connection) {
		NioConnection last = this.connections.removeLast();
		if (last != connection) {
			last.position = connection.position;
			this.connections.set(connection.position, last);
		}
	}

	/**
	 * Closes the connections whose deadline passed: a close that waited too long for its peer, an idle
	 * connection, or a frame that takes too long to arrive (the answers to earlier frames are sent first).
	 */
	private void closeOverdueConnections() {
		for (int i = this.connections.size() - 1; i >= 0; i--) {
			if (i >= this.connections.size()) {
				// An onClose handler closed others too: look again at the next sweep.
				continue;
			}
			NioConnection connection = this.connections.get(i);
			switch (this.timers.due(connection.listener.index(), connection.closeDeadline, connection.lastActive,
					connection.frameStarted, this.turnNanos)) {
				case CLOSE -> closeNow(connection, connection.closeReason);
				case IDLE -> closeNow(connection, CloseReason.IDLE_TIMEOUT);
				case FRAME -> {
					this.faults.log().info("Closing {}: a frame did not finish within the frame timeout", connection);
					connection.inputEnded = true;
					closeAfterFlush(connection, CloseReason.FRAME_TIMEOUT);
				}
				case NOTHING -> {
				}
			}
		}
	}

	private void closeListeners() {
		for (int i = 0; i < this.listenChannels.length; i++) {
			ListenerChannels.closeQuietly(this.listenChannels[i]);
			this.listenChannels[i] = null;
		}
	}

	/**
	 * Closes every listener and connection, then runs the tasks still queued: a connection another loop
	 * handed over meanwhile is closed by {@link #adopt} because the loop no longer runs.
	 */
	/** NIO channels close the same way whether the loop stopped or failed. */
	@Override
	protected void abandonConnections() {
		closeEverything();
	}

	@Override
	protected void closeEverything() {
		this.running = false;
		try {
			closeListeners();
			for (NioConnection connection : this.connections.toArray(NioConnection[]::new)) {
				closeNow(connection, CloseReason.SERVER_STOPPED);
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
		if (this.pool != null) {
			this.pool.release();
			this.pool = null;
		}
		NativeMemory.released(this.reservedReadBytes);
		this.reservedReadBytes = 0;
		this.readBuffer = null;
		this.readSegment = MemorySegment.NULL;
	}

}
