package dev.iouring.sample.resp;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import dev.iouring.server.Bytes;
import dev.iouring.server.Connection;

/**
 * A {@link Connection} that keeps what handlers write, for driving handlers without a server. Like the
 * real one it copies written bytes at once, sends what was written before {@link #close()}, and
 * ignores writes made after it.
 */
public final class RecordingConnection implements Connection {

	private boolean outputShutdown;


	private final ByteArrayOutputStream written = new ByteArrayOutputStream();

	private int writeCalls;

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
	 * Returns how many write calls were made.
	 * @return the count
	 */
	public int writeCalls() {
		return this.writeCalls;
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
		if (!this.closed) {
			this.writeCalls++;
			this.written.write(data, offset, length);
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
		return true;
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
