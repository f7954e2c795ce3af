package dev.iouring.server;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * The loops behind {@link Bytes}'s typed reads, searches and comparisons, over a window of a segment.
 * Callers have checked the window's bounds; nothing here allocates.
 */
final class ByteAccess {

	// One layout per width and order, made once: withOrder() creates a new layout at every call.
	private static final ValueLayout.OfShort SHORT_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

	private static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED
		.withOrder(ByteOrder.LITTLE_ENDIAN);

	private static final ValueLayout.OfInt INT_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

	private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

	private static final ValueLayout.OfLong LONG_BE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

	private static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED
		.withOrder(ByteOrder.LITTLE_ENDIAN);

	private ByteAccess() {
	}

	static ValueLayout.OfShort shortLayout(ByteOrder order) {
		return bigEndian(order) ? SHORT_BE : SHORT_LE;
	}

	static ValueLayout.OfInt intLayout(ByteOrder order) {
		return bigEndian(order) ? INT_BE : INT_LE;
	}

	static ValueLayout.OfLong longLayout(ByteOrder order) {
		return bigEndian(order) ? LONG_BE : LONG_LE;
	}

	private static boolean bigEndian(ByteOrder order) {
		return Objects.requireNonNull(order, "order must not be null") == ByteOrder.BIG_ENDIAN;
	}

	/** The first position at or after {@code from} holding {@code value}, or -1. */
	static int indexOf(MemorySegment segment, long offset, int length, byte value, int from) {
		for (int i = from; i < length; i++) {
			if (segment.get(ValueLayout.JAVA_BYTE, offset + i) == value) {
				return i;
			}
		}
		return -1;
	}

	/** The first position at or after {@code from} where {@code sequence} starts, or -1. */
	static int indexOf(MemorySegment segment, long offset, int length, byte[] sequence, int from) {
		if (sequence.length == 0) {
			return from;
		}
		byte first = sequence[0];
		for (int i = from, last = length - sequence.length; i <= last; i++) {
			if (segment.get(ValueLayout.JAVA_BYTE, offset + i) == first && matches(segment, offset + i, sequence)) {
				return i;
			}
		}
		return -1;
	}

	/** Whether {@code expected} lies at {@code base}; the caller made sure it fits. */
	static boolean matches(MemorySegment segment, long base, byte[] expected) {
		for (int i = 0; i < expected.length; i++) {
			if (segment.get(ValueLayout.JAVA_BYTE, base + i) != expected[i]) {
				return false;
			}
		}
		return true;
	}

	/**
	 * Whether the ASCII {@code text} lies at {@code base}, one byte per char; the caller made sure it fits.
	 * A char above 0x7f or a byte with its top bit set matches nothing.
	 */
	static boolean matches(MemorySegment segment, long base, CharSequence text, boolean ignoreCase) {
		for (int i = 0, n = text.length(); i < n; i++) {
			int expected = text.charAt(i);
			int actual = segment.get(ValueLayout.JAVA_BYTE, base + i);
			if (expected > 0x7f || actual < 0
					|| (expected != actual && (!ignoreCase || toLowerAscii(expected) != toLowerAscii(actual)))) {
				return false;
			}
		}
		return true;
	}

	private static int toLowerAscii(int c) {
		return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
	}

}
