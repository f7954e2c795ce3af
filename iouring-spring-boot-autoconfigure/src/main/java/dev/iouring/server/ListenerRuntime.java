package dev.iouring.server;

import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;

/**
 * A listener's state shared by every loop: its settings, the port it is bound to (known after the first
 * loop binds, which matters with port 0), and its open connection count, which enforces
 * max-connections across loops.
 *
 * <p>Public for the transports (io_uring and NIO), which share it; not an application API.
 */
final class ListenerRuntime {

	final int index;

	final ListenerSettings settings;

	final AtomicInteger connections = new AtomicInteger();

	/** Sets the listener's TCP options on each accepted connection, on either transport. */
	final AcceptedSocketOptions socketOptions;

	volatile int boundPort = -1;

	/** The socket file of a Unix listener on a path, or {@code null}. */
	final @Nullable UnixSocketFile unixFile;

	/**
	 * A Unix listener's one listening socket, bound by the first io_uring loop, which owns it; the later
	 * loops accept on duplicates of it (a Unix socket's name cannot be bound twice, so there is no
	 * SO_REUSEPORT group to spread connections). -1 until bound.
	 */
	volatile int unixListenFd = -1;

	/**
	 * Creates the runtime state of a listener.
	 * @param index the listener's position in the server settings
	 * @param settings the listener's settings
	 */
	public ListenerRuntime(int index, ListenerSettings settings) {
		this.index = index;
		this.settings = settings;
		this.socketOptions = new AcceptedSocketOptions(settings.name(), settings.socketOptions());
		UnixSocket unix = settings.unixSocket();
		this.unixFile = (unix != null && !unix.abstractNamespace()) ? new UnixSocketFile(settings.name(), unix) : null;
	}

	/**
	 * Returns whether the listener listens on a Unix domain socket rather than a TCP port.
	 * @return whether it is a Unix listener
	 */
	boolean isUnix() {
		return this.settings.unixSocket() != null;
	}

	/** No stages: bytes go straight between socket and codec. */
	private static final Stage[] NO_STAGES = {};

	/**
	 * Makes the stages one new connection of this listener needs, in order from the socket's side.
	 * @param loop the connection's loop
	 * @param tlsBuffers the loop's TLS buffers
	 * @return the stages; empty (and shared) when there are none
	 */
	Stage[] newStages(AbstractServerLoop loop, TlsBufferPool tlsBuffers) {
		boolean proxied = this.settings.proxyProtocol() != ProxyProtocolMode.OFF;
		TlsSettings tls = this.settings.tls();
		if (!proxied && tls == null) {
			return NO_STAGES;
		}
		Stage proxy = proxied ? new ProxyProtocolStage(this.settings.proxyProtocol()) : null;
		Stage secure = (tls != null) ? new TlsStage(tls, loop, tlsBuffers,
				(int) Math.min(Integer.MAX_VALUE, loop.writeLimit()), loop.listenerStats[this.index]) : null;
		if (proxy != null && secure != null) {
			return new Stage[] { proxy, secure };
		}
		return new Stage[] { (proxy != null) ? proxy : secure };
	}

	/**
	 * How long a new connection's stages may take to finish their setup, in nanoseconds; 0 without stages.
	 * @return the setup timeout
	 */
	long setupTimeoutNanos() {
		long timeout = 0;
		if (this.settings.proxyProtocol() != ProxyProtocolMode.OFF) {
			timeout += this.settings.proxyProtocolTimeout().toNanos();
		}
		if (this.settings.tls() != null) {
			timeout += this.settings.tls().handshakeTimeout().toNanos();
		}
		return timeout;
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
	 * @return the port, or -1 before the first loop bound it, and always for a Unix listener
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
