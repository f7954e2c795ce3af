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
 * The half of a connection that any thread may call: its identity, the open and writable flags, the
 * attachment, and writes and closes, which it hands to the owning loop. On the loop's thread a write is
 * copied into the outbound queue at once; from another thread the bytes are copied first and the write
 * runs later as a loop task, so one thread's writes keep their order, and work for a connection that
 * closed in the meantime is ignored. Bytes in transit that way count against the write limit.
 *
 * <p>{@link ServedConnection} is the loop's half, which carries the work out.
 */
abstract class ConnectionHandle implements Connection {

	private static final VarHandle QUEUED;

	private static final VarHandle IN_TRANSIT;

	static {
		try {
			QUEUED = MethodHandles.lookup().findVarHandle(ConnectionHandle.class, "queuedBytes", long.class);
			IN_TRANSIT = MethodHandles.lookup().findVarHandle(ConnectionHandle.class, "inTransitBytes", long.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	private final AbstractServerLoop loop;

	private final long connectionId;

	private final String listenerName;

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

	ConnectionHandle(AbstractServerLoop loop, long id, String listenerName) {
		this.loop = loop;
		this.connectionId = id;
		this.listenerName = listenerName;
	}

	private boolean inLoop() {
		return this.loop.inLoop();
	}

	private void executeOnLoop(Runnable task) {
		this.loop.execute(task);
	}

	/** Queues bytes of a segment for sending. Loop thread. */
	abstract void writeOnLoop(MemorySegment source, long offset, int length);

	/** Queues bytes of an array for sending. Loop thread. */
	abstract void writeOnLoop(byte[] source, int offset, int length);

	/** Closes once what is queued is sent. Loop thread. */
	abstract void closeOnLoop();

	/** Closes at once, dropping what is queued. Loop thread. */
	abstract void abortOnLoop();

	/** Closes for writes from other threads past the write limit. Loop thread. */
	abstract void overflowOnLoop();

	/** Shuts the sending side once what is queued is sent. Loop thread. */
	abstract void shutdownOutputOnLoop();

	/** The bytes queued for sending now. Loop thread. */
	abstract long queuedBytesNow();

	/** Publishes the number of queued bytes for writes from other threads. Loop thread only. */
	final void queuedBytesChanged() {
		QUEUED.setOpaque(this, queuedBytesNow());
	}

	/**
	 * Publishes a writability edge for {@link #isWritable()}: false once the queue passed the high water
	 * mark, true again once it fell to the low one. Loop thread only, just before the handler is told.
	 * @param writable the new writability
	 */
	final void publishWritable(boolean writable) {
		this.writable = writable;
	}

	/**
	 * Marks the connection closed for every thread. Loop thread only.
	 */
	final void markClosed() {
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
	final String readableId() {
		return "loop=" + (this.connectionId >>> 48) + ", id=" + (this.connectionId & ((1L << 48) - 1));
	}

	@Override
	public final String listenerName() {
		return this.listenerName;
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
