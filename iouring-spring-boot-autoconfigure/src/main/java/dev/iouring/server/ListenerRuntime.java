package dev.iouring.server;

import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A listener's state shared by every loop: its settings, the port it is bound to (known after the first
 * loop binds, which matters with port 0), and its open connection count, which enforces
 * max-connections across loops.
 *
 * <p>Public for the transports (io_uring and NIO), which share it; not an application API.
 */
public final class ListenerRuntime {

	final int index;

	final ListenerSettings settings;

	final AtomicInteger connections = new AtomicInteger();

	/** Sets the listener's TCP options on each accepted connection, on either transport. */
	final AcceptedSocketOptions socketOptions;

	volatile int boundPort = -1;

	/**
	 * Creates the runtime state of a listener.
	 * @param index the listener's position in the server settings
	 * @param settings the listener's settings
	 */
	public ListenerRuntime(int index, ListenerSettings settings) {
		this.index = index;
		this.settings = settings;
		this.socketOptions = new AcceptedSocketOptions(settings.name(), settings.socketOptions());
	}

	/**
	 * Sets the listener's socket options on a channel the NIO transport accepted, before the handler
	 * sees it. Failures are counted in the loop's errors, never thrown.
	 * @param channel the accepted channel
	 * @param stats the accepting loop's statistics
	 */
	public void applySocketOptions(SocketChannel channel, LoopStats stats) {
		this.socketOptions.apply(channel, stats);
	}

	/**
	 * Returns the listener's position in the server settings.
	 * @return the index
	 */
	public int index() {
		return this.index;
	}

	/**
	 * Returns the listener's settings.
	 * @return the settings
	 */
	public ListenerSettings settings() {
		return this.settings;
	}

	/**
	 * Returns the listener's name.
	 * @return the name
	 */
	public String name() {
		return this.settings.name();
	}

	/**
	 * Returns the port the listener is bound to.
	 * @return the port, or -1 before the first loop bound it
	 */
	public int boundPort() {
		return this.boundPort;
	}

	/**
	 * Records the port the first loop bound (the system's choice when the settings ask for port 0).
	 * @param port the bound port
	 */
	public void boundPort(int port) {
		this.boundPort = port;
	}

	/**
	 * Reserves a connection slot unless the listener is at its limit.
	 * @return whether the connection may be opened
	 */
	public boolean tryAcquire() {
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

	/**
	 * Gives back a slot taken by {@link #tryAcquire()}.
	 */
	public void release() {
		this.connections.decrementAndGet();
	}

}
