package dev.iouring.server;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.jspecify.annotations.Nullable;

import dev.iouring.server.codec.FrameDecoder;

/**
 * A connection served by an {@link EventLoop}. A new instance per accepted socket, so a reference kept
 * by the application after close can never reach a later connection.
 *
 * <p>Fields without a note are touched by the loop thread only. Calls from other threads copy their
 * bytes and hand the work to the loop through its task queue, tagged with this connection, so they are
 * ignored if the connection closed in the meantime.
 */
final class UringConnection implements Connection {

	static final int OPEN = 0;

	/** close() was called: pending writes are being sent, nothing more is read. */
	static final int CLOSING = 1;

	static final int CLOSED = 2;

	private static final VarHandle QUEUED;

	static {
		try {
			QUEUED = MethodHandles.lookup().findVarHandle(UringConnection.class, "queuedBytes", long.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	final EventLoop loop;

	final int slot;

	final int generation;

	final long id;

	final ListenerRuntime listener;

	final ListenerStats stats;

	final OutboundQueue outbound;

	int fd;

	@Nullable FrameDecoder decoder;

	int state = OPEN;

	CloseReason closeReason = CloseReason.LOCAL_CLOSE;

	boolean recvArmed;

	boolean recvCancelRequested;

	boolean sendInFlight;

	/** Queued bytes rose above the high water mark; reading stays off until they fall below the low one. */
	boolean unwritable;

	/** shutdownOutput() was called: no more writes; shut down the write side once the queue is sent. */
	boolean outputShutdownRequested;

	/**
	 * Received buffers not yet delivered because the connection was unwritable: (bid << 32 | length), in
	 * arrival order. They stay out of the buffer ring until delivered, which is what bounds memory.
	 */
	long[] held = new long[0];

	int heldHead;

	int heldCount;

	/** Set when the listener runs handlers on virtual threads. */
	@Nullable VirtualThreadLane lane;

	/** The lane holds more unhandled bytes than the high water mark: reading is off until it catches up. */
	boolean laneBacklogged;

	/** Last receive or send, in the loop's turn clock (System.nanoTime). */
	long lastActive;

	boolean peerClosed;

	/** Closing: everything is sent and our side is shut down; received bytes are discarded until end of stream. */
	boolean lingering;

	/** When a lingering close stops waiting for the peer's end of stream (System.nanoTime). */
	long lingerDeadline;

	/** The latest that {@link #lingerDeadline} may be pushed to while the peer keeps sending. */
	long lingerLimit;

	boolean inFlushList;

	boolean starved;

	dev.iouring.server.codec.@Nullable FrameSink sink;

	/** Requests in the kernel for this connection; the slot is freed when it reaches zero after close. */
	int pendingOps;

	/** Written by the loop (opaque), read by any thread in {@link #isWritable()}. */
	@SuppressWarnings("unused")
	private long queuedBytes;

	private volatile boolean open = true;

	private volatile @Nullable Object attachment;

	private volatile @Nullable InetSocketAddress remoteAddress;

	private volatile @Nullable InetSocketAddress localAddress;

	UringConnection(EventLoop loop, int slot, int generation, long id, int fd, ListenerRuntime listener,
			ListenerStats stats, OutboundQueue outbound) {
		this.loop = loop;
		this.slot = slot;
		this.generation = generation;
		this.id = id;
		this.fd = fd;
		this.listener = listener;
		this.stats = stats;
		this.outbound = outbound;
	}

	long recvUserData() {
		return UserData.encode(UserData.RECV, this.slot, this.generation);
	}

	long userData(int op) {
		return UserData.encode(op, this.slot, this.generation);
	}

	void queuedBytesChanged() {
		QUEUED.setOpaque(this, this.outbound.bytes());
	}

	void markClosed() {
		this.open = false;
	}

	@Override
	public long id() {
		return this.id;
	}

	@Override
	public String listenerName() {
		return this.listener.name();
	}

	@Override
	public void write(Bytes data) {
		if (this.loop.inLoop()) {
			this.loop.write(this, data.segment(), data.offset(), data.length());
		}
		else {
			byte[] copy = data.toByteArray();
			this.loop.execute(() -> this.loop.write(this, copy, 0, copy.length));
		}
	}

	@Override
	public void write(byte[] data, int offset, int length) {
		java.util.Objects.checkFromIndexSize(offset, length, data.length);
		if (this.loop.inLoop()) {
			this.loop.write(this, data, offset, length);
		}
		else {
			byte[] copy = java.util.Arrays.copyOfRange(data, offset, offset + length);
			this.loop.execute(() -> this.loop.write(this, copy, 0, copy.length));
		}
	}

	@Override
	public void write(ByteBuffer data) {
		if (this.loop.inLoop()) {
			MemorySegment segment = MemorySegment.ofBuffer(data);
			this.loop.write(this, segment, 0, (int) segment.byteSize());
			data.position(data.limit());
		}
		else {
			byte[] copy = new byte[data.remaining()];
			data.get(copy);
			this.loop.execute(() -> this.loop.write(this, copy, 0, copy.length));
		}
	}

	@Override
	public void write(MemorySegment data) {
		if (this.loop.inLoop()) {
			this.loop.write(this, data, 0, Math.toIntExact(data.byteSize()));
		}
		else {
			byte[] copy = data.toArray(ValueLayout.JAVA_BYTE);
			this.loop.execute(() -> this.loop.write(this, copy, 0, copy.length));
		}
	}

	@Override
	public void write(CharSequence text) {
		write(text.toString().getBytes(StandardCharsets.UTF_8));
	}

	@Override
	public void close() {
		if (this.loop.inLoop()) {
			this.loop.closeAfterFlush(this, CloseReason.LOCAL_CLOSE);
		}
		else if (this.open) {
			this.loop.execute(() -> this.loop.closeAfterFlush(this, CloseReason.LOCAL_CLOSE));
		}
	}

	@Override
	public void shutdownOutput() {
		if (this.loop.inLoop()) {
			this.loop.shutdownOutput(this);
		}
		else if (this.open) {
			this.loop.execute(() -> this.loop.shutdownOutput(this));
		}
	}

	@Override
	public void abort() {
		if (this.loop.inLoop()) {
			this.loop.closeNow(this, CloseReason.ABORTED);
		}
		else if (this.open) {
			this.loop.execute(() -> this.loop.closeNow(this, CloseReason.ABORTED));
		}
	}

	@Override
	public boolean isOpen() {
		return this.open;
	}

	@Override
	public boolean isWritable() {
		return this.open && (long) QUEUED.getOpaque(this) < this.loop.highWaterMark();
	}

	@Override
	public @Nullable InetSocketAddress remoteAddress() {
		InetSocketAddress address = this.remoteAddress;
		if (address == null) {
			address = this.loop.callOnLoop(() -> (this.state == CLOSED) ? null
					: dev.iouring.ring.Sockets.remoteAddress(this.fd));
			this.remoteAddress = address;
		}
		return address;
	}

	@Override
	public @Nullable InetSocketAddress localAddress() {
		InetSocketAddress address = this.localAddress;
		if (address == null) {
			address = this.loop.callOnLoop(() -> (this.state == CLOSED) ? null
					: dev.iouring.ring.Sockets.localAddress(this.fd));
			this.localAddress = address;
		}
		return address;
	}

	@Override
	public @Nullable Object attachment() {
		return this.attachment;
	}

	@Override
	public void attach(@Nullable Object attachment) {
		this.attachment = attachment;
	}

	@Override
	public String toString() {
		return "Connection[id=" + this.id + ", listener=" + this.listener.name() + "]";
	}

}
