package dev.iouring.benchmarks.netty;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

/**
 * A minimal RESP server: enough of Redis for {@code redis-benchmark -t ping_inline,ping_mbulk,set,get}.
 * <p>
 * Commands arrive as inline lines ({@code PING\r\n}) or multibulk arrays ({@code *1\r\n$4\r\nPING\r\n}).
 * Arguments are located in the cumulation buffer by offset and only copied when stored. All replies to
 * the commands of one read go into one pooled buffer, written once; the channel flushes when the read
 * burst completes, so a pipelined batch costs one write.
 * <p>
 * The key space is shared by every connection but touched only by the single event loop thread.
 */
final class RespHandler extends ByteToMessageDecoder {

	/** More arguments than this in one command is treated as a protocol error. */
	private static final int MAX_ARGUMENTS = 1024;

	private static final byte[] PING = ascii("PING");
	private static final byte[] SET = ascii("SET");
	private static final byte[] GET = ascii("GET");
	private static final byte[] CONFIG = ascii("CONFIG");
	private static final byte[] PONG_REPLY = ascii("+PONG\r\n");
	private static final byte[] OK_REPLY = ascii("+OK\r\n");
	private static final byte[] NIL_REPLY = ascii("$-1\r\n");
	/** redis-benchmark asks for CONFIG GET save/appendonly; an empty list means "nothing to report". */
	private static final byte[] EMPTY_LIST_REPLY = ascii("*0\r\n");
	private static final byte[] UNKNOWN_REPLY = ascii("-ERR unknown command\r\n");
	private static final byte[] ARITY_REPLY = ascii("-ERR wrong number of arguments\r\n");
	private static final byte[] PROTOCOL_REPLY = ascii("-ERR Protocol error\r\n");

	private final Map<ByteBuffer, byte[]> keySpace;

	private final int[] argumentOffsets = new int[MAX_ARGUMENTS];

	private final int[] argumentLengths = new int[MAX_ARGUMENTS];

	RespHandler(Map<ByteBuffer, byte[]> keySpace) {
		this.keySpace = keySpace;
	}

	@Override
	protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
		ByteBuf reply = null;
		while (in.isReadable()) {
			int start = in.readerIndex();
			int count = (in.getByte(start) == '*') ? parseMultibulk(in) : parseInline(in);
			if (count == INCOMPLETE) {
				in.readerIndex(start);
				break;
			}
			if (reply == null) {
				reply = ctx.alloc().ioBuffer(256);
			}
			if (count == MALFORMED) {
				reply.writeBytes(PROTOCOL_REPLY);
				in.skipBytes(in.readableBytes());
				ctx.writeAndFlush(reply).addListener(future -> ctx.close());
				return;
			}
			if (count > 0) {
				execute(in, count, reply);
			}
		}
		if (reply != null) {
			ctx.write(reply, ctx.voidPromise());
		}
	}

	@Override
	public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
		super.channelReadComplete(ctx);
		ctx.flush();
	}

	@Override
	public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
		ctx.close();
	}

	private static final int INCOMPLETE = -1;

	private static final int MALFORMED = -2;

	/** {@code *N\r\n} then N times {@code $LEN\r\nBYTES\r\n}. Returns the argument count. */
	private int parseMultibulk(ByteBuf in) {
		long count = readNumberLine(in, in.readerIndex() + 1);
		if (count == INCOMPLETE || count == MALFORMED) {
			return (int) count;
		}
		if (count > MAX_ARGUMENTS || count < 0) {
			return MALFORMED;
		}
		for (int i = 0; i < count; i++) {
			if (!in.isReadable()) {
				return INCOMPLETE;
			}
			if (in.getByte(in.readerIndex()) != '$') {
				return MALFORMED;
			}
			long length = readNumberLine(in, in.readerIndex() + 1);
			if (length == INCOMPLETE || length == MALFORMED) {
				return (int) length;
			}
			if (length < 0 || length > Integer.MAX_VALUE - 2) {
				return MALFORMED;
			}
			if (in.readableBytes() < length + 2) {
				return INCOMPLETE;
			}
			this.argumentOffsets[i] = in.readerIndex();
			this.argumentLengths[i] = (int) length;
			in.skipBytes((int) length + 2);
		}
		return (int) count;
	}

	/**
	 * Reads the decimal number from {@code from} to the end of the line and moves the reader past the
	 * line's CRLF.
	 */
	private static long readNumberLine(ByteBuf in, int from) {
		int newline = in.indexOf(from, in.writerIndex(), (byte) '\n');
		if (newline < 0) {
			return INCOMPLETE;
		}
		int end = newline - 1;
		if (end < from || in.getByte(end) != '\r') {
			return MALFORMED;
		}
		boolean negative = in.getByte(from) == '-';
		long value = 0;
		for (int i = negative ? from + 1 : from; i < end; i++) {
			byte digit = in.getByte(i);
			if (digit < '0' || digit > '9' || value > Integer.MAX_VALUE) {
				return MALFORMED;
			}
			value = value * 10 + (digit - '0');
		}
		in.readerIndex(newline + 1);
		return negative ? -value : value;
	}

	/** One line of space-separated words. Returns the word count (0 for an empty line). */
	private int parseInline(ByteBuf in) {
		int start = in.readerIndex();
		int newline = in.indexOf(start, in.writerIndex(), (byte) '\n');
		if (newline < 0) {
			return INCOMPLETE;
		}
		int end = (newline > start && in.getByte(newline - 1) == '\r') ? newline - 1 : newline;
		int count = 0;
		int i = start;
		while (i < end) {
			while (i < end && in.getByte(i) == ' ') {
				i++;
			}
			if (i == end) {
				break;
			}
			if (count == MAX_ARGUMENTS) {
				return MALFORMED;
			}
			int wordStart = i;
			while (i < end && in.getByte(i) != ' ') {
				i++;
			}
			this.argumentOffsets[count] = wordStart;
			this.argumentLengths[count] = i - wordStart;
			count++;
		}
		in.readerIndex(newline + 1);
		return count;
	}

	private void execute(ByteBuf in, int count, ByteBuf reply) {
		if (isCommand(in, PING)) {
			if (count == 1) {
				reply.writeBytes(PONG_REPLY);
			}
			else {
				writeBulk(reply, in, this.argumentOffsets[1], this.argumentLengths[1]);
			}
		}
		else if (isCommand(in, SET)) {
			if (count < 3) {
				reply.writeBytes(ARITY_REPLY);
				return;
			}
			this.keySpace.put(ByteBuffer.wrap(copyArgument(in, 1)), copyArgument(in, 2));
			reply.writeBytes(OK_REPLY);
		}
		else if (isCommand(in, GET)) {
			if (count != 2) {
				reply.writeBytes(ARITY_REPLY);
				return;
			}
			byte[] value = this.keySpace.get(ByteBuffer.wrap(copyArgument(in, 1)));
			if (value == null) {
				reply.writeBytes(NIL_REPLY);
			}
			else {
				reply.writeByte('$');
				writeDecimal(reply, value.length);
				reply.writeByte('\r').writeByte('\n');
				reply.writeBytes(value);
				reply.writeByte('\r').writeByte('\n');
			}
		}
		else if (isCommand(in, CONFIG)) {
			reply.writeBytes(EMPTY_LIST_REPLY);
		}
		else {
			reply.writeBytes(UNKNOWN_REPLY);
		}
	}

	/** Case-insensitive comparison of the first argument with an upper-case command name. */
	private boolean isCommand(ByteBuf in, byte[] name) {
		if (this.argumentLengths[0] != name.length) {
			return false;
		}
		int offset = this.argumentOffsets[0];
		for (int i = 0; i < name.length; i++) {
			int b = in.getByte(offset + i);
			if (b >= 'a' && b <= 'z') {
				b -= 'a' - 'A';
			}
			if (b != name[i]) {
				return false;
			}
		}
		return true;
	}

	private byte[] copyArgument(ByteBuf in, int index) {
		byte[] bytes = new byte[this.argumentLengths[index]];
		in.getBytes(this.argumentOffsets[index], bytes);
		return bytes;
	}

	private static void writeBulk(ByteBuf reply, ByteBuf in, int offset, int length) {
		reply.writeByte('$');
		writeDecimal(reply, length);
		reply.writeByte('\r').writeByte('\n');
		reply.writeBytes(in, offset, length);
		reply.writeByte('\r').writeByte('\n');
	}

	private static void writeDecimal(ByteBuf reply, int value) {
		if (value >= 10) {
			writeDecimal(reply, value / 10);
		}
		reply.writeByte('0' + value % 10);
	}

	private static byte[] ascii(String text) {
		return text.getBytes(StandardCharsets.US_ASCII);
	}

}
