package dev.iouring.server;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

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
 * <p>Threads: the {@link Connection} methods may be called from any thread. On the owning loop's thread
 * a write is copied into the outbound queue at once; from another thread the bytes are copied first and
 * the write runs later as a loop task, so one thread's writes keep their order, and work for a connection
 * that closed in the meantime is ignored. Fields without a note belong to the loop thread.
 */
final class ServedConnection implements Connection {

	static final int OPEN = 0;

	/** close() was called or the peer closed: queued bytes are being sent, nothing more is read. */
	static final int CLOSING = 1;

	static final int CLOSED = 2;

	private static final VarHandle QUEUED;

	private static final VarHandle IN_TRANSIT;

	static {
		try {
			QUEUED = MethodHandles.lookup().findVarHandle(ServedConnection.class, "queuedBytes", long.class);
			IN_TRANSIT = MethodHandles.lookup().findVarHandle(ServedConnection.class, "inTransitBytes", long.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	private final AbstractServerLoop loop;

	private final long connectionId;

	final ConnectionCore core;

	final ListenerRuntime listener;

	final ListenerStats stats;

	final OutboundQueue outbound;

	/** The transport's half: the socket. */
	final ConnectionIo io;

	int state = OPEN;

	CloseReason closeReason = CloseReason.LOCAL_CLOSE;

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

	/** Written by the loop (opaque), read by any thread in {@link #isWritable()}. */
	@SuppressWarnings("unused")
	private long queuedBytes;

	/**
	 * Bytes written from other threads and not yet queued by the loop (they wait as tasks). Counted
	 * against the write limit too, so a thread that writes faster than the loop drains cannot grow the
	 * task queue without bound. Any thread, atomically.
	 */
	@SuppressWarnings("unused")
	private long inTransitBytes;

	private volatile boolean open = true;

	/**
	 * The writability the handler was last told of, so {@link #isWritable()} and
	 * {@link TcpHandler#onWritabilityChanged} never disagree. Written by the loop only.
	 */
	private volatile boolean writable = true;

	private volatile @Nullable Object attachment;

	ServedConnection(ConnectionCore core, long id, ListenerRuntime listener, ListenerStats stats,
			OutboundQueue outbound, ConnectionIo io) {
		this.core = core;
		this.io = io;
		this.loop = core.loop;
		this.connectionId = id;
		this.listener = listener;
		this.stats = stats;
		this.outbound = outbound;
	}

	private boolean inLoop() {
		return this.loop.inLoop();
	}

	private void executeOnLoop(Runnable task) {
		this.loop.execute(task);
	}

	private void writeOnLoop(MemorySegment source, long offset, int length) {
		this.core.writes.write(this, source, offset, length);
	}

	private void writeOnLoop(byte[] source, int offset, int length) {
		this.core.writes.write(this, source, offset, length);
	}

	private void closeOnLoop() {
		this.core.closeAfterFlush(this, CloseReason.LOCAL_CLOSE);
	}

	private void abortOnLoop() {
		this.core.closeNow(this, CloseReason.ABORTED);
	}

	private void overflowOnLoop() {
		if (this.state != CLOSED) {
			this.core.closeNow(this, CloseReason.OUTBOUND_OVERFLOW);
		}
	}

	private void shutdownOutputOnLoop() {
		this.core.shutdownOutput(this);
	}


	/** Publishes the number of queued bytes for writes from other threads. Loop thread only. */
	void queuedBytesChanged() {
		QUEUED.setOpaque(this, this.outbound.bytes());
	}

	/**
	 * Publishes a writability edge for {@link #isWritable()}: false once the queue passed the high water
	 * mark, true again once it fell to the low one. Loop thread only, just before the handler is told.
	 * @param writable the new writability
	 */
	void publishWritable(boolean writable) {
		this.writable = writable;
	}

	/**
	 * Marks the connection closed for every thread. Loop thread only.
	 */
	void markClosed() {
		this.open = false;
	}

	@Override
	public long id() {
		return this.connectionId;
	}

	/**
	 * Returns the id as people read it: both loops make an id of their index in the top 16 bits and a
	 * sequence below, so a raw id of a connection of loop 1 prints as 281474976710658 where
	 * {@code loop=1, id=2} says the same. {@link #id()} stays the packed number, unique in the server.
	 * @return {@code loop=L, id=S}
	 */
	String readableId() {
		return "loop=" + (this.connectionId >>> 48) + ", id=" + (this.connectionId & ((1L << 48) - 1));
	}

	@Override
	public String listenerName() {
		return this.listener.name();
	}

	@Override
	public void write(Bytes data) {
		if (inLoop()) {
			writeOnLoop(data.segment(), data.offset(), data.length());
		}
		else {
			writeLater(data.toByteArray());
		}
	}

	@Override
	public void write(byte[] data, int offset, int length) {
		Objects.checkFromIndexSize(offset, length, data.length);
		if (inLoop()) {
			writeOnLoop(data, offset, length);
		}
		else {
			writeLater(Arrays.copyOfRange(data, offset, offset + length));
		}
	}

	@Override
	public void write(ByteBuffer data) {
		if (inLoop()) {
			MemorySegment segment = MemorySegment.ofBuffer(data);
			writeOnLoop(segment, 0, Math.toIntExact(segment.byteSize()));
			data.position(data.limit());
		}
		else {
			byte[] copy = new byte[data.remaining()];
			data.get(copy);
			writeLater(copy);
		}
	}

	@Override
	public void write(MemorySegment data) {
		if (inLoop()) {
			writeOnLoop(data, 0, Math.toIntExact(data.byteSize()));
		}
		else {
			writeLater(data.toArray(ValueLayout.JAVA_BYTE));
		}
	}

	@Override
	public void write(CharSequence text) {
		write(text.toString().getBytes(StandardCharsets.UTF_8));
	}

	private void writeLater(byte[] copy) {
		long length = copy.length;
		long inTransit = (long) IN_TRANSIT.getAndAdd(this, length) + length;
		if (inTransit > length && inTransit + (long) QUEUED.getOpaque(this) > this.loop.writeLimit()) {
			IN_TRANSIT.getAndAdd(this, -length);
			executeOnLoop(this::overflowOnLoop);
			return;
		}
		executeOnLoop(() -> {
			IN_TRANSIT.getAndAdd(this, -length);
			writeOnLoop(copy, 0, copy.length);
		});
	}

	@Override
	public void close() {
		onLoop(this::closeOnLoop);
	}

	@Override
	public void shutdownOutput() {
		onLoop(this::shutdownOutputOnLoop);
	}

	@Override
	public void abort() {
		onLoop(this::abortOnLoop);
	}

	private void onLoop(Runnable action) {
		if (inLoop()) {
			action.run();
		}
		else if (this.open) {
			executeOnLoop(action);
		}
	}

	@Override
	public boolean isOpen() {
		return this.open;
	}

	@Override
	public boolean isWritable() {
		return this.open && this.writable;
	}

	@Override
	public @Nullable Object attachment() {
		return this.attachment;
	}

	@Override
	public void attach(@Nullable Object attachment) {
		this.attachment = attachment;
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
