package dev.iouring.server.nio;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import dev.iouring.server.Bytes;
import dev.iouring.server.CloseReason;
import dev.iouring.server.Connection;
import dev.iouring.server.ListenerRuntime;
import dev.iouring.server.ListenerStats;
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
final class NioConnection implements Connection {

	static final int OPEN = 0;

	/** close() was called or the peer closed: queued bytes are being sent, nothing more is read. */
	static final int CLOSING = 1;

	static final int CLOSED = 2;

	private static final VarHandle QUEUED;

	static {
		try {
			QUEUED = MethodHandles.lookup().findVarHandle(NioConnection.class, "queuedBytes", long.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

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

	boolean inFlushList;

	/** Last read or write, in the loop's turn clock (System.nanoTime). */
	long lastActive;

	/** Written by the loop (opaque), read by any thread in {@link #isWritable()}. */
	@SuppressWarnings("unused")
	private long queuedBytes;

	private volatile boolean open = true;

	private volatile @Nullable Object attachment;

	private volatile @Nullable InetSocketAddress remoteAddress;

	private volatile @Nullable InetSocketAddress localAddress;

	NioConnection(NioEventLoop loop, long id, ListenerRuntime listener, ListenerStats stats, SocketChannel channel,
			SendQueue sendQueue) {
		this.loop = loop;
		this.id = id;
		this.listener = listener;
		this.stats = stats;
		this.channel = channel;
		this.sendQueue = sendQueue;
	}

	void queuedBytesChanged() {
		QUEUED.setOpaque(this, this.sendQueue.bytes());
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
			this.loop.write(this, data);
		}
		else {
			writeLater(data.toByteArray());
		}
	}

	@Override
	public void write(byte[] data, int offset, int length) {
		Objects.checkFromIndexSize(offset, length, data.length);
		if (this.loop.inLoop()) {
			this.loop.write(this, MemorySegment.ofArray(data), offset, length);
		}
		else {
			writeLater(Arrays.copyOfRange(data, offset, offset + length));
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
			writeLater(copy);
		}
	}

	@Override
	public void write(MemorySegment data) {
		if (this.loop.inLoop()) {
			this.loop.write(this, data, 0, Math.toIntExact(data.byteSize()));
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
		this.loop.execute(() -> this.loop.write(this, MemorySegment.ofArray(copy), 0, copy.length));
	}

	@Override
	public void close() {
		onLoop(() -> this.loop.closeAfterFlush(this, CloseReason.LOCAL_CLOSE));
	}

	@Override
	public void shutdownOutput() {
		onLoop(() -> this.loop.shutdownOutput(this));
	}

	@Override
	public void abort() {
		onLoop(() -> this.loop.closeNow(this, CloseReason.ABORTED));
	}

	private void onLoop(Runnable action) {
		if (this.loop.inLoop()) {
			action.run();
		}
		else if (this.open) {
			this.loop.execute(action);
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
	public @Nullable Object attachment() {
		return this.attachment;
	}

	@Override
	public void attach(@Nullable Object attachment) {
		this.attachment = attachment;
	}

	@Override
	public String toString() {
		return "Connection[id=" + this.id + ", listener=" + this.listener.name() + ", transport=nio]";
	}

}
