package dev.iouring.server;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one connection's handler callbacks in order on virtual threads, so they may block while the
 * event loop serves other connections. At most one virtual thread runs a lane at a time; it is started
 * when work arrives and ends when the lane is empty.
 *
 * <p>The lane counts the received bytes it still has to hand to the handler; the loop stops reading the
 * connection while that count is above the high water mark, so a slow handler cannot make the server
 * buffer without bound.
 *
 * <p>Public for the transports (io_uring and NIO), which share it; not an application API.
 */
final class VirtualThreadLane {

	private static final Logger logger = LoggerFactory.getLogger(VirtualThreadLane.class);

	private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();

	private final AtomicBoolean scheduled = new AtomicBoolean();

	private final AtomicLong pendingBytes = new AtomicLong();

	private final String name;

	/**
	 * Creates an empty lane.
	 * @param name the name of the virtual threads that run it
	 */
	public VirtualThreadLane(String name) {
		this.name = name;
	}

	/**
	 * Queues a callback. Any thread.
	 * @param task the callback
	 */
	public void submit(Runnable task) {
		this.tasks.add(task);
		if (this.scheduled.compareAndSet(false, true)) {
			Thread.ofVirtual().name(this.name).start(this::drain);
		}
	}

	/**
	 * Counts bytes queued for the handler.
	 * @param bytes the amount
	 * @return the new total
	 */
	public long addPending(long bytes) {
		return this.pendingBytes.addAndGet(bytes);
	}

	/**
	 * Returns the received bytes queued for the handler and not yet handled.
	 * @return the count
	 */
	public long pendingBytes() {
		return this.pendingBytes.get();
	}

	private void drain() {
		while (true) {
			Runnable task;
			while ((task = this.tasks.poll()) != null) {
				try {
					task.run();
				}
				catch (Throwable ex) {
					logger.warn("A callback on {} failed outside the handler guard", this.name, ex);
				}
			}
			this.scheduled.set(false);
			// A task added after the poll above but before the flag cleared would be stranded: take the
			// lane back if there is one and nobody else did.
			if (this.tasks.isEmpty() || !this.scheduled.compareAndSet(false, true)) {
				return;
			}
		}
	}

}
