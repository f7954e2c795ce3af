package dev.iouring.server.nio;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

import org.jspecify.annotations.Nullable;

import dev.iouring.server.Bytes;
import dev.iouring.server.CloseDeadline;
import dev.iouring.server.CloseReason;
import dev.iouring.server.ListenerRuntime;
import dev.iouring.server.ListenerStats;
import dev.iouring.server.LoopConnection;
import dev.iouring.server.VirtualThreadLane;
import dev.iouring.server.codec.FrameDecoder;
import dev.iouring.server.codec.FrameSink;

/**
 * A connection served by a {@link NioEventLoop}; a new instance per accepted channel, so a reference the
 * application keeps after close never reaches a later connection.
 *
 * <p>Fields without a note belong to the loop thread. Calls from other threads copy their bytes and
 * hand the work to the loop as a task, so one thread's writes keep their order, and work for a
 * connection that closed in the meantime is ignored.
 */
final class NioConnection extends LoopConnection {

	static final int OPEN = 0;

	/** close() was called or the peer closed: queued bytes are being sent, nothing more is read. */
	static final int CLOSING = 1;

	static final int CLOSED = 2;

	final NioEventLoop loop;

	final long id;

	final ListenerRuntime listener;

	final ListenerStats stats;

	final SocketChannel channel;

	final SendQueue sendQueue;

	@Nullable SelectionKey key;

	/** The interest set last given to {@link #key}. */
	int interestOps;

	/** Position in the loop's connection list. */
	int position;

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

	/** The socket's send buffer was full: OP_WRITE is wanted until the queue is empty. */
	boolean waitingForSocket;

	/** shutdownOutput() was called: no more writes; the write side shuts once the queue is sent. */
	boolean outputShutdownRequested;

	boolean outputShutDown;

	boolean peerClosed;

	/** A bad frame arrived or a frame timed out: nothing more is read or decoded while it closes. */
	boolean inputEnded;

	/** When a close stops waiting for the peer. */
	final CloseDeadline closeDeadline = new CloseDeadline();

	/** Everything is written and our side is shut down; what arrives is discarded until end of stream. */
	boolean lingering;



	/** When the frame under way began (the loop's clock), or 0 when none is. */
	long frameStarted;

	/** Frames handed to the handler so far. */
	long frames;

	boolean inFlushList;

	/** Last read or write, in the loop's turn clock (System.nanoTime). */
	long lastActive;

	private volatile @Nullable InetSocketAddress remoteAddress;

	private volatile @Nullable InetSocketAddress localAddress;

	NioConnection(NioEventLoop loop, long id, ListenerRuntime listener, ListenerStats stats, SocketChannel channel,
			SendQueue sendQueue) {
		super(loop, id, listener.name());
		this.loop = loop;
		this.id = id;
		this.listener = listener;
		this.stats = stats;
		this.channel = channel;
		this.sendQueue = sendQueue;
	}

	void queuedBytesChanged() {
		publishQueuedBytes(this.sendQueue.bytes());
	}

	@Override
	protected void writeOnLoop(MemorySegment source, long offset, int length) {
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

	/**
	 * NIO channels answer address queries from any thread, so unlike the io_uring transport no trip to
	 * the loop is needed; the answer is kept, as it cannot change.
	 */
	@Override
	public @Nullable InetSocketAddress remoteAddress() {
		InetSocketAddress address = this.remoteAddress;
		if (address == null) {
			try {
				address = (InetSocketAddress) this.channel.getRemoteAddress();
				this.remoteAddress = address;
			}
			catch (IOException ex) {
				return null;
			}
		}
		return address;
	}

	@Override
	public @Nullable InetSocketAddress localAddress() {
		InetSocketAddress address = this.localAddress;
		if (address == null) {
			try {
				address = (InetSocketAddress) this.channel.getLocalAddress();
				this.localAddress = address;
			}
			catch (IOException ex) {
				return null;
			}
		}
		return address;
	}

	@Override
	public String toString() {
		return "Connection[" + readableId() + ", listener=" + this.listener.name() + ", transport=nio]";
	}

}
