package dev.iouring.server;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A listener's state shared by every loop: its settings, the port it is bound to (known after the first
 * loop binds, which matters with port 0), and its open connection count, which enforces
 * max-connections across loops.
 */
final class ListenerRuntime {

	final int index;

	final ListenerSettings settings;

	final AtomicInteger connections = new AtomicInteger();

	volatile int boundPort = -1;

	ListenerRuntime(int index, ListenerSettings settings) {
		this.index = index;
		this.settings = settings;
	}

	String name() {
		return this.settings.name();
	}

	/**
	 * Reserves a connection slot unless the listener is at its limit.
	 * @return whether the connection may be opened
	 */
	boolean tryAcquire() {
		int max = this.settings.maxConnections();
		while (true) {
			int current = this.connections.get();
			if (current >= max) {
				return false;
			}
			if (this.connections.compareAndSet(current, current + 1)) {
				return true;
			}
		}
	}

	void release() {
		this.connections.decrementAndGet();
	}

}
