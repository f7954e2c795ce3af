package dev.iouring.server;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.iouring.ring.BufferRing;
import dev.iouring.ring.CompletionHandler;
import dev.iouring.ring.CompletionQueue;
import dev.iouring.ring.Cqe;
import dev.iouring.ring.Errno;
import dev.iouring.ring.EventFd;
import dev.iouring.ring.NativeCallException;
import dev.iouring.ring.Ring;
import dev.iouring.ring.SetupFlags;
import dev.iouring.ring.SocketStructs;
import dev.iouring.ring.Sockets;
import dev.iouring.ring.SubmissionQueue;
import dev.iouring.server.codec.FrameSink;
import dev.iouring.server.codec.FramingException;

/**
 * One event-loop thread: it owns one ring, one provided-buffer ring, one listening socket per listener
 * (all loops bind the same port with SO_REUSEPORT), and every connection accepted on them.
 *
 * <p>A turn: run tasks from other threads, queue one send per connection with pending bytes, re-arm
 * starved receives, then one io_uring_enter that submits everything and waits for a completion (unless
 * work is already waiting), then dispatch every completion. Nothing in a turn takes a lock, and the
 * receive-and-echo path allocates nothing.
 *
 * <p>Wake-up from other threads: the loop keeps a read of an eventfd armed. Before it blocks it sets
 * {@code sleeping} and re-checks the task queue; a producer enqueues, then signals the eventfd only if it
 * flips {@code sleeping} from true to false. Either the loop sees the task before blocking, or the
 * producer sees the loop asleep and wakes it: no task waits for an unrelated completion.
 */
final class EventLoop extends AbstractServerLoop implements CompletionHandler {

	private static final Logger logger = LoggerFactory.getLogger(EventLoop.class);

	/** MSG_NOSIGNAL (include/linux/socket.h): a send to a closed peer returns EPIPE instead of SIGPIPE. */
	private static final int MSG_NOSIGNAL = 0x4000;

	/** Buffer group id of every loop's buffer ring (each ring has its own group namespace). */
	private static final int BUFFER_GROUP = 0;

	/** Chunks gathered into one sendmsg: 16 x 16 KiB = 256 KiB per send. */
	private static final int MAX_IOVECS = 16;




	/** How long accept stays disarmed after EMFILE/ENFILE before it is tried again. */
	private static final long ACCEPT_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);




	/** How long a stopping loop waits for the kernel to finish cancelled requests. */
	private static final long STOP_DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(5);

	private final Bytes view = new Bytes();

	private volatile @Nullable EventFd eventFd;

	// ---- loop thread only ----

	private @Nullable Ring ring;

	/** The ring's queues, kept at hand for the hot path. */
	private @Nullable SubmissionQueue sq;

	private @Nullable CompletionQueue cq;

	private @Nullable BufferRing buffers;

	private @Nullable Arena arena;

	private @Nullable ChunkPool pool;

	private MemorySegment wakeBuffer = MemorySegment.NULL;

	private boolean wakeArmed;

	/** A TIMEOUT request is pending: the loop's timer for idle sweeps and accept retries. */
	private boolean timerArmed;

	private int[] listenFds;

	private boolean[] acceptArmed;

	private long acceptRetryAt;

	/** Turns that ended with completions waiting in the kernel's CQ overflow list. */
	private long overflowTurns;

	/** Accept failed with EMFILE/ENFILE and has not succeeded since: warn once per episode, not per retry. */
	private boolean acceptOutOfDescriptors;

	private UringConnection[] slots = new UringConnection[64];

	private int[] generations = new int[64];

	private MemorySegment[] slotMessages = new MemorySegment[64];

	private int[] freeSlots = new int[64];

	private int freeSlotCount;

	private int slotsUsed;

	private UringConnection[] flushList = new UringConnection[64];

	private int flushCount;

	private final ArrayDeque<UringConnection> starved = new ArrayDeque<>();

	/** Receive buffers held back by unwritable connections, across the loop. */
	private int heldTotal;

	/** The most buffers the loop lets unwritable connections hold: a quarter of the ring. */
	private final int holdLimit;

	private long connectionSequence;

	/** System.nanoTime() at the start of the current turn: the clock for idle timeouts. */
	private long turnNanos = System.nanoTime();

	/** Idle, frame and close deadlines, found by a sweep rather than a timer per connection. */
	private final ConnectionTimers timers;

	/** Connections closing with a deadline: sending what is queued, or lingering. */
	private int closingCount;

	EventLoop(int index, ServerSettings settings, ListenerRuntime[] listeners, String threadName) {
		super("io_uring", index, settings, listeners, threadName);
		this.listenFds = new int[listeners.length];
		Arrays.fill(this.listenFds, -1);
		this.acceptArmed = new boolean[listeners.length];
		this.timers = new ConnectionTimers(listeners);
		this.holdLimit = Math.max(1, settings.bufferCount() / 4);
	}

	// ---- life cycle (called by IoUringServer) ----

	@Override
	protected void startDrain() {
		closeListeners();
		for (int slot = 0; slot < this.slotsUsed; slot++) {
			UringConnection connection = this.slots[slot];
			if (connection != null && connection.state == UringConnection.OPEN) {
				closeAfterFlush(connection, CloseReason.SERVER_STOPPED);
			}
		}
	}

	@Override
	protected void closeListenSockets() {
		for (int i = 0; i < this.listenFds.length; i++) {
			if (this.listenFds[i] >= 0) {
				Sockets.close(this.listenFds[i]);
				this.listenFds[i] = -1;
			}
		}
	}

	@Override
	protected void signalWakeup() {
		EventFd fd = this.eventFd;
		if (fd != null) {
			fd.signal();
		}
	}

	// ---- the thread ----

	@Override
	protected void open() {
		// Load the classes of the error and close paths now: loading a class from a directory needs a
		// descriptor, and a loop out of descriptors (EMFILE) must still be able to count it and close.
		Errno.name(Errno.EMFILE);
		CloseReason.values();
		// Link the close downcall now (closing no descriptor): the first call spins code, which a loop
		// that failed out of memory could not do, and it must still close its listening sockets.
		Sockets.close(-1);
		Ring ring = Ring.create(this.settings.ring());
		this.ring = ring;
		this.sq = ring.sq();
		this.cq = ring.cq();
		this.arena = Arena.ofConfined();
		this.pool = new ChunkPool();
		this.buffers = BufferRing.register(ring, BUFFER_GROUP, this.settings.bufferCount(), this.settings.bufferSize());
		this.stats.describe(String.join("|", SetupFlags.names(ring.setupFlags())), ring.sqEntries(),
				ring.cqEntries(), this.settings.bufferCount(), this.settings.bufferSize());
		this.eventFd = EventFd.create();
		this.wakeBuffer = this.arena.allocate(8, 8);
		armWakeup();
		for (ListenerRuntime listener : this.listeners) {
			this.listenFds[listener.index] = bind(listener);
			armAccept(listener.index);
		}
		ring.submit();
		// Publish once now: a loop that has served nobody yet must not report zero buffers available.
		publishStats(ring);
	}

	private int bind(ListenerRuntime listener) {
		int port = (listener.boundPort >= 0) ? listener.boundPort : listener.settings.port();
		InetAddress address = listener.settings.address();
		int fd;
		try {
			if (address == null) {
				fd = bindAnyAddress(port, listener.settings.backlog());
			}
			else {
				fd = Sockets.openListener(new InetSocketAddress(address, port), listener.settings.backlog());
			}
		}
		catch (NativeCallException ex) {
			if (ex.errno() == Errno.EADDRINUSE) {
				throw new PortInUseException(listener.name(), port, ex);
			}
			throw ex;
		}
		if (listener.boundPort < 0) {
			listener.boundPort = Sockets.localAddress(fd).getPort();
		}
		return fd;
	}

	private static int bindAnyAddress(int port, int backlog) {
		try {
			return Sockets.openListener(new InetSocketAddress(Inet6Address.getByName("::"), port), backlog);
		}
		catch (NativeCallException ex) {
			if (ex.errno() != Errno.EAFNOSUPPORT) {
				throw ex;
			}
		}
		catch (UnknownHostException ex) {
			throw new IllegalStateException(ex);
		}
		return Sockets.openListener(new InetSocketAddress(port), backlog);
	}

	@Override
	protected void turn() {
		Ring ring = this.ring;
		this.turnNanos = System.nanoTime();
		runTasks();
		if (this.timers.isDue(this.turnNanos, this.closingCount > 0)) {
			closeOverdueConnections();
		}
		if (this.acceptRetryAt != 0 && System.nanoTime() - this.acceptRetryAt >= 0) {
			this.acceptRetryAt = 0;
			for (int i = 0; i < this.listeners.length; i++) {
				armAccept(i);
			}
		}
		flush();
		rearmStarved();
		boolean block = this.tasks.isEmpty() && this.cq.ready() == 0;
		if (block) {
			this.sleeping.set(true);
			if (!this.tasks.isEmpty()) {
				block = false;
				this.sleeping.set(false);
			}
		}
		if (block) {
			armTimer();
			ring.submitAndWait(1, -1);
			this.sleeping.set(false);
		}
		else if (this.sq.pending() > 0 || this.cq.ready() == 0) {
			ring.submitAndWait(0, 0);
		}
		this.cq.reap(this);
		publishStats(ring);
	}

	/**
	 * Arms the loop's timer when something is due later (an accept retry or an idle sweep) and no timer
	 * is pending. Waits themselves are never timed; see {@link SubmissionQueue#prepTimeout}.
	 */
	private void armTimer() {
		if (!this.timerArmed) {
			long timeout = nextTimeout();
			if (timeout >= 0) {
				this.sq.prepTimeout(Math.max(timeout, 1_000_000L), UserData.encode(UserData.TIMER, 0, 0));
				this.timerArmed = true;
			}
		}
	}

	/**
	 * Returns how long the loop may block: until the next accept retry or idle sweep, or forever.
	 */
	private long nextTimeout() {
		long now = System.nanoTime();
		long timeout = -1;
		if (this.acceptRetryAt != 0) {
			timeout = Math.max(0, this.acceptRetryAt - now);
		}
		long untilSweep = this.timers.nanosUntilDue(now, this.closingCount > 0);
		if (untilSweep >= 0) {
			timeout = (timeout < 0) ? untilSweep : Math.min(timeout, untilSweep);
		}
		return timeout;
	}

	/**
	 * Closes the connections whose deadline passed: a close that waited too long for its peer, an idle
	 * connection, or a frame that takes too long to arrive (the answers to earlier frames are sent first).
	 */
	private void closeOverdueConnections() {
		for (int slot = 0; slot < this.slotsUsed; slot++) {
			UringConnection connection = this.slots[slot];
			if (connection == null || connection.state == UringConnection.CLOSED) {
				continue;
			}
			switch (this.timers.due(connection.listener.index, connection.closeDeadline, connection.lastActive,
					connection.frameStarted, this.turnNanos)) {
				case CLOSE -> {
					if (peerHasEverything(connection)) {
						closeNow(connection, connection.closeReason);
					}
				}
				case IDLE -> closeNow(connection, CloseReason.IDLE_TIMEOUT);
				case FRAME -> frameTimedOut(connection);
				case NOTHING -> {
				}
			}
		}
	}

	/**
	 * Whether a lingering connection whose peer went quiet may be closed now: only once the peer's kernel
	 * has acknowledged every byte sent (or the close's hard deadline passed). A peer slow to read still
	 * holds part of the reply in our send queue; if it sends again as the socket closes, the kernel
	 * answers with a reset and discards that part.
	 */
	private boolean peerHasEverything(UringConnection connection) {
		if (!connection.lingering || connection.closeDeadline.isPastLimit(this.turnNanos)) {
			return true;
		}
		if (Sockets.unacknowledgedBytes(connection.fd) > 0) {
			connection.closeDeadline.peerSent(this.turnNanos);
			return false;
		}
		return true;
	}

	private void frameTimedOut(UringConnection connection) {
		this.faults.log().info("Closing {}: a frame did not finish within the frame timeout", connection);
		connection.inputEnded = true;
		closeAfterFlush(connection, CloseReason.FRAME_TIMEOUT);
	}

	private void publishStats(Ring ring) {
		LoopStats stats = this.stats;
		stats.enters.add(ring.enters() - stats.enters.get());
		stats.submissions.add(ring.submissions() - stats.submissions.get());
		stats.completions.add(ring.completions() - stats.completions.get());
		stats.sqPending.add(this.sq.pending() - stats.sqPending.get());
		// The kernel's cq_off.overflow counts only completions it dropped, which FEAT_NODROP kernels never
		// do: they park what does not fit in an overflow list and raise IORING_SQ_CQ_OVERFLOW until the next
		// enter flushes it. So count the turns that found that flag too, or overflow would stay invisible.
		if (this.sq.hasOverflowedCompletions()) {
			this.overflowTurns++;
		}
		stats.cqOverflow.add(this.cq.overflow() + this.overflowTurns - stats.cqOverflow.get());
		stats.buffersAvailable.add(this.buffers.available() - stats.buffersAvailable.get());
	}

	// ---- completions ----

	@Override
	public void onCompletion(long userData, int res, int flags) {
		int op = UserData.op(userData);
		switch (op) {
			case UserData.ACCEPT -> {
				try {
					onAccept(UserData.slot(userData), res, flags);
				}
				catch (Throwable ex) {
					this.faults.contain("listener " + UserData.slot(userData), "accept", ex);
				}
			}
			case UserData.WAKEUP -> onWakeup(res);
			case UserData.TIMER -> this.timerArmed = false;
			case UserData.LISTENER_CANCEL -> {
			}
			default -> {
				UringConnection connection = connection(userData);
				if (connection == null) {
					onStale(op, res, flags);
					return;
				}
				try {
					switch (op) {
						case UserData.RECV -> onRecv(connection, res, flags);
						case UserData.SEND -> onSend(connection, res);
						case UserData.CANCEL -> connection.pendingOps--;
						default -> this.stats.error("unknown-op", Integer.toString(op));
					}
				}
				catch (Throwable ex) {
					failed(connection, UserData.opName(op), ex);
				}
				releaseIfDone(connection);
			}
		}
	}

	/**
	 * Contains a failure while serving one connection: it closes that connection only (as reset if the
	 * peer caused it), and the loop goes on. A fatal error is thrown on and ends the loop.
	 */
	private void failed(UringConnection connection, String op, Throwable failure) {
		boolean peerGone = this.faults.contain(connection, op, failure);
		try {
			closeNow(connection, peerGone ? CloseReason.RESET : CloseReason.INTERNAL_ERROR);
		}
		catch (Throwable ex) {
			Failures.rethrowIfFatal(ex);
			this.faults.log().warn("Closing {} failed too", connection, ex);
		}
	}

	private @Nullable UringConnection connection(long userData) {
		int slot = UserData.slot(userData);
		if (slot < 0 || slot >= this.slotsUsed) {
			return null;
		}
		UringConnection connection = this.slots[slot];
		return (connection != null && connection.generation == UserData.generation(userData)) ? connection : null;
	}

	private void onStale(int op, int res, int flags) {
		// Cannot happen while slots are freed only after their last completion; if it does, keep the
		// buffer ring whole and say so.
		if (Cqe.hasBuffer(flags)) {
			int bid = Cqe.bufferId(flags);
			this.buffers.taken(bid);
			this.buffers.recycle(bid);
		}
		this.stats.error(UserData.opName(op), "stale-completion");
	}

	private void onWakeup(int res) {
		this.wakeArmed = false;
		if (this.running) {
			armWakeup();
		}
	}

	private void armWakeup() {
		this.sq.prepRead(this.eventFd.fd(), this.wakeBuffer.address(), 8, UserData.encode(UserData.WAKEUP, 0, 0));
		this.wakeArmed = true;
	}

	// ---- accept ----

	private void armAccept(int listenerIndex) {
		int fd = this.listenFds[listenerIndex];
		if (fd < 0 || this.acceptArmed[listenerIndex] || this.draining || !this.running) {
			return;
		}
		this.sq.prepMultishotAccept(fd, Sockets.SOCK_CLOEXEC, UserData.encode(UserData.ACCEPT, listenerIndex, 0));
		this.acceptArmed[listenerIndex] = true;
	}

	private void onAccept(int listenerIndex, int res, int flags) {
		if (!Cqe.hasMore(flags)) {
			this.acceptArmed[listenerIndex] = false;
		}
		ListenerRuntime listener = this.listeners[listenerIndex];
		if (res >= 0) {
			if (this.acceptOutOfDescriptors) {
				this.acceptOutOfDescriptors = false;
				logger.info("io_uring listener '{}' accepts again", listener.name());
			}
			if (this.draining || !this.running) {
				Sockets.close(res);
			}
			else if (!listener.tryAcquire()) {
				this.listenerStats[listenerIndex].countRejected();
				Sockets.close(res);
			}
			else {
				openConnection(listener, res);
			}
		}
		else if (res != -Errno.ECANCELED) {
			this.stats.error("accept", Errno.name(res));
			if (res == -Errno.EMFILE || res == -Errno.ENFILE) {
				// Out of descriptors: stop accepting for a moment instead of spinning on failures.
				if (!this.acceptOutOfDescriptors) {
					this.acceptOutOfDescriptors = true;
					logger.warn("io_uring listener '{}' cannot accept: {} (too many open files); retrying in 100 ms. "
							+ "Raise the limit (ulimit -n) or lower max-connections", listener.name(), Errno.name(res));
				}
				this.acceptRetryAt = System.nanoTime() + ACCEPT_BACKOFF_NANOS;
				return;
			}
		}
		if (!this.acceptArmed[listenerIndex] && this.acceptRetryAt == 0) {
			armAccept(listenerIndex);
		}
	}

	private void openConnection(ListenerRuntime listener, int fd) {
		listener.socketOptions.apply(fd, this.stats);
		int slot = allocateSlot();
		int generation = (this.generations[slot] + 1) & UserData.GENERATION_MASK;
		this.generations[slot] = generation;
		long id = ((long) this.index << 48) | ++this.connectionSequence;
		ListenerStats stats = this.listenerStats[listener.index];
		UringConnection connection = new UringConnection(this, slot, generation, id, fd, listener, stats,
				new OutboundQueue(this.pool));
		this.slots[slot] = connection;
		connection.lastActive = this.turnNanos;
		this.connectionCount++;
		stats.countAccepted();
		if (listener.settings.framing() != null) {
			connection.decoder = listener.settings.framing().newDecoder();
		}
		TcpHandler handler = listener.settings.handler();
		if (listener.settings.handlerExecution() == HandlerExecution.VIRTUAL_THREADS) {
			connection.lane = new VirtualThreadLane(listener.name() + "-connection-" + id);
			connection.lane.submit(() -> runHandler(connection, () -> handler.onOpen(connection)));
		}
		else {
			try {
				handler.onOpen(connection);
			}
			catch (Throwable ex) {
				handlerFailed(connection, ex);
			}
		}
		if (connection.state == UringConnection.OPEN) {
			armRecv(connection);
		}
		releaseIfDone(connection);
	}

	private int allocateSlot() {
		if (this.freeSlotCount > 0) {
			return this.freeSlots[--this.freeSlotCount];
		}
		if (this.slotsUsed == this.slots.length) {
			int size = this.slots.length * 2;
			this.slots = Arrays.copyOf(this.slots, size);
			this.generations = Arrays.copyOf(this.generations, size);
			this.slotMessages = Arrays.copyOf(this.slotMessages, size);
			this.freeSlots = Arrays.copyOf(this.freeSlots, size);
		}
		return this.slotsUsed++;
	}

	// ---- receive ----

	private void armRecv(UringConnection connection) {
		this.sq.prepMultishotRecv(connection.fd, BUFFER_GROUP, connection.recvUserData());
		connection.recvArmed = true;
		connection.recvCancelRequested = false;
		connection.pendingOps++;
	}

	private void onRecv(UringConnection connection, int res, int flags) {
		if (!Cqe.hasMore(flags)) {
			connection.recvArmed = false;
			connection.pendingOps--;
		}
		if (Cqe.hasBuffer(flags)) {
			int bid = Cqe.bufferId(flags);
			this.buffers.taken(bid);
			if (res > 0 && connection.state == UringConnection.OPEN
					&& (connection.heldCount > 0 || connection.unwritable)) {
				// Backpressure: keep the bytes in their ring buffer, undelivered, until the peer catches up.
				// Only while the loop can spare the buffers: past a quarter of the ring, what this connection
				// holds is delivered, in order, and these bytes after it (its queue overshoots the high water
				// mark by the rest of the receive burst), so slow peers can never starve the other
				// connections of buffers.
				if (this.heldTotal < this.holdLimit) {
					hold(connection, bid, res);
				}
				else {
					try {
						deliverAllHeld(connection);
						if (connection.state == UringConnection.OPEN) {
							deliver(connection, bid, res);
						}
					}
					finally {
						this.buffers.recycle(bid);
					}
				}
			}
			else {
				try {
					if (res > 0 && connection.state == UringConnection.OPEN) {
						deliver(connection, bid, res);
					}
				}
				finally {
					this.buffers.recycle(bid);
				}
			}
		}
		if (res > 0) {
			if (connection.lingering) {
				connection.closeDeadline.peerSent(this.turnNanos);
			}
			if (!connection.recvArmed) {
				rearmIfReading(connection);
			}
		}
		else if (res == 0) {
			connection.peerClosed = true;
			if (connection.lingering) {
				closeNow(connection, connection.closeReason);
			}
			else if (connection.heldCount == 0) {
				closeAfterFlush(connection, CloseReason.PEER_CLOSED);
			}
		}
		else if (res == -Errno.ENOBUFS) {
			this.stats.buffersExhausted.increment();
			if (!connection.starved && (connection.state == UringConnection.OPEN || connection.lingering)) {
				connection.starved = true;
				this.starved.add(connection);
			}
		}
		else if (res == -Errno.ECANCELED) {
			rearmIfReading(connection);
		}
		else if (res == -Errno.ECONNRESET || res == -Errno.EPIPE || res == -Errno.ETIMEDOUT) {
			closeNow(connection, CloseReason.RESET);
		}
		else {
			this.stats.error("recv", Errno.name(res));
			closeNow(connection, CloseReason.IO_ERROR);
		}
	}

	private static boolean wantsToRead(UringConnection connection) {
		return connection.lingering || (connection.state == UringConnection.OPEN && !connection.peerClosed
				&& !connection.inputEnded
				&& !connection.unwritable && !connection.laneBacklogged);
	}

	private void rearmIfReading(UringConnection connection) {
		if (!connection.recvArmed && wantsToRead(connection)) {
			armRecv(connection);
		}
	}

	private void rearmStarved() {
		// Re-arm at most as many starved receives as there are free buffers: re-arming all of them
		// whenever one buffer returns would make them fail with ENOBUFS again, a storm of completions.
		int budget = this.buffers.available();
		while (budget-- > 0 && !this.starved.isEmpty()) {
			UringConnection connection = this.starved.poll();
			connection.starved = false;
			rearmIfReading(connection);
		}
	}

	private void hold(UringConnection connection, int bid, int length) {
		this.heldTotal++;
		if (connection.heldCount == connection.held.length) {
			long[] larger = new long[Math.max(4, connection.held.length * 2)];
			for (int i = 0; i < connection.heldCount; i++) {
				larger[i] = connection.held[(connection.heldHead + i) % connection.held.length];
			}
			connection.held = larger;
			connection.heldHead = 0;
		}
		connection.held[(connection.heldHead + connection.heldCount) % connection.held.length] = ((long) bid << 32)
				| length;
		connection.heldCount++;
	}

	/**
	 * Delivers held buffers in order while the connection stays writable, then finishes a close the peer
	 * asked for while bytes were held.
	 */
	private void deliverHeld(UringConnection connection) {
		while (connection.heldCount > 0 && !connection.unwritable && connection.state == UringConnection.OPEN) {
			deliverOldestHeld(connection);
		}
		if (connection.heldCount == 0 && connection.peerClosed) {
			closeAfterFlush(connection, CloseReason.PEER_CLOSED);
		}
	}

	/**
	 * Delivers everything the connection holds, in order, writable or not (the loop needs the buffers).
	 */
	private void deliverAllHeld(UringConnection connection) {
		while (connection.heldCount > 0 && connection.state == UringConnection.OPEN) {
			deliverOldestHeld(connection);
		}
	}

	private void recycleHeld(UringConnection connection) {
		while (connection.heldCount > 0) {
			this.buffers.recycle((int) (popHeld(connection) >>> 32));
		}
	}

	private void deliverOldestHeld(UringConnection connection) {
		long entry = popHeld(connection);
		int bid = (int) (entry >>> 32);
		try {
			deliver(connection, bid, (int) entry);
		}
		finally {
			this.buffers.recycle(bid);
		}
	}

	/**
	 * Removes the oldest held buffer from the connection's queue.
	 * @return its entry: buffer id in the high 32 bits, length in the low 32
	 */
	private long popHeld(UringConnection connection) {
		long entry = connection.held[connection.heldHead];
		connection.heldHead = (connection.heldHead + 1) % connection.held.length;
		connection.heldCount--;
		this.heldTotal--;
		return entry;
	}

	private void deliver(UringConnection connection, int bid, int length) {
		if (connection.inputEnded) {
			return;
		}
		Bytes data = this.view.set(this.buffers.buffers(), this.buffers.offset(bid), length);
		connection.stats.bytesReceived.add(length);
		connection.lastActive = this.turnNanos;
		TcpHandler handler = connection.listener.settings.handler();
		try {
			if (connection.lane != null && connection.decoder == null) {
				connection.stats.framesReceived.increment();
				handOver(connection, data);
			}
			else if (connection.decoder == null) {
				connection.stats.framesReceived.increment();
				handler.onData(connection, data);
			}
			else {
				long frames = connection.frames;
				connection.decoder.decode(data, frameSink(connection));
				connection.frameStarted = ConnectionTimers.frameMark(connection.frameStarted,
						connection.frames != frames, connection.decoder.bufferedBytes(), this.turnNanos);
			}
		}
		catch (FramingException ex) {
			badFrame(connection, ex);
		}
		catch (Throwable ex) {
			handlerFailed(connection, ex);
		}
	}

	/**
	 * Bad input ends the connection, but loses nothing the handler already answered: reading stops, and
	 * the connection closes once what was written for the earlier frames is sent (after the lane has
	 * handled them, when there is one).
	 */
	private void badFrame(UringConnection connection, FramingException ex) {
		this.faults.log().info("Closing {} from {}: {}", connection, connection.remoteAddress(), ex.getMessage());
		connection.inputEnded = true;
		CloseReason reason = ex.reason();
		if (connection.lane == null) {
			closeAfterFlush(connection, reason);
			return;
		}
		cancelRecv(connection);
		connection.lane.submit(() -> execute(() -> closeAfterFlush(connection, reason)));
	}

	private FrameSink frameSink(UringConnection connection) {
		FrameSink sink = connection.sink;
		if (sink == null) {
			TcpHandler handler = connection.listener.settings.handler();
			sink = (frame) -> {
				if (connection.state == UringConnection.OPEN) {
					connection.frames++;
					connection.stats.framesReceived.increment();
					if (connection.lane != null) {
						handOver(connection, frame);
					}
					else {
						handler.onData(connection, frame);
					}
				}
			};
			connection.sink = sink;
		}
		return sink;
	}

	/**
	 * Copies received bytes (or a frame) and queues them for the handler on the connection's virtual-
	 * thread lane; stops reading while the lane is behind by more than the high water mark.
	 */
	private void handOver(UringConnection connection, Bytes data) {
		VirtualThreadLane lane = connection.lane;
		Bytes copy = data.copy();
		int length = copy.length();
		TcpHandler handler = connection.listener.settings.handler();
		if (lane.addPending(length) > this.settings.writeHighWaterMark() && !connection.laneBacklogged) {
			connection.laneBacklogged = true;
			cancelRecv(connection);
		}
		lane.submit(() -> {
			runHandler(connection, () -> handler.onData(connection, copy));
			long pending = lane.addPending(-length);
			if (pending <= this.settings.writeLowWaterMark() && pending + length > this.settings.writeLowWaterMark()) {
				execute(() -> {
					if (connection.laneBacklogged && lane.pendingBytes() <= this.settings.writeLowWaterMark()) {
						connection.laneBacklogged = false;
						rearmIfReading(connection);
					}
				});
			}
		});
	}

	/**
	 * Runs a handler callback on a lane; a failure is reported to onError on the lane, then the loop
	 * closes the connection.
	 */
	private void runHandler(UringConnection connection, Runnable callback) {
		try {
			callback.run();
		}
		catch (Throwable ex) {
			if (Failures.isFatal(ex)) {
				// Not the loop's thread, but the JVM is in doubt all the same: fail the loop.
				execute(() -> Failures.rethrowIfFatal(ex));
				return;
			}
			this.faults.log().warn("Handler of io_uring listener '{}' failed on {}; closing that connection",
					connection.listenerName(), connection, ex);
			try {
				connection.listener.settings.handler().onError(connection, ex);
			}
			catch (Throwable nested) {
				this.faults.log().warn("onError of {} failed too", connection, nested);
			}
			execute(() -> {
				this.stats.error("handler", ex.getClass().getSimpleName());
				closeNow(connection, CloseReason.HANDLER_ERROR);
			});
		}
	}

	private void handlerFailed(UringConnection connection, Throwable ex) {
		Failures.rethrowIfFatal(ex);
		this.faults.log().warn("Handler of io_uring listener '{}' failed on {}; closing that connection",
				connection.listenerName(), connection, ex);
		this.stats.error("handler", ex.getClass().getSimpleName());
		try {
			connection.listener.settings.handler().onError(connection, ex);
		}
		catch (Throwable nested) {
			Failures.rethrowIfFatal(nested);
			this.faults.log().warn("onError of {} failed too", connection, nested);
		}
		closeNow(connection, CloseReason.HANDLER_ERROR);
	}

	// ---- send ----

	void write(UringConnection connection, MemorySegment source, long offset, int length) {
		if (connection.state != UringConnection.OPEN || connection.outputShutdownRequested || length == 0) {
			return;
		}
		if (this.faults.overflows(connection, connection.outbound.bytes(), length)) {
			closeNow(connection, CloseReason.OUTBOUND_OVERFLOW);
			return;
		}
		connection.outbound.append(source, offset, length);
		written(connection);
	}

	void write(UringConnection connection, byte[] source, int offset, int length) {
		if (connection.state != UringConnection.OPEN || connection.outputShutdownRequested || length == 0) {
			return;
		}
		if (this.faults.overflows(connection, connection.outbound.bytes(), length)) {
			closeNow(connection, CloseReason.OUTBOUND_OVERFLOW);
			return;
		}
		connection.outbound.append(source, offset, length);
		written(connection);
	}

	private void written(UringConnection connection) {
		connection.queuedBytesChanged();
		if (!connection.inFlushList) {
			connection.inFlushList = true;
			if (this.flushCount == this.flushList.length) {
				this.flushList = Arrays.copyOf(this.flushList, this.flushCount * 2);
			}
			this.flushList[this.flushCount++] = connection;
		}
		if (!connection.unwritable && connection.outbound.bytes() > this.settings.writeHighWaterMark()) {
			connection.unwritable = true;
			connection.publishWritable(false);
			cancelRecv(connection);
			writabilityChanged(connection, false);
		}
	}

	private void flush() {
		for (int i = 0; i < this.flushCount; i++) {
			UringConnection connection = this.flushList[i];
			this.flushList[i] = null;
			connection.inFlushList = false;
			if (!connection.sendInFlight && connection.state != UringConnection.CLOSED
					&& !connection.outbound.isEmpty()) {
				try {
					send(connection);
				}
				catch (Throwable ex) {
					failed(connection, "send", ex);
				}
			}
		}
		this.flushCount = 0;
	}

	private void send(UringConnection connection) {
		OutboundQueue outbound = connection.outbound;
		long userData = connection.userData(UserData.SEND);
		if (outbound.chunkCount() == 1) {
			this.sq.prepSend(connection.fd, outbound.firstAddress(), outbound.firstLength(), MSG_NOSIGNAL, userData);
		}
		else {
			MemorySegment message = messageHeader(connection.slot);
			MemorySegment iovecs = message.asSlice(SocketStructs.MSGHDR_SIZE);
			int count = outbound.prepareIovecs(iovecs, MAX_IOVECS);
			message.set(ValueLayout.JAVA_LONG, SocketStructs.MSGHDR_IOVLEN, count);
			this.sq.prepSendmsg(connection.fd, message.address(), MSG_NOSIGNAL, userData);
		}
		connection.sendInFlight = true;
		connection.pendingOps++;
	}

	/**
	 * Returns the slot's native msghdr followed by its iovec array, allocated on first use and reused
	 * by every connection that later holds the slot.
	 */
	private MemorySegment messageHeader(int slot) {
		MemorySegment message = this.slotMessages[slot];
		if (message == null) {
			message = this.arena.allocate(SocketStructs.MSGHDR_SIZE + MAX_IOVECS * SocketStructs.IOVEC_SIZE, 8);
			message.set(ValueLayout.JAVA_LONG, SocketStructs.MSGHDR_IOV, message.address() + SocketStructs.MSGHDR_SIZE);
			this.slotMessages[slot] = message;
		}
		return message;
	}

	private void onSend(UringConnection connection, int res) {
		connection.sendInFlight = false;
		connection.pendingOps--;
		if (connection.state == UringConnection.CLOSED) {
			return;
		}
		if (res >= 0) {
			connection.outbound.advance(res);
			connection.queuedBytesChanged();
			connection.stats.bytesSent.add(res);
			connection.lastActive = this.turnNanos;
			if (!connection.outbound.isEmpty()) {
				send(connection);
			}
			else if (connection.state == UringConnection.CLOSING) {
				finishClosing(connection, connection.closeReason);
				return;
			}
			else if (connection.outputShutdownRequested) {
				Sockets.shutdown(connection.fd, Sockets.SHUT_WR);
			}
			if (connection.unwritable && connection.outbound.bytes() <= this.settings.writeLowWaterMark()) {
				connection.unwritable = false;
				connection.publishWritable(true);
				writabilityChanged(connection, true);
				deliverHeld(connection);
				rearmIfReading(connection);
			}
		}
		else if (res == -Errno.EPIPE || res == -Errno.ECONNRESET || res == -Errno.ETIMEDOUT) {
			closeNow(connection, CloseReason.RESET);
		}
		else {
			this.stats.error("send", Errno.name(res));
			closeNow(connection, CloseReason.IO_ERROR);
		}
	}

	// ---- backpressure and close ----

	private void writabilityChanged(UringConnection connection, boolean writable) {
		TcpHandler handler = connection.listener.settings.handler();
		if (connection.lane != null) {
			connection.lane.submit(() -> runHandler(connection, () -> handler.onWritabilityChanged(connection, writable)));
			return;
		}
		try {
			handler.onWritabilityChanged(connection, writable);
		}
		catch (Throwable ex) {
			handlerFailed(connection, ex);
		}
	}

	void shutdownOutput(UringConnection connection) {
		if (connection.state != UringConnection.OPEN || connection.outputShutdownRequested) {
			return;
		}
		connection.outputShutdownRequested = true;
		if (connection.outbound.isEmpty() && !connection.sendInFlight) {
			Sockets.shutdown(connection.fd, Sockets.SHUT_WR);
		}
	}

	private void cancelRecv(UringConnection connection) {
		if (connection.recvArmed && !connection.recvCancelRequested) {
			connection.recvCancelRequested = true;
			this.sq.prepCancel(connection.recvUserData(), connection.userData(UserData.CANCEL));
			connection.pendingOps++;
		}
	}

	void closeAfterFlush(UringConnection connection, CloseReason reason) {
		if (connection.state != UringConnection.OPEN) {
			return;
		}
		if (connection.outbound.isEmpty() && !connection.sendInFlight) {
			finishClosing(connection, reason);
			return;
		}
		connection.state = UringConnection.CLOSING;
		connection.closeReason = reason;
		if (connection.closeDeadline.startSending(this.turnNanos)) {
			this.closingCount++;
		}
		cancelRecv(connection);
	}

	/**
	 * Closes a connection whose pending bytes are all handed to the kernel. If the peer has not ended its
	 * stream, this is a lingering close: shut down our sending side (the peer reads the rest, then end of
	 * stream) and discard what still arrives until the peer closes or stays quiet for a while. Closing
	 * the socket at once would make the kernel answer any unread or late bytes with a reset, which
	 * discards the reply bytes the peer has not read yet.
	 */
	private void finishClosing(UringConnection connection, CloseReason reason) {
		if (connection.peerClosed || connection.lingering) {
			closeNow(connection, reason);
			return;
		}
		connection.state = UringConnection.CLOSING;
		connection.closeReason = reason;
		connection.lingering = true;
		if (connection.closeDeadline.startLingering(this.turnNanos)) {
			this.closingCount++;
		}
		recycleHeld(connection);
		Sockets.shutdown(connection.fd, Sockets.SHUT_WR);
		rearmIfReading(connection);
	}

	void closeNow(UringConnection connection, CloseReason reason) {
		if (connection.state == UringConnection.CLOSED) {
			return;
		}
		connection.state = UringConnection.CLOSED;
		connection.lingering = false;
		if (connection.closeDeadline.end()) {
			this.closingCount--;
		}
		connection.markClosed();
		connection.outbound.clear();
		connection.queuedBytesChanged();
		recycleHeld(connection);
		if (connection.decoder != null) {
			connection.decoder.release();
		}
		this.connectionCount--;
		connection.listener.release();
		connection.stats.countClose(reason);
		if (connection.recvArmed || connection.sendInFlight) {
			this.sq.prepCancelFd(connection.fd, connection.userData(UserData.CANCEL));
			connection.pendingOps++;
		}
		TcpHandler handler = connection.listener.settings.handler();
		if (connection.lane != null) {
			connection.lane.submit(() -> {
				try {
					handler.onClose(connection, reason);
				}
				catch (Throwable ex) {
					Failures.rethrowIfFatal(ex);
					this.faults.log().warn("onClose of {} failed", connection, ex);
				}
			});
		}
		else {
			try {
				handler.onClose(connection, reason);
			}
			catch (Throwable ex) {
				Failures.rethrowIfFatal(ex);
				this.faults.log().warn("onClose of {} failed", connection, ex);
			}
		}
		releaseIfDone(connection);
	}

	private void releaseIfDone(UringConnection connection) {
		if (connection.state != UringConnection.CLOSED || connection.pendingOps > 0 || connection.fd < 0) {
			return;
		}
		Sockets.close(connection.fd);
		connection.fd = -1;
		this.slots[connection.slot] = null;
		this.freeSlots[this.freeSlotCount++] = connection.slot;
		drainedIfIdle();
	}

	private void closeListeners() {
		for (int i = 0; i < this.listenFds.length; i++) {
			int fd = this.listenFds[i];
			if (fd >= 0) {
				if (this.acceptArmed[i]) {
					this.sq.prepCancel(UserData.encode(UserData.ACCEPT, i, 0),
							UserData.encode(UserData.LISTENER_CANCEL, i, 0));
				}
				// The armed accept holds its own reference to the socket until the cancel completes.
				Sockets.close(fd);
				this.listenFds[i] = -1;
			}
		}
	}

	/**
	 * Closes every connection and listener, then turns the ring until the kernel has completed every
	 * cancelled request (bounded), so no request can touch memory that is about to be freed.
	 */
	@Override
	protected void closeEverything() {
		closeListeners();
		for (int slot = 0; slot < this.slotsUsed; slot++) {
			UringConnection connection = this.slots[slot];
			if (connection != null) {
				closeNow(connection, CloseReason.SERVER_STOPPED);
			}
		}
		if (this.wakeArmed) {
			this.sq.prepCancel(UserData.encode(UserData.WAKEUP, 0, 0), UserData.encode(UserData.LISTENER_CANCEL, 0, 0));
		}
		if (this.timerArmed) {
			this.sq.prepCancel(UserData.encode(UserData.TIMER, 0, 0), UserData.encode(UserData.LISTENER_CANCEL, 0, 0));
		}
		long deadline = System.nanoTime() + STOP_DEADLINE_NANOS;
		// A listening socket lives on until its armed accept completes: wait for that too, or the kernel
		// keeps it listening (taking connections nobody accepts) until it tears the closed ring down.
		while ((liveSlots() > 0 || this.wakeArmed || this.timerArmed || acceptArmed())
				&& System.nanoTime() - deadline < 0) {
			this.ring.submitAndWait(1, TimeUnit.MILLISECONDS.toNanos(50));
			this.cq.reap(this);
		}
		for (int slot = 0; slot < this.slotsUsed; slot++) {
			UringConnection connection = this.slots[slot];
			if (connection != null && connection.fd >= 0) {
				logger.warn("{} still had {} request(s) in the kernel at stop; closing it anyway", connection,
						connection.pendingOps);
				Sockets.close(connection.fd);
				connection.fd = -1;
				this.slots[slot] = null;
			}
		}
	}

	/**
	 * After a loop failure the ring cannot be trusted: close every connection's socket directly and tell
	 * the handlers, so no descriptor leaks and every opened connection still gets its onClose.
	 */
	@Override
	protected void abandonConnections() {
		for (int slot = 0; slot < this.slotsUsed; slot++) {
			UringConnection connection = this.slots[slot];
			if (connection == null) {
				continue;
			}
			this.slots[slot] = null;
			if (connection.state != UringConnection.CLOSED) {
				connection.state = UringConnection.CLOSED;
				connection.markClosed();
				this.connectionCount--;
				connection.listener.release();
				connection.stats.countClose(CloseReason.IO_ERROR);
				try {
					connection.listener.settings.handler().onClose(connection, CloseReason.IO_ERROR);
				}
				catch (Throwable ex) {
					Failures.rethrowIfFatal(ex);
					this.faults.log().warn("onClose of {} failed", connection, ex);
				}
			}
			if (connection.fd >= 0) {
				Sockets.close(connection.fd);
				connection.fd = -1;
			}
		}
	}

	private boolean acceptArmed() {
		for (boolean armed : this.acceptArmed) {
			if (armed) {
				return true;
			}
		}
		return false;
	}

	private int liveSlots() {
		int live = 0;
		for (int slot = 0; slot < this.slotsUsed; slot++) {
			if (this.slots[slot] != null) {
				live++;
			}
		}
		return live;
	}

	@Override
	protected void closeResources() {
		closeListenSockets();
		// Order matters: unregister the buffer ring before freeing its memory, and keep the ring until
		// the buffer ring is gone.
		if (this.buffers != null) {
			this.buffers.close();
			this.buffers = null;
		}
		if (this.ring != null) {
			this.ring.close();
			this.ring = null;
		}
		EventFd fd = this.eventFd;
		if (fd != null) {
			fd.close();
		}
		if (this.pool != null) {
			this.pool.release();
		}
		if (this.arena != null) {
			this.arena.close();
			this.arena = null;
		}
	}

	/**
	 * Returns the bytes queued for sending on this loop's connections (asked on the loop thread).
	 */
	@Override
	public long queuedBytes() {
		Long total = callOnLoop(() -> {
			long sum = 0;
			for (int slot = 0; slot < this.slotsUsed; slot++) {
				UringConnection connection = this.slots[slot];
				if (connection != null) {
					sum += connection.outbound.bytes();
				}
			}
			return sum;
		});
		return (total != null) ? total : 0;
	}

}
