package dev.iouring.server;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every event loop shares, whatever it waits on (an io_uring ring or a NIO selector): its platform
 * thread and life cycle (start, stop, wait for the end, record a failure), the queue of tasks other
 * threads hand it, and its statistics. A subclass opens its resources, runs one turn at a time, closes
 * what it opened, and says how to wake its thread from a wait.
 *
 * <p>Threads: {@link #execute} and the {@link ServerLoop} methods from any thread; the rest on the loop's.
 */
abstract class AbstractServerLoop implements ServerLoop, Runnable {

	private static final Logger logger = LoggerFactory.getLogger(AbstractServerLoop.class);

	/** Tasks from other threads run per turn at most, so a flood of them cannot starve the I/O. */
	private static final int TASKS_PER_TURN = 1024;

	/** The loop's number within its server. */
	protected final int index;

	protected final ServerSettings settings;

	protected final ListenerRuntime[] listeners;

	protected final LoopStats stats;

	protected final ListenerStats[] listenerStats;

	/** Set by a thread that queued a task while the loop may be waiting; see {@link #wakeUp}. */
	protected final AtomicBoolean sleeping = new AtomicBoolean();

	protected final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();

	private final String transport;

	private final Thread thread;

	private final CompletableFuture<Void> started = new CompletableFuture<>();

	private final CountDownLatch terminated = new CountDownLatch(1);

	protected volatile boolean running = true;

	/** Written by the loop thread only; read by any. */
	protected volatile int connectionCount;

	private volatile @Nullable Throwable failure;

	/** The pending drain's callback, taken by whoever runs it first. */
	private final AtomicReference<@Nullable Runnable> drainCallback = new AtomicReference<>();

	/** Set on the loop thread once a drain has started. */
	protected boolean draining;

	/** Heap a failing loop releases first: after an OutOfMemoryError its failure path needs a little. */
	@SuppressWarnings("unused")
	private byte @Nullable [] failureReserve = new byte[512 * 1024];

	/** Told once if the loop fails; set by the server before the loop starts. */
	private volatile @Nullable Consumer<Throwable> failureListener;

	/** Counts and logs, at a bounded rate, what goes wrong with single connections. */
	protected final ConnectionFaults faults;

	/**
	 * Creates a loop and its (unstarted) thread.
	 * @param transport the name used in log messages, such as {@code io_uring}
	 * @param index the loop's number within its server
	 * @param settings the server's settings
	 * @param listeners the listeners this loop serves
	 * @param threadName the name of the loop's thread
	 */
	protected AbstractServerLoop(String transport, int index, ServerSettings settings, ListenerRuntime[] listeners,
			String threadName) {
		this.transport = transport;
		this.index = index;
		this.settings = settings;
		this.listeners = listeners;
		this.stats = new LoopStats(index);
		this.faults = new ConnectionFaults(transport, index, this.stats, settings.writeLimit());
		this.listenerStats = new ListenerStats[listeners.length];
		for (int i = 0; i < listeners.length; i++) {
			this.listenerStats[i] = new ListenerStats(listeners[i].name(), index);
		}
		// A named platform thread, not a daemon: like Boot's web servers, a running server keeps the JVM alive.
		this.thread = Thread.ofPlatform().name(threadName).daemon(false).unstarted(this);
	}

	// ---- what a transport provides ----

	/** Opens the loop's resources and binds its listeners; on the loop thread, before the first turn. */
	protected abstract void open() throws Exception;

	/** One turn: run tasks, do I/O, wait when there is nothing to do. */
	protected abstract void turn() throws Exception;

	/** After the last turn of a loop asked to stop: closes connections and listeners gracefully. */
	protected abstract void closeEverything();

	/** After a failed turn: gives up the connections, which may be in any state. */
	protected abstract void abandonConnections();

	/** Frees what {@link #open} opened, also when it failed half way. Must not throw. */
	protected abstract void closeResources();

	/** Makes the loop thread return from its wait (or not wait next time). Any thread. */
	protected abstract void signalWakeup();

	/**
	 * After a fatal failure: closes the listening sockets at once, without the ring, so new clients are
	 * refused instead of waiting in a backlog nobody accepts from. Must not throw.
	 */
	protected abstract void closeListenSockets();

	/**
	 * Starts a graceful drain on the loop thread: stop accepting and reading, close each connection once
	 * its queued bytes are sent, and call {@link #drainedIfIdle()} whenever a connection goes.
	 */
	protected abstract void startDrain();

	// ---- life cycle ----

	/**
	 * Starts the thread and waits until its resources are open and its listeners are bound.
	 */
	@Override
	public void start() {
		this.thread.start();
		try {
			this.started.join();
		}
		catch (CompletionException ex) {
			awaitTermination(TimeUnit.SECONDS.toMillis(10));
			Throwable cause = ex.getCause();
			throw (cause instanceof RuntimeException runtime) ? runtime : new IllegalStateException(cause);
		}
	}

	/**
	 * Asks the loop to stop: it closes every connection and listener, then frees its resources.
	 */
	@Override
	public void stop() {
		this.running = false;
		signalWakeup();
	}

	@Override
	public boolean awaitTermination(long millis) {
		if (this.thread.getState() == Thread.State.NEW) {
			return true;
		}
		try {
			return this.terminated.await(millis, TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	@Override
	public final void run() {
		try {
			open();
			this.started.complete(null);
		}
		catch (Throwable ex) {
			this.started.completeExceptionally(ex);
			closeResources();
			this.terminated.countDown();
			return;
		}
		try {
			while (this.running) {
				turn();
			}
			closeEverything();
		}
		catch (Throwable ex) {
			failed(ex);
		}
		finally {
			try {
				closeResources();
			}
			catch (Throwable ignored) {
				// closeResources must not throw; after an OutOfMemoryError it still might.
			}
			this.connectionCount = 0;
			this.terminated.countDown();
			// A drain asked for before the end is over now: nothing is left to drain.
			runDrainCallback();
		}
	}

	/**
	 * The loop cannot go on (only a fatal error gets here: every other failure is contained to its
	 * connection). Each step is guarded on its own, because after an OutOfMemoryError any step may
	 * fail again, and the listening sockets must be closed whatever happens.
	 */
	private void failed(Throwable ex) {
		this.failureReserve = null;
		this.failure = ex;
		this.running = false;
		try {
			closeListenSockets();
		}
		catch (Throwable ignored) {
			// Nothing more can be done here; closeResources tries again.
		}
		try {
			logger.error("{} event loop {} failed and stopped; its listeners and connections are closed",
					this.transport, this.index, ex);
		}
		catch (Throwable ignored) {
			// Logging may need memory that is not there.
		}
		try {
			abandonConnections();
		}
		catch (Throwable ignored) {
			// closeResources still frees the loop's resources.
		}
		Consumer<Throwable> listener = this.failureListener;
		if (listener != null) {
			try {
				listener.accept(ex);
			}
			catch (Throwable ignored) {
				// The failure is recorded; health reports it.
			}
		}
	}

	/**
	 * Registers what to tell when this loop fails. Called before {@link #start()}.
	 * @param listener told once, on the loop thread, with the failure
	 */
	@Override
	public void onFailure(Consumer<Throwable> listener) {
		this.failureListener = listener;
	}

	/**
	 * Stops accepting and reading; closes each connection once its queued bytes are sent. The callback
	 * also runs if the loop ends first, for whatever reason, so a drain never waits for a dead loop.
	 * @param callback run once the loop has no connection left
	 */
	@Override
	public final void drain(Runnable callback) {
		this.drainCallback.set(callback);
		if (isTerminated()) {
			runDrainCallback();
			return;
		}
		execute(() -> {
			this.draining = true;
			startDrain();
			drainedIfIdle();
		});
	}

	/** Runs the drain callback once the draining loop has no connection left. Loop thread only. */
	protected final void drainedIfIdle() {
		if (this.draining && this.connectionCount == 0) {
			runDrainCallback();
		}
	}

	private void runDrainCallback() {
		Runnable callback = this.drainCallback.getAndSet(null);
		if (callback != null) {
			callback.run();
		}
	}

	/** Whether the loop thread has ended. */
	protected boolean isTerminated() {
		return this.terminated.getCount() == 0;
	}

	// ---- tasks ----

	/**
	 * Whether the caller runs on this loop's thread.
	 * @return {@code true} on the loop thread
	 */
	public boolean inLoop() {
		return Thread.currentThread() == this.thread;
	}

	/**
	 * Runs a task on the loop thread, in submission order. Any thread.
	 * @param task the task
	 */
	public void execute(Runnable task) {
		this.tasks.add(task);
		if (!inLoop()) {
			wakeUp();
		}
	}

	/** Wakes the loop if it said it may wait; at most one wake-up per wait. */
	protected void wakeUp() {
		if (this.sleeping.get() && this.sleeping.compareAndSet(true, false)) {
			signalWakeup();
		}
	}

	/** Runs up to {@link #TASKS_PER_TURN} queued tasks; a failing task is logged and the loop goes on. */
	protected void runTasks() {
		Runnable task;
		int budget = TASKS_PER_TURN;
		while (budget-- > 0 && (task = this.tasks.poll()) != null) {
			try {
				task.run();
			}
			catch (Throwable ex) {
				Failures.rethrowIfFatal(ex);
				this.stats.error("task", Failures.errorName(ex));
				this.faults.log().warn("A task on {} event loop {} failed", this.transport, this.index, ex);
			}
		}
	}

	/**
	 * Runs {@code call} on the loop and waits for its result (for rare queries from other threads).
	 * @return the result, or {@code null} if the loop has ended or did not answer within 5 seconds
	 */
	protected <T> @Nullable T callOnLoop(Supplier<@Nullable T> call) {
		if (inLoop()) {
			return call.get();
		}
		if (isTerminated()) {
			return null;
		}
		CompletableFuture<@Nullable T> result = new CompletableFuture<>();
		execute(() -> {
			try {
				result.complete(call.get());
			}
			catch (RuntimeException ex) {
				result.completeExceptionally(ex);
			}
		});
		try {
			return result.get(5, TimeUnit.SECONDS);
		}
		catch (Exception ex) {
			return null;
		}
	}

	// ---- state ----

	@Override
	public @Nullable Throwable failure() {
		return this.failure;
	}

	@Override
	public int connectionCount() {
		return this.connectionCount;
	}

	@Override
	public LoopStats stats() {
		return this.stats;
	}

	@Override
	public ListenerStats[] listenerStats() {
		return this.listenerStats;
	}

	/**
	 * The hard limit on queued outbound bytes per connection.
	 * @return bytes past which a connection is closed with {@link CloseReason#OUTBOUND_OVERFLOW}
	 */
	public long writeLimit() {
		return this.settings.writeLimit();
	}

}
