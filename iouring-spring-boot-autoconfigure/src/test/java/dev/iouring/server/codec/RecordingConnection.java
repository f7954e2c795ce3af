package dev.iouring.server.codec;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.jspecify.annotations.Nullable;

import dev.iouring.server.Bytes;
import dev.iouring.server.Connection;

/**
 * A connection that keeps every write as its own chunk, copied at once as a real connection copies, so
 * that a test sees how an encoder cut a frame into writes and what each write held.
 */
final class RecordingConnection implements Connection {

	private final List<byte[]> writes = new ArrayList<>();

	private @Nullable Runnable beforeFirstCopy;

	private @Nullable Object attachment;

	/**
	 * Runs an action inside the first write, before its bytes are copied: a test holds a writer there
	 * to show what another thread changes meanwhile.
	 * @param action what to run
	 * @return this connection
	 */
	RecordingConnection beforeFirstCopy(Runnable action) {
		this.beforeFirstCopy = action;
		return this;
	}

	/** Each write's bytes, in order. */
	List<byte[]> writes() {
		return this.writes;
	}

	/** Everything written, as the peer would read it. */
	byte[] bytes() {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		this.writes.forEach(out::writeBytes);
		return out.toByteArray();
	}

	private void record(byte[] source, int offset, int length) {
		Runnable hook = this.beforeFirstCopy;
		if (hook != null) {
			this.beforeFirstCopy = null;
			hook.run();
		}
		this.writes.add(Arrays.copyOfRange(source, offset, offset + length));
	}

	@Override
	public long id() {
		return 1;
	}

	@Override
	public String listenerName() {
		return "recording";
	}

	@Override
	public void write(Bytes data) {
		record(data.toByteArray(), 0, data.length());
	}

	@Override
	public void write(byte[] data, int offset, int length) {
		record(data, offset, length);
	}

	@Override
	public void write(ByteBuffer data) {
		byte[] copy = new byte[data.remaining()];
		data.get(copy);
		record(copy, 0, copy.length);
	}

	@Override
	public void write(MemorySegment data) {
		byte[] copy = data.toArray(ValueLayout.JAVA_BYTE);
		record(copy, 0, copy.length);
	}

	@Override
	public void write(CharSequence text) {
		byte[] copy = text.toString().getBytes(StandardCharsets.UTF_8);
		record(copy, 0, copy.length);
	}

	@Override
	public void close() {
	}

	@Override
	public void shutdownOutput() {
	}

	@Override
	public void abort() {
	}

	@Override
	public boolean isOpen() {
		return true;
	}

	@Override
	public boolean isWritable() {
		return true;
	}

	@Override
	public @Nullable InetSocketAddress remoteAddress() {
		return null;
	}

	@Override
	public @Nullable InetSocketAddress localAddress() {
		return null;
	}

	@Override
	public @Nullable Object attachment() {
		return this.attachment;
	}

	@Override
	public void attach(@Nullable Object attachment) {
		this.attachment = attachment;
	}

}
