package dev.iouring.sample.resp;

import dev.iouring.server.Bytes;

/**
 * Reads one RESP2 command at a time from received bytes, without copying them: the arguments it finds
 * are windows into the input ({@link CommandArguments}).
 *
 * <p>Two request forms exist, told apart by the first byte as Redis does:
 * <pre>
 * multibulk: *&lt;count&gt;\r\n  then count times  $&lt;length&gt;\r\n&lt;length bytes&gt;\r\n
 * inline:    words separated by spaces or tabs, ending with \n (a \r before it is dropped)
 * </pre>
 * The parser holds no state between calls: given the bytes from the start of a command it reports the
 * command's end, or that more bytes are needed, or a protocol error. The caller keeps the bytes of an
 * incomplete command and offers them again with more appended. Every bound of {@link RespLimits} is
 * checked as soon as the bytes that break it are seen, so an endless header or line is refused early.
 *
 * <p>One instance per connection; not thread-safe.
 */
final class RespParser {

	/** Returned when the input ends before the command does. */
	static final int INCOMPLETE = -1;

	/** Returned when the input is not valid RESP; {@link #error()} says why. */
	static final int MALFORMED = -2;

	/**
	 * The longest header line ({@code *<count>} or {@code $<length>}) read before giving up. A valid one
	 * needs at most 21 bytes; Redis waits for 64 KiB, which only delays the inevitable error.
	 */
	private static final int MAX_HEADER_LENGTH = 32;

	private final RespLimits limits;

	private final CommandArguments arguments;

	private final byte[] digits = new byte[Decimal.MAX_LENGTH];

	private long headerValue;

	private String error = "";

	/**
	 * Creates a parser that fills the given arguments.
	 * @param limits the bounds to enforce
	 * @param arguments where parsed arguments go
	 */
	RespParser(RespLimits limits, CommandArguments arguments) {
		this.limits = limits;
		this.arguments = arguments;
	}

	/**
	 * Parses the command starting at {@code start}. On success the arguments hold the command; a count of
	 * zero means an empty command (a blank line, {@code *0}) that is skipped.
	 * @param input the received bytes
	 * @param start where the command starts; must be before the end of the input
	 * @return the position after the command, {@link #INCOMPLETE} or {@link #MALFORMED}
	 */
	int parse(Bytes input, int start) {
		this.arguments.reset(input);
		return (input.getByte(start) == '*') ? parseMultibulk(input, start) : parseInline(input, start);
	}

	/**
	 * Returns why the last parse returned {@link #MALFORMED}, as the text after {@code -ERR }.
	 * @return the error message
	 */
	String error() {
		return this.error;
	}

	private int parseMultibulk(Bytes input, int start) {
		int position = readHeader(input, start + 1, "too big mbulk count string", "invalid multibulk length");
		if (position < 0) {
			return position;
		}
		if (this.headerValue > this.limits.maxArguments()) {
			return malformed("invalid multibulk length");
		}
		int count = (int) Math.max(this.headerValue, 0);
		for (int i = 0; i < count; i++) {
			if (position >= input.length()) {
				return INCOMPLETE;
			}
			byte marker = input.getByte(position);
			if (marker != '$') {
				return malformed("expected '$', got '" + (char) (marker & 0xff) + "'");
			}
			position = readHeader(input, position + 1, "too big bulk count string", "invalid bulk length");
			if (position < 0) {
				return position;
			}
			if (this.headerValue < 0 || this.headerValue > this.limits.maxBulkLength()) {
				return malformed("invalid bulk length");
			}
			int length = (int) this.headerValue;
			if (input.length() - position < length + 2) {
				return INCOMPLETE;
			}
			if (input.getByte(position + length) != '\r' || input.getByte(position + length + 1) != '\n') {
				return malformed("expected CRLF after a bulk string of " + length + " bytes");
			}
			this.arguments.add(position, length);
			position += length + 2;
		}
		return position;
	}

	/**
	 * Reads the number of a header line starting at {@code position} (after its {@code *} or {@code $})
	 * into {@link #headerValue}.
	 * @return the position after the line's CRLF, {@link #INCOMPLETE} or {@link #MALFORMED}
	 */
	private int readHeader(Bytes input, int position, String tooLong, String invalid) {
		int end = Math.min(input.length(), position + MAX_HEADER_LENGTH);
		int cr = position;
		while (cr < end && input.getByte(cr) != '\r') {
			cr++;
		}
		if (cr == end) {
			return (end - position == MAX_HEADER_LENGTH) ? malformed(tooLong) : INCOMPLETE;
		}
		if (cr + 1 == input.length()) {
			return INCOMPLETE;
		}
		int length = cr - position;
		if (input.getByte(cr + 1) != '\n' || length > this.digits.length) {
			return malformed(invalid);
		}
		input.copyTo(position, this.digits, 0, length);
		try {
			this.headerValue = Decimal.parse(this.digits, 0, length);
		}
		catch (Decimal.NotAnIntegerException ex) {
			return malformed(invalid);
		}
		return cr + 2;
	}

	private int parseInline(Bytes input, int start) {
		int maxLineEnd = (int) Math.min(input.length(), (long) start + this.limits.maxInlineLength() + 2);
		int newline = start;
		while (newline < maxLineEnd && input.getByte(newline) != '\n') {
			newline++;
		}
		if (newline == maxLineEnd) {
			return (maxLineEnd - start == this.limits.maxInlineLength() + 2) ? malformed("too big inline request")
					: INCOMPLETE;
		}
		int lineEnd = (newline > start && input.getByte(newline - 1) == '\r') ? newline - 1 : newline;
		if (lineEnd - start > this.limits.maxInlineLength()) {
			return malformed("too big inline request");
		}
		int position = start;
		while (position < lineEnd) {
			while (position < lineEnd && isSpace(input.getByte(position))) {
				position++;
			}
			int wordStart = position;
			while (position < lineEnd && !isSpace(input.getByte(position))) {
				position++;
			}
			if (position > wordStart) {
				if (this.arguments.count() == this.limits.maxArguments()) {
					return malformed("too many arguments in inline request");
				}
				this.arguments.add(wordStart, position - wordStart);
			}
		}
		return newline + 1;
	}

	private static boolean isSpace(byte b) {
		return b == ' ' || b == '\t' || b == '\r';
	}

	private int malformed(String reason) {
		this.error = "Protocol error: " + reason;
		return MALFORMED;
	}

}
