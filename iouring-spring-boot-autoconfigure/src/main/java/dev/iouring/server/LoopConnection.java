package dev.iouring.server;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * What both transports' connections share: identity, the open flag, the attachment, writability, and
 * the any-thread half of {@link Connection}. Transport-internal; public only because the NIO transport
 * lives in a sub-package.
 *
 * <p>Every public method may be called from any thread. On the owning loop's thread a write is copied
 * into the connection's send queue at once; from another thread the bytes are copied first and the
 * write runs later as a loop task, so one thread's writes keep their order, and work for a connection
 * that closed in the meantime is ignored by the loop.
 */
public abstract class LoopConnection implements Connection {

	private static final VarHandle QUEUED;

	private static final VarHandle IN_TRANSIT;

	static {
		try {
			QUEUED = MethodHandles.lookup().findVarHandle(LoopConnection.class, "queuedBytes", long.class);
			IN_TRANSIT = MethodHandles.lookup().findVarHandle(LoopConnection.class, "inTransitBytes", long.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	private final AbstractServerLoop loop;

	private final long connectionId;

	private final String listener;

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

	/**
	 * Creates the shared part of a connection.
	 * @param loop the event loop that owns the connection
	 * @param id the connection id
	 * @param listener the name of the listener that accepted it
	 */
	protected LoopConnection(AbstractServerLoop loop, long id, String listener) {
		this.loop = loop;
		this.connectionId = id;
		this.listener = listener;
	}


	/** Returns whether the caller runs on the connection's loop thread. */
	protected final boolean inLoop() {
		return this.loop.inLoop();
	}

	/** Runs a task on the connection's loop thread, after the tasks queued before it. */
	protected final void executeOnLoop(Runnable task) {
		this.loop.execute(task);
	}

	/** Queues bytes for sending; loop thread only. */
	protected abstract void writeOnLoop(MemorySegment source, long offset, int length);

	/** Queues bytes of an array for sending; loop thread only. Transports may avoid the segment wrapper. */
	protected void writeOnLoop(byte[] source, int offset, int length) {
		writeOnLoop(MemorySegment.ofArray(source), offset, length);
	}

	/** Closes once the queued bytes are sent; loop thread only. */
	protected abstract void closeOnLoop();

	/** Closes at once, dropping queued bytes; loop thread only. */
	protected abstract void abortOnLoop();

	/** Closes at once for writes past the write limit, dropping queued bytes; loop thread only. */
	protected abstract void overflowOnLoop();

	/** Shuts down the write side once the queued bytes are sent; loop thread only. */
	protected abstract void shutdownOutputOnLoop();


	/**
	 * Publishes the number of queued bytes for {@link #isWritable()}. Loop thread only.
	 * @param bytes the bytes now queued
	 */
	protected final void publishQueuedBytes(long bytes) {
		QUEUED.setOpaque(this, bytes);
	}

	/**
	 * Publishes a writability edge for {@link #isWritable()}: false once the queue passed the high water
	 * mark, true again once it fell to the low one. Loop thread only, just before the handler is told.
	 * @param writable the new writability
	 */
	public final void publishWritable(boolean writable) {
		this.writable = writable;
	}

	/**
	 * Marks the connection closed for every thread. Loop thread only.
	 */
	public final void markClosed() {
		this.open = false;
	}

	@Override
	public final long id() {
		return this.connectionId;
	}

	/**
	 * Returns the id as people read it: both loops make an id of their index in the top 16 bits and a
	 * sequence below, so a raw id of a connection of loop 1 prints as 281474976710658 where
	 * {@code loop=1, id=2} says the same. {@link #id()} stays the packed number, unique in the server.
	 * @return {@code loop=L, id=S}
	 */
	protected final String readableId() {
		return "loop=" + (this.connectionId >>> 48) + ", id=" + (this.connectionId & ((1L << 48) - 1));
	}

	@Override
	public final String listenerName() {
		return this.listener;
	}

	@Override
	public final void write(Bytes data) {
		if (inLoop()) {
			writeOnLoop(data.segment(), data.offset(), data.length());
		}
		else {
			writeLater(data.toByteArray());
		}
	}

	@Override
	public final void write(byte[] data, int offset, int length) {
		Objects.checkFromIndexSize(offset, length, data.length);
		if (inLoop()) {
			writeOnLoop(data, offset, length);
		}
		else {
			writeLater(Arrays.copyOfRange(data, offset, offset + length));
		}
	}

	@Override
	public final void write(ByteBuffer data) {
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
	public final void write(MemorySegment data) {
		if (inLoop()) {
			writeOnLoop(data, 0, Math.toIntExact(data.byteSize()));
		}
		else {
			writeLater(data.toArray(ValueLayout.JAVA_BYTE));
		}
	}

	@Override
	public final void write(CharSequence text) {
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
	public final void close() {
		onLoop(this::closeOnLoop);
	}

	@Override
	public final void shutdownOutput() {
		onLoop(this::shutdownOutputOnLoop);
	}

	@Override
	public final void abort() {
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
	public final boolean isOpen() {
		return this.open;
	}

	@Override
	public final boolean isWritable() {
		return this.open && this.writable;
	}

	@Override
	public final @Nullable Object attachment() {
		return this.attachment;
	}

	@Override
	public final void attach(@Nullable Object attachment) {
		this.attachment = attachment;
	}

}
