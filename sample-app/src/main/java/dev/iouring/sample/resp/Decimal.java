package dev.iouring.sample.resp;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Signed 64-bit decimal numbers as Redis reads and writes them: no sign but an optional leading minus,
 * no leading zeros, no spaces, nothing outside the range of a {@code long} (Redis's {@code string2ll}).
 *
 * <p>Parsing and formatting allocate nothing on the success path, as they run for every bulk header,
 * {@code INCR} and integer reply.
 */
final class Decimal {

	/** The longest valid text: "-9223372036854775808". */
	static final int MAX_LENGTH = 20;

	/** The one value whose magnitude has no positive {@code long}. */
	private static final byte[] MIN_VALUE_TEXT = "-9223372036854775808".getBytes(StandardCharsets.US_ASCII);

	/** Below this, multiplying by ten leaves the range of a {@code long}. */
	private static final long MIN_VALUE_DIV_10 = Long.MIN_VALUE / 10;

	private static final NotAnIntegerException NOT_AN_INTEGER = new NotAnIntegerException(
			"value is not an integer or out of range");

	private Decimal() {
	}

	/**
	 * Parses a strict decimal number.
	 * @param text the array holding the digits
	 * @param offset the first character
	 * @param length the number of characters
	 * @return the value
	 * @throws NotAnIntegerException if the text is not a decimal number or does not fit in a {@code long}
	 */
	static long parse(byte[] text, int offset, int length) {
		if (length < 1 || length > MAX_LENGTH) {
			throw NOT_AN_INTEGER;
		}
		boolean negative = text[offset] == '-';
		int start = negative ? offset + 1 : offset;
		int end = offset + length;
		if (start == end || (text[start] == '0' && (end - start > 1 || negative))) {
			throw NOT_AN_INTEGER;
		}
		// Accumulate as a negative number, whose range includes Long.MIN_VALUE; the two range checks
		// replace a division per digit.
		long value = 0;
		for (int i = start; i < end; i++) {
			int digit = text[i] - '0';
			if (digit < 0 || digit > 9 || value < MIN_VALUE_DIV_10) {
				throw NOT_AN_INTEGER;
			}
			value *= 10;
			if (value < Long.MIN_VALUE + digit) {
				throw NOT_AN_INTEGER;
			}
			value -= digit;
		}
		if (!negative) {
			if (value == Long.MIN_VALUE) {
				throw NOT_AN_INTEGER;
			}
			return -value;
		}
		return value;
	}

	/**
	 * Writes a number's decimal text into an array that has room for {@link #MAX_LENGTH} bytes.
	 * @param value the number
	 * @param target the array
	 * @param offset where the text starts
	 * @return the position after the last digit
	 */
	static int write(long value, byte[] target, int offset) {
		if (value == Long.MIN_VALUE) {
			System.arraycopy(MIN_VALUE_TEXT, 0, target, offset, MIN_VALUE_TEXT.length);
			return offset + MIN_VALUE_TEXT.length;
		}
		int position = offset;
		long magnitude = value;
		if (value < 0) {
			target[position++] = '-';
			magnitude = -value;
		}
		int digits = digitCount(magnitude);
		int end = position + digits;
		for (int i = end - 1; i >= position; i--) {
			target[i] = (byte) ('0' + magnitude % 10);
			magnitude /= 10;
		}
		return end;
	}

	/**
	 * Returns a number's decimal text as a new array.
	 * @param value the number
	 * @return the ASCII digits
	 */
	static byte[] toBytes(long value) {
		byte[] scratch = new byte[MAX_LENGTH];
		int end = write(value, scratch, 0);
		return Arrays.copyOf(scratch, end);
	}

	private static int digitCount(long positive) {
		int digits = 1;
		for (long limit = 10; digits < 19 && positive >= limit; limit *= 10) {
			digits++;
		}
		return digits;
	}

	/**
	 * Thrown when text is not a decimal integer in range, or arithmetic on it overflows. The message is
	 * the text of the Redis error reply. Instances are shared and stackless, as callers only turn them
	 * into error replies.
	 */
	static final class NotAnIntegerException extends RuntimeException {

		NotAnIntegerException(String message) {
			super(message, null, false, false);
		}

	}

}
