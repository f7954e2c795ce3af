package dev.iouring.server;

import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

import org.jspecify.annotations.Nullable;

import dev.iouring.server.codec.FrameDecoder;
import dev.iouring.server.codec.FrameSink;

/**
 * One accepted connection, whichever transport serves it: a new instance per accepted socket, so a
 * reference the application keeps after close can never reach a later connection.
 *
 * <p>It holds what the {@link ConnectionCore} decides with (the close state, backpressure flags, timers,
 * the outbound queue) and reaches its socket only through its transport's {@link ConnectionIo}.
 *
 * <p>Threads: the fields here belong to the loop thread; {@link ConnectionHandle}, the half of the
 * connection any thread may call, hands the work to the loop.
 */
final class ServedConnection extends ConnectionHandle {

	static final int OPEN = 0;

	/** close() was called or the peer closed: queued bytes are being sent, nothing more is read. */
	static final int CLOSING = 1;

	static final int CLOSED = 2;

	final ConnectionCore core;

	final ListenerRuntime listener;

	final ListenerStats stats;

	final OutboundQueue outbound;

	/** The transport's half: the socket. */
	final ConnectionIo io;

	int state = OPEN;

	CloseReason closeReason = CloseReason.LOCAL_CLOSE;

	/**
	 * Set once the direct memory limit refused this connection memory: its close (a TLS alert or
	 * close_notify) may be refused too, and is then neither counted nor logged again.
	 */
	boolean memoryRefused;

	@Nullable FrameDecoder decoder;

	@Nullable FrameSink sink;

	/** Set when the listener runs handlers on virtual threads. */
	@Nullable VirtualThreadLane lane;

	/** Queued bytes rose above the high water mark; reading stays off until they fall below the low one. */
	boolean unwritable;

	/** The lane holds more unhandled bytes than the high water mark: reading is off until it catches up. */
	boolean laneBacklogged;

	/** shutdownOutput() was called: no more writes; the write side shuts once the queue is sent. */
	boolean outputShutdownRequested;

	boolean outputShutDown;

	boolean peerClosed;

	/** A bad frame arrived or a frame timed out: nothing more is read or decoded while it closes. */
	boolean inputEnded;

	/** Everything is sent and our side is shut down; what arrives is discarded until end of stream. */
	boolean lingering;

	/** When a close stops waiting for the peer. */
	final CloseDeadline closeDeadline = new CloseDeadline();

	/** When the frame under way began (the loop's clock), or 0 when none is. */
	long frameStarted;

	/** Frames handed to the handler so far. */
	long frames;

	/** Last receive or send, in the loop's turn clock (System.nanoTime). */
	long lastActive;

	/** The listener's stages, or {@code null} when bytes go straight between socket and codec. */
	@Nullable StagePipeline pipeline;

	/** The handler was told of the connection (onOpen ran or was queued). */
	boolean opened;

	/** When the stages' setup must be done (the loop's clock), or 0 when none is under way. */
	long setupDeadline;

	/** The PROXY protocol header the connection started with; set once, on the loop, before onOpen. */
	private volatile @Nullable ProxyHeader proxyHeader;

	/** What the TLS handshake agreed; set once, on the loop, before onOpen. */
	private volatile @Nullable NegotiatedTls tls;

	/** Queued in the core's flush list for this turn. */
	boolean inFlushList;

	/** Position in the core's list of live connections. */
	int position;

	ServedConnection(ConnectionCore core, long id, ListenerRuntime listener, ListenerStats stats,
			OutboundQueue outbound, ConnectionIo io) {
		super(core.loop, id, listener.name());
		this.core = core;
		this.io = io;
		this.listener = listener;
		this.stats = stats;
		this.outbound = outbound;
	}

	@Override
	void writeOnLoop(MemorySegment source, long offset, int length) {
		this.core.writes.write(this, source, offset, length);
	}

	@Override
	void writeOnLoop(byte[] source, int offset, int length) {
		this.core.writes.write(this, source, offset, length);
	}

	@Override
	void closeOnLoop() {
		this.core.closeAfterFlush(this, CloseReason.LOCAL_CLOSE);
	}

	@Override
	void abortOnLoop() {
		this.core.closeNow(this, CloseReason.ABORTED);
	}

	@Override
	void overflowOnLoop() {
		if (this.state != CLOSED) {
			this.core.closeNow(this, CloseReason.OUTBOUND_OVERFLOW);
		}
	}

	@Override
	void shutdownOutputOnLoop() {
		this.core.shutdownOutput(this);
	}

	@Override
	long queuedBytesNow() {
		return this.outbound.bytes();
	}

	/** The connection came through a proxy that sent this header. Loop thread, before onOpen. */
	void proxied(ProxyHeader header) {
		this.proxyHeader = header;
	}

	@Override
	public @Nullable InetSocketAddress remoteAddress() {
		ProxyHeader header = this.proxyHeader;
		if (header != null && header.sourceAddress() != null) {
			return header.sourceAddress();
		}
		return this.io.remoteAddress();
	}

	/** The TLS handshake finished with this result. Loop thread, before onOpen. */
	void negotiated(NegotiatedTls negotiated) {
		this.tls = negotiated;
	}

	@Override
	public @Nullable NegotiatedTls tls() {
		return this.tls;
	}

	@Override
	public @Nullable ProxyHeader proxyHeader() {
		return this.proxyHeader;
	}

	@Override
	public @Nullable InetSocketAddress proxyAddress() {
		ProxyHeader header = this.proxyHeader;
		return (header != null && header.sourceAddress() != null) ? this.io.remoteAddress() : null;
	}

	@Override
	public @Nullable InetSocketAddress localAddress() {
		return this.io.localAddress();
	}

	@Override
	public @Nullable SocketAddress localSocketAddress() {
		UnixSocket unix = this.listener.settings.unixSocket();
		return (unix != null) ? unix.socketAddress() : this.io.localAddress();
	}

	@Override
	public @Nullable PeerCredentials peerCredentials() {
		return this.io.peerCredentials();
	}

	/** Names the peer in log lines: its address, or the Unix socket it came through. */
	Object peer() {
		InetSocketAddress remote = remoteAddress();
		UnixSocket unix = this.listener.settings.unixSocket();
		return (remote == null && unix != null) ? unix : String.valueOf(remote);
	}

	@Override
	public String toString() {
		return "Connection[" + readableId() + ", listener=" + this.listener.name() + this.io.describe() + "]";
	}

}
