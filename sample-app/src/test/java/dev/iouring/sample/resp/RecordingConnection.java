package dev.iouring.sample.resp;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import dev.iouring.server.Bytes;
import dev.iouring.server.Connection;
import dev.iouring.server.TcpHandler;

/**
 * A {@link Connection} that keeps what handlers write, for driving handlers without a server. Like the
 * real one it copies written bytes at once, sends what was written before {@link #close()}, and
 * ignores writes made after it; it counts those ({@link #writesAfterClose()}), so a test can tell a
 * handler that stopped writing from one whose late writes were dropped.
 *
 * <p>It can also play the server's backpressure ({@link #reportWritability}): like the real server it
 * turns unwritable during the write that takes the bytes not yet {@linkplain #drain() drained} past a
 * high water mark, and tells the handler at once.
 */
public final class RecordingConnection implements Connection {

	private boolean outputShutdown;

	private TcpHandler handler;

	private long highWaterMark = Long.MAX_VALUE;

	private long queued;

	private boolean writable = true;


	private final ByteArrayOutputStream written = new ByteArrayOutputStream();

	private int writeCalls;

	private int writesAfterClose;

	private boolean closed;

	private Object attachment;

	/**
	 * Returns everything written so far, decoded as ISO-8859-1 so every byte maps to one character.
	 * @return the written bytes as text
	 */
	public String written() {
		return this.written.toString(StandardCharsets.ISO_8859_1);
	}

	/**
	 * Returns everything written so far and forgets it.
	 * @return the written bytes as ISO-8859-1 text
	 */
	public String takeWritten() {
		String text = written();
		this.written.reset();
		return text;
	}

	/**
	 * Returns the raw bytes written so far.
	 * @return a copy of the bytes
	 */
	public byte[] writtenBytes() {
		return this.written.toByteArray();
	}

	/**
	 * Makes the connection report writability changes to a handler.
	 * @param handler the handler to tell
	 * @param highWaterMark undrained bytes above which the connection turns unwritable
	 */
	public void reportWritability(TcpHandler handler, long highWaterMark) {
		this.handler = handler;
		this.highWaterMark = highWaterMark;
	}

	/**
	 * Turns the connection unwritable, as a peer that stops reading would.
	 */
	public void block() {
		this.queued = Long.MAX_VALUE / 2;
		changeWritability(false);
	}

	/**
	 * Plays a peer that reads everything: forgets what was written and turns writable again, which lets
	 * the handler go on (what it writes then is kept for the next call).
	 * @return what was written before, as ISO-8859-1 text
	 */
	public String drain() {
		String text = takeWritten();
		this.queued = 0;
		changeWritability(true);
		return text;
	}

	private void changeWritability(boolean writable) {
		if (this.writable != writable) {
			this.writable = writable;
			this.handler.onWritabilityChanged(this, writable);
		}
	}

	/**
	 * Returns how many write calls were made.
	 * @return the count
	 */
	public int writeCalls() {
		return this.writeCalls;
	}

	/**
	 * Returns how many write calls came after {@link #close()} or {@link #abort()}: the connection
	 * dropped them, so none of them is in {@link #written()}.
	 * @return the count
	 */
	public int writesAfterClose() {
		return this.writesAfterClose;
	}

	/**
	 * Returns whether {@link #close()} or {@link #abort()} was called.
	 * @return {@code true} once closed
	 */
	public boolean isClosed() {
		return this.closed;
	}

	@Override
	public long id() {
		return 42;
	}

	@Override
	public String listenerName() {
		return "test";
	}

	@Override
	public void write(Bytes data) {
		write(data.toByteArray());
	}

	@Override
	public void write(byte[] data, int offset, int length) {
		if (this.closed) {
			this.writesAfterClose++;
			return;
		}
		this.writeCalls++;
		this.written.write(data, offset, length);
		this.queued += length;
		if (this.queued > this.highWaterMark) {
			changeWritability(false);
		}
	}

	@Override
	public void write(ByteBuffer data) {
		byte[] copy = new byte[data.remaining()];
		data.get(copy);
		write(copy);
	}

	@Override
	public void write(MemorySegment data) {
		write(data.toArray(ValueLayout.JAVA_BYTE));
	}

	@Override
	public void write(CharSequence text) {
		write(text.toString().getBytes(StandardCharsets.UTF_8));
	}

	@Override
	public void close() {
		this.closed = true;
	}

	@Override
	public void shutdownOutput() {
		this.outputShutdown = true;
	}

	/**
	 * Returns whether the handler half-closed the connection.
	 * @return whether shutdownOutput was called
	 */
	public boolean outputShutdown() {
		return this.outputShutdown;
	}

	@Override
	public void abort() {
		this.closed = true;
	}

	@Override
	public boolean isOpen() {
		return !this.closed;
	}

	@Override
	public boolean isWritable() {
		return this.writable && !this.closed;
	}

	@Override
	public InetSocketAddress remoteAddress() {
		return new InetSocketAddress("127.0.0.1", 50000);
	}

	@Override
	public InetSocketAddress localAddress() {
		return new InetSocketAddress("127.0.0.1", 6380);
	}

	@Override
	public Object attachment() {
		return this.attachment;
	}

	@Override
	public void attach(Object attachment) {
		this.attachment = attachment;
	}

}
