package dev.iouring.sample.resp;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import dev.iouring.server.Connection;

/**
 * Collects the RESP2 replies to the commands of one received chunk in a reusable array, so that a
 * pipelined batch costs one {@link Connection#write} instead of one per reply.
 *
 * <p>Replies that never change are encoded once ({@link #OK}, {@link #PONG}, {@link #NULL_BULK}, ...).
 * Memory stays bounded: when a reply does not fit, what is pending is written out first, and the array
 * only grows past {@value #FLUSH_THRESHOLD} bytes for a single reply larger than that, shrinking back
 * at the next {@link #flush()}. One instance per connection; not thread-safe.
 */
final class RespWriter {

	static final byte[] OK = utf8("+OK\r\n");

	static final byte[] PONG = utf8("+PONG\r\n");

	static final byte[] NULL_BULK = utf8("$-1\r\n");

	static final byte[] EMPTY_ARRAY = utf8("*0\r\n");

	static final byte[] ZERO = utf8(":0\r\n");

	static final byte[] ONE = utf8(":1\r\n");

	/** Redis's reply to a command that may add data while used memory is past {@code maxmemory}. */
	static final byte[] OUT_OF_MEMORY = utf8("-OOM command not allowed when used memory > 'maxmemory'.\r\n");

	private static final byte[] CRLF = utf8("\r\n");

	/** Room for a type byte, a 64-bit decimal and CRLF. */
	private static final int MAX_HEADER_LENGTH = 1 + Decimal.MAX_LENGTH + 2;

	/** Starting size; covers a pipeline of small replies. */
	private static final int INITIAL_CAPACITY = 4 * 1024;

	/**
	 * Capacity above which the array is dropped after a flush, so a one-off big reply is not kept; also
	 * how much is collected before it is written out.
	 */
	static final int FLUSH_THRESHOLD = 64 * 1024;

	private final Connection connection;

	private byte[] buffer = new byte[INITIAL_CAPACITY];

	private int length;

	/**
	 * Creates a writer for one connection.
	 * @param connection where replies go
	 */
	RespWriter(Connection connection) {
		this.connection = connection;
	}

	/**
	 * Appends bytes that are a complete RESP value (a constant reply).
	 * @param reply the encoded reply
	 */
	void raw(byte[] reply) {
		ensure(reply.length);
		System.arraycopy(reply, 0, this.buffer, this.length, reply.length);
		this.length += reply.length;
	}

	/**
	 * Appends an integer reply ({@code :n}).
	 * @param value the number
	 */
	void integer(long value) {
		header((byte) ':', value);
	}

	/**
	 * Appends an array header ({@code *n}); the caller appends the {@code n} elements.
	 * @param count the element count
	 */
	void arrayHeader(int count) {
		header((byte) '*', count);
	}

	/**
	 * Appends a bulk string holding a whole array, or the null bulk string for {@code null}.
	 * @param value the bytes, or {@code null}
	 */
	void bulk(byte[] value) {
		if (value == null) {
			raw(NULL_BULK);
			return;
		}
		header((byte) '$', value.length);
		ensure(value.length + 2);
		System.arraycopy(value, 0, this.buffer, this.length, value.length);
		this.length += value.length;
		raw(CRLF);
	}

	/**
	 * Appends a bulk string holding a command argument.
	 * @param arguments the command's arguments
	 * @param index the argument to send back
	 */
	void bulk(CommandArguments arguments, int index) {
		int size = arguments.length(index);
		header((byte) '$', size);
		ensure(size + 2);
		arguments.copyTo(index, this.buffer, this.length);
		this.length += size;
		raw(CRLF);
	}

	/**
	 * Appends a bulk string holding text encoded as UTF-8.
	 * @param text the text
	 */
	void bulk(String text) {
		bulk(text.getBytes(StandardCharsets.UTF_8));
	}

	/**
	 * Appends an error reply. Line breaks in the message become spaces, as a RESP error is one line.
	 * @param message the message, starting with the error code ({@code ERR ...})
	 */
	void error(String message) {
		raw(utf8("-" + message.replace('\r', ' ').replace('\n', ' ') + "\r\n"));
	}

	/**
	 * Returns the bytes of replies collected and not yet written to the connection.
	 * @return the collected length
	 */
	int collected() {
		return this.length;
	}

	/**
	 * Writes the collected replies, if any, to the connection (which copies them), keeping the array for
	 * the next replies.
	 */
	void writeOut() {
		if (this.length > 0) {
			this.connection.write(this.buffer, 0, this.length);
			this.length = 0;
		}
	}

	/**
	 * Writes the collected replies, if any, to the connection and drops an array grown for a big reply.
	 */
	void flush() {
		writeOut();
		if (this.buffer.length > FLUSH_THRESHOLD) {
			this.buffer = new byte[INITIAL_CAPACITY];
		}
	}

	private void header(byte type, long value) {
		ensure(MAX_HEADER_LENGTH);
		this.buffer[this.length] = type;
		int end = Decimal.write(value, this.buffer, this.length + 1);
		this.buffer[end] = '\r';
		this.buffer[end + 1] = '\n';
		this.length = end + 2;
	}

	private void ensure(int extra) {
		if (this.buffer.length - this.length >= extra) {
			return;
		}
		if (this.length > 0 && this.length + extra > FLUSH_THRESHOLD) {
			this.connection.write(this.buffer, 0, this.length);
			this.length = 0;
		}
		if (this.buffer.length - this.length < extra) {
			this.buffer = Arrays.copyOf(this.buffer, Math.max(this.length + extra, 2 * this.buffer.length));
		}
	}

	private static byte[] utf8(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
