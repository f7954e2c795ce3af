package dev.iouring.server;

import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;

import org.jspecify.annotations.Nullable;

import dev.iouring.ring.NativeCallException;
import dev.iouring.ring.Sockets;

import dev.iouring.server.codec.FrameDecoder;

/**
 * A connection served by an {@link EventLoop}. A new instance per accepted socket, so a reference kept
 * by the application after close can never reach a later connection.
 *
 * <p>Fields without a note are touched by the loop thread only. Calls from other threads copy their
 * bytes and hand the work to the loop through its task queue, tagged with this connection, so they are
 * ignored if the connection closed in the meantime.
 */
final class UringConnection extends LoopConnection {

	static final int OPEN = 0;

	/** close() was called: pending writes are being sent, nothing more is read. */
	static final int CLOSING = 1;

	static final int CLOSED = 2;

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

	/** A bad frame arrived: nothing more is read or decoded while the connection closes. */
	boolean inputEnded;

	/** When a close stops waiting for the peer. */
	final CloseDeadline closeDeadline = new CloseDeadline();

	/** When the frame under way began (the loop's clock), or 0 when none is. */
	long frameStarted;

	/** Frames handed to the handler so far. */
	long frames;

	/** Closing: everything is sent and our side is shut down; received bytes are discarded until end of stream. */
	boolean lingering;



	boolean inFlushList;

	boolean starved;

	dev.iouring.server.codec.@Nullable FrameSink sink;

	/** Requests in the kernel for this connection; the slot is freed when it reaches zero after close. */
	int pendingOps;

	private volatile @Nullable InetSocketAddress remoteAddress;

	private volatile @Nullable InetSocketAddress localAddress;

	UringConnection(EventLoop loop, int slot, int generation, long id, int fd, ListenerRuntime listener,
			ListenerStats stats, OutboundQueue outbound) {
		super(loop, id, listener.name());
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
		publishQueuedBytes(this.outbound.bytes());
	}

	@Override
	protected void writeOnLoop(MemorySegment source, long offset, int length) {
		this.loop.write(this, source, offset, length);
	}

	@Override
	protected void writeOnLoop(byte[] source, int offset, int length) {
		this.loop.write(this, source, offset, length);
	}

	@Override
	protected void closeOnLoop() {
		this.loop.closeAfterFlush(this, CloseReason.LOCAL_CLOSE);
	}

	@Override
	protected void abortOnLoop() {
		this.loop.closeNow(this, CloseReason.ABORTED);
	}

	@Override
	protected void overflowOnLoop() {
		if (this.state != CLOSED) {
			this.loop.closeNow(this, CloseReason.OUTBOUND_OVERFLOW);
		}
	}

	@Override
	protected void shutdownOutputOnLoop() {
		this.loop.shutdownOutput(this);
	}

	@Override
	public @Nullable InetSocketAddress remoteAddress() {
		InetSocketAddress address = this.remoteAddress;
		if (address == null) {
			address = this.loop.callOnLoop(() -> address(false));
			this.remoteAddress = address;
		}
		return address;
	}

	@Override
	public @Nullable InetSocketAddress localAddress() {
		InetSocketAddress address = this.localAddress;
		if (address == null) {
			address = this.loop.callOnLoop(() -> address(true));
			this.localAddress = address;
		}
		return address;
	}

	/**
	 * Asks the socket for an address, on the loop. A peer that already reset makes getpeername fail
	 * (ENOTCONN): that is the peer's doing, so the answer is {@code null}, never an exception.
	 */
	private @Nullable InetSocketAddress address(boolean local) {
		if (this.state == CLOSED || this.fd < 0) {
			return null;
		}
		try {
			return local ? Sockets.localAddress(this.fd) : Sockets.remoteAddress(this.fd);
		}
		catch (NativeCallException ex) {
			return null;
		}
	}

	@Override
	public String toString() {
		return "Connection[" + readableId() + ", listener=" + this.listener.name() + "]";
	}

}
