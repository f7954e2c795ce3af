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
 * Given the bytes from the start of a command, the parser reports the command's end, or that more
 * bytes are needed, or a protocol error. After {@link #INCOMPLETE} the caller keeps the command's bytes
 * and offers them again, from the command's first byte, with more appended (possibly in another
 * buffer); the parser resumes where it stopped (after the last whole argument, or after the part of an
 * inline line already searched), so a command that trickles in is not read again from the start.
 * Every bound of {@link RespLimits} is checked as soon as the bytes that break it are seen, so an
 * endless header or line is refused early.
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

	/** Up to this many decimal digits always fit in a {@code long}. */
	private static final int MAX_PLAIN_DIGITS = 18;

	private final RespLimits limits;

	private final CommandArguments arguments;

	private final byte[] digits = new byte[Decimal.MAX_LENGTH];

	private long headerValue;

	/**
	 * Where the incomplete command is resumed, relative to its first byte; 0 when no command is
	 * incomplete. Never 0 for an incomplete command once resuming is possible, as a multibulk header or
	 * a searched inline byte comes first.
	 */
	private int resumeAt;

	/** The argument count of the incomplete multibulk command. */
	private int expectedArguments;

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
	 * Parses the command starting at {@code start}, or goes on with the incomplete one whose bytes now
	 * start there. On success the arguments hold the command; a count of zero means an empty command (a
	 * blank line, {@code *0}) that is skipped.
	 * @param input the received bytes
	 * @param start where the command starts; must be before the end of the input
	 * @return the position after the command, {@link #INCOMPLETE} or {@link #MALFORMED}
	 */
	int parse(Bytes input, int start) {
		if (this.resumeAt > 0) {
			this.arguments.rebase(input, start);
		}
		else {
			this.arguments.reset(input, start);
		}
		int result = (input.getByte(start) == '*') ? parseMultibulk(input, start) : parseInline(input, start);
		if (result != INCOMPLETE) {
			this.resumeAt = 0;
		}
		return result;
	}

	/**
	 * Returns why the last parse returned {@link #MALFORMED}, as the text after {@code -ERR }.
	 * @return the error message
	 */
	String error() {
		return this.error;
	}

	private int parseMultibulk(Bytes input, int start) {
		int position = start + this.resumeAt;
		if (this.resumeAt == 0) {
			position = readHeader(input, start + 1, "too big mbulk count string", "invalid multibulk length");
			if (position < 0) {
				return position;
			}
			if (this.headerValue > this.limits.maxArguments()) {
				return malformed("invalid multibulk length");
			}
			this.expectedArguments = (int) Math.max(this.headerValue, 0);
		}
		while (this.arguments.count() < this.expectedArguments) {
			// Each argument starts here; if it is not all there, the next call resumes here.
			this.resumeAt = position - start;
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
			this.arguments.add(position - start, length);
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
		// Plain digits (the usual case) are summed during the search for CR; anything else is left to
		// Decimal.parse, which knows every rule.
		long plainValue = 0;
		boolean plain = true;
		for (byte b; cr < end && (b = input.getByte(cr)) != '\r'; cr++) {
			int digit = b - '0';
			plain &= digit >= 0 && digit <= 9;
			plainValue = plainValue * 10 + digit;
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
		if (plain && length >= 1 && length <= MAX_PLAIN_DIGITS
				&& (length == 1 || input.getByte(position) != '0')) {
			this.headerValue = plainValue;
			return cr + 2;
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
		int newline = start + this.resumeAt;
		while (newline < maxLineEnd && input.getByte(newline) != '\n') {
			newline++;
		}
		if (newline == maxLineEnd) {
			if (maxLineEnd - start == this.limits.maxInlineLength() + 2) {
				return malformed("too big inline request");
			}
			this.resumeAt = newline - start;
			return INCOMPLETE;
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
				this.arguments.add(wordStart - start, position - wordStart);
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
