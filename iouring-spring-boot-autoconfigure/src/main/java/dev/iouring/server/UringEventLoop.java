package dev.iouring.server;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
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
import dev.iouring.ring.Ring;
import dev.iouring.ring.SetupFlags;
import dev.iouring.ring.Sockets;
import dev.iouring.ring.SubmissionQueue;

/**
 * One io_uring event-loop thread: it owns one ring, one provided-buffer ring, one listening socket per
 * listener ({@link UringAcceptor}), and the sockets of every connection accepted on them
 * ({@link UringSocket}, found by slot in a {@link SlotTable}). What the connections do is decided by the
 * loop's {@link ConnectionCore}; this class only drives the ring.
 *
 * <p>A turn: run tasks from other threads, close overdue connections, queue one send per connection with
 * pending bytes, re-arm starved receives, publish recycled buffers, then one io_uring_enter that submits
 * everything and waits for a completion (unless work is already waiting), then dispatch every
 * completion. Nothing in a turn takes a lock, and the receive-and-echo path allocates nothing.
 *
 * <p>Wake-up from other threads: the loop keeps a read of an eventfd armed. Before it blocks it sets
 * {@code sleeping} and re-checks the task queue; a producer enqueues, then signals the eventfd only if it
 * flips {@code sleeping} from true to false. Either the loop sees the task before blocking, or the
 * producer sees the loop asleep and wakes it: no task waits for an unrelated completion.
 */
final class UringEventLoop extends AbstractServerLoop implements CompletionHandler {

	private static final Logger logger = LoggerFactory.getLogger(UringEventLoop.class);

	/** Buffer group id of every loop's buffer ring (each ring has its own group namespace). */
	static final int BUFFER_GROUP = 0;

	/** How long a stopping loop waits for the kernel to finish cancelled requests. */
	private static final long STOP_DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(5);

	private final Bytes view = new Bytes();

	private volatile @Nullable EventFd eventFd;

	// ---- loop thread only ----

	private @Nullable Ring ring;

	@Nullable SubmissionQueue sq;

	private @Nullable CompletionQueue cq;

	@Nullable BufferRing buffers;

	private @Nullable Arena arena;

	private @Nullable ChunkPool pool;

	@Nullable ConnectionCore core;

	@Nullable SlotTable slots;

	private final UringAcceptor acceptor;

	/** Receive buffers held back by unwritable connections, across the loop: at most a quarter of the ring. */
	final HeldReceives.Budget holdBudget;

	private final ArrayDeque<UringSocket> starved = new ArrayDeque<>();

	private MemorySegment wakeBuffer = MemorySegment.NULL;

	private boolean wakeArmed;

	/** A TIMEOUT request is pending: the loop's timer for deadline sweeps and accept retries. */
	private boolean timerArmed;

	/** Publishes the ring's figures for other threads once per turn. */
	private @Nullable RingStatsPublisher ringStats;

	UringEventLoop(int index, ServerSettings settings, ListenerRuntime[] listeners, String threadName) {
		super("io_uring", index, settings, listeners, threadName);
		this.acceptor = new UringAcceptor(this, listeners);
		this.holdBudget = new HeldReceives.Budget(settings.bufferCount() / 4);
	}

	// ---- life cycle ----

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
		this.core = new ConnectionCore(this, this.pool);
		this.slots = new SlotTable(this.arena);
		this.buffers = BufferRing.register(ring, BUFFER_GROUP, this.settings.bufferCount(), this.settings.bufferSize());
		this.ringStats = new RingStatsPublisher(this.stats, ring, this.buffers);
		this.stats.describe(String.join("|", SetupFlags.names(ring.setupFlags())), ring.sqEntries(),
				ring.cqEntries(), this.settings.bufferCount(), this.settings.bufferSize());
		this.eventFd = EventFd.create();
		this.wakeBuffer = this.arena.allocate(8, 8);
		armWakeup();
		this.acceptor.open();
		ring.submit();
		// Publish once now: a loop that has served nobody yet must not report zero buffers available.
		this.ringStats.publish();
	}

	@Override
	protected void startDrain() {
		this.acceptor.close();
		this.core.closeAllAfterFlush(CloseReason.SERVER_STOPPED);
	}

	@Override
	protected void closeListenSockets() {
		this.acceptor.closeListenSocketsNow();
	}

	@Override
	protected void signalWakeup() {
		EventFd fd = this.eventFd;
		if (fd != null) {
			fd.signal();
		}
	}

	// ---- a turn ----

	@Override
	protected void turn() {
		Ring ring = this.ring;
		ConnectionCore core = this.core;
		runTasks();
		core.beginTurn();
		this.acceptor.retryIfDue(core.turnNanos);
		core.writes.flush();
		rearmStarved();
		this.buffers.publishRecycled();
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
			// What completed during the wait is timed from now: the turn began up to a sweep ago.
			core.turnNanos = System.nanoTime();
		}
		else if (this.sq.pending() > 0 || this.cq.ready() == 0) {
			ring.submitAndWait(0, 0);
		}
		this.cq.reap(this);
		this.ringStats.publish();
	}

	/**
	 * Arms the loop's timer when something is due later (an accept retry or a deadline sweep) and no
	 * timer is pending. Waits themselves are never timed; see {@link SubmissionQueue#prepTimeout}.
	 */
	private void armTimer() {
		if (this.timerArmed) {
			return;
		}
		long now = System.nanoTime();
		long timeout = this.acceptor.backoff.nanosUntilRetry(now);
		long untilSweep = this.core.nanosUntilSweep(now);
		if (untilSweep >= 0) {
			timeout = (timeout < 0) ? untilSweep : Math.min(timeout, untilSweep);
		}
		if (timeout >= 0) {
			this.sq.prepTimeout(Math.max(timeout, 1_000_000L), UserData.encode(UserData.TIMER, 0, 0));
			this.timerArmed = true;
		}
	}

	// ---- completions ----

	@Override
	public void onCompletion(long userData, int res, int flags) {
		int op = UserData.op(userData);
		switch (op) {
			case UserData.ACCEPT -> {
				try {
					this.acceptor.onAccept(UserData.slot(userData), res, flags);
				}
				catch (Throwable ex) {
					this.faults.contain("listener " + UserData.slot(userData), "accept", ex);
				}
			}
			case UserData.WAKEUP -> onWakeup();
			case UserData.TIMER -> this.timerArmed = false;
			case UserData.LISTENER_CANCEL -> {
			}
			default -> onConnectionCompletion(op, userData, res, flags);
		}
	}

	private void onConnectionCompletion(int op, long userData, int res, int flags) {
		UringSocket socket = this.slots.find(userData);
		if (socket == null || socket.connection == null) {
			onStale(op, flags);
			return;
		}
		ServedConnection connection = socket.connection;
		try {
			switch (op) {
				case UserData.RECV -> socket.onRecv(connection, res, flags);
				case UserData.SEND -> socket.onSend(connection, res);
				case UserData.CANCEL -> socket.onCancel();
				default -> this.stats.error("unknown-op", Integer.toString(op));
			}
		}
		catch (Throwable ex) {
			this.core.failed(connection, UserData.opName(op), ex);
		}
		socket.releaseIfDone(connection);
	}

	private void onStale(int op, int flags) {
		// Cannot happen while slots are freed only after their last completion; if it does, keep the
		// buffer ring whole and say so.
		if (Cqe.hasBuffer(flags)) {
			this.buffers.taken();
			this.buffers.recycle(Cqe.bufferId(flags));
		}
		this.stats.error(UserData.opName(op), "stale-completion");
	}

	private void onWakeup() {
		this.wakeArmed = false;
		if (this.running) {
			armWakeup();
		}
	}

	private void armWakeup() {
		this.sq.prepRead(this.eventFd.fd(), this.wakeBuffer.address(), 8, UserData.encode(UserData.WAKEUP, 0, 0));
		this.wakeArmed = true;
	}

	// ---- what the sockets need ----

	/** Serves an accepted socket whose listener slot is already taken. */
	void openConnection(ListenerRuntime listener, int fd) {
		if (!listener.isUnix()) {
			listener.socketOptions.apply(fd, this.stats);
		}
		int slot = this.slots.allocate();
		UringSocket socket = new UringSocket(this, slot, this.slots.nextGeneration(slot), fd, this.holdBudget,
				listener.settings.unixSocket());
		this.slots.put(socket);
		ServedConnection connection = this.core.open(listener, socket);
		socket.connection = connection;
		socket.releaseIfDone(connection);
	}

	/** A view of received bytes in the buffer ring, valid until the buffer is recycled. */
	Bytes view(int bid, int length) {
		return this.view.set(this.buffers.buffers(), this.buffers.offset(bid), length);
	}

	/** A receive failed for want of buffers: it is armed again once buffers return. */
	void starved(UringSocket socket) {
		this.starved.add(socket);
	}

	private void rearmStarved() {
		// Re-arm at most as many starved receives as there are free buffers: re-arming all of them
		// whenever one buffer returns would make them fail with ENOBUFS again, a storm of completions.
		int budget = this.buffers.available();
		while (budget-- > 0 && !this.starved.isEmpty()) {
			UringSocket socket = this.starved.poll();
			socket.starved = false;
			if (socket.connection != null) {
				socket.rearmIfReading(socket.connection);
			}
		}
	}

	// ---- stop ----

	/**
	 * Closes every connection and listener, then turns the ring until the kernel has completed every
	 * cancelled request (bounded), so no request can touch memory that is about to be freed.
	 */
	@Override
	protected void closeEverything() {
		this.acceptor.close();
		this.core.closeAll(CloseReason.SERVER_STOPPED);
		if (this.wakeArmed) {
			this.sq.prepCancel(UserData.encode(UserData.WAKEUP, 0, 0), UserData.encode(UserData.LISTENER_CANCEL, 0, 0));
		}
		if (this.timerArmed) {
			this.sq.prepCancel(UserData.encode(UserData.TIMER, 0, 0), UserData.encode(UserData.LISTENER_CANCEL, 0, 0));
		}
		long deadline = System.nanoTime() + STOP_DEADLINE_NANOS;
		// A listening socket lives on until its armed accept completes: wait for that too, or the kernel
		// keeps it listening (taking connections nobody accepts) until it tears the closed ring down.
		while ((this.slots.taken() > 0 || this.wakeArmed || this.timerArmed || this.acceptor.anyArmed())
				&& System.nanoTime() - deadline < 0) {
			this.buffers.publishRecycled();
			this.ring.submitAndWait(1, TimeUnit.MILLISECONDS.toNanos(50));
			this.cq.reap(this);
		}
		for (int slot = 0; slot < this.slots.used(); slot++) {
			UringSocket socket = this.slots.get(slot);
			if (socket != null && socket.fd >= 0) {
				logger.warn("{} still had {} request(s) in the kernel at stop; closing it anyway", socket.connection,
						socket.pendingOps);
				socket.abandon();
			}
		}
	}

	/**
	 * After a loop failure the ring cannot be trusted: close every connection's socket directly and tell
	 * the handlers, so no descriptor leaks and every opened connection still gets its onClose.
	 */
	@Override
	protected void abandonConnections() {
		if (this.core != null) {
			this.core.abandonAll();
		}
		if (this.slots != null) {
			for (int slot = 0; slot < this.slots.used(); slot++) {
				UringSocket socket = this.slots.get(slot);
				if (socket != null) {
					socket.abandon();
				}
			}
		}
	}

	@Override
	protected void closeResources() {
		this.acceptor.closeListenSocketsNow();
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
		if (this.core != null) {
			this.core.releaseMemory();
		}
		if (this.arena != null) {
			this.arena.close();
			this.arena = null;
		}
	}

	/** The bytes queued for sending on this loop's connections (asked on the loop thread). */
	@Override
	public long queuedBytes() {
		Long total = callOnLoop(() -> (this.core != null) ? this.core.live().queuedBytes() : 0L);
		return (total != null) ? total : 0;
	}

}
