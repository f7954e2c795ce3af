package dev.iouring.server.codec;

import dev.iouring.server.Bytes;

/**
 * Finds a delimiter in a stream that arrives in chunks, with the Knuth-Morris-Pratt algorithm: each byte
 * is read once, and a delimiter split across chunks is found because the length of the partial match is
 * carried from one chunk to the next.
 *
 * <p>{@link #matched()} is also what lets a codec reject an oversized frame before its delimiter
 * arrives: of the bytes scanned since the last delimiter, only the last {@code matched()} may still turn
 * out to be delimiter, so the rest is certainly frame content.
 */
final class DelimiterMatcher {

	private final byte[] delimiter;

	/**
	 * For each prefix {@code delimiter[0..i]}, the length of its longest proper prefix that is also its
	 * suffix: where matching resumes after a mismatch.
	 */
	private final int[] fallback;

	/** Length of the longest suffix of the bytes scanned so far that is a prefix of the delimiter. */
	private int matched;

	/**
	 * Creates a matcher.
	 * @param delimiter the non-empty byte sequence to find (not copied; must not change)
	 */
	DelimiterMatcher(byte[] delimiter) {
		if (delimiter.length == 0) {
			throw new IllegalArgumentException("delimiter must not be empty");
		}
		this.delimiter = delimiter;
		this.fallback = fallbackTable(delimiter);
	}

	private static int[] fallbackTable(byte[] delimiter) {
		int[] table = new int[delimiter.length];
		int border = 0;
		for (int i = 1; i < delimiter.length; i++) {
			while (border > 0 && delimiter[i] != delimiter[border]) {
				border = table[border - 1];
			}
			if (delimiter[i] == delimiter[border]) {
				border++;
			}
			table[i] = border;
		}
		return table;
	}

	/**
	 * Returns the delimiter's length.
	 * @return the length in bytes
	 */
	int length() {
		return this.delimiter.length;
	}

	/**
	 * Returns how many of the last bytes scanned form the start of the delimiter.
	 * @return the partial match length, less than {@link #length()}
	 */
	int matched() {
		return this.matched;
	}

	/**
	 * Scans bytes until a delimiter completes or the range ends. A completed match resets the state, so the
	 * next call looks for the next delimiter.
	 * @param input the chunk
	 * @param from the first byte to scan
	 * @param to the end of the range (exclusive)
	 * @return the position just past the delimiter's last byte, or -1 if none completed in the range
	 */
	int find(Bytes input, int from, int to) {
		int state = this.matched;
		for (int i = from; i < to; i++) {
			byte value = input.getByte(i);
			while (state > 0 && this.delimiter[state] != value) {
				state = this.fallback[state - 1];
			}
			if (this.delimiter[state] == value) {
				state++;
				if (state == this.delimiter.length) {
					this.matched = 0;
					return i + 1;
				}
			}
		}
		this.matched = state;
		return -1;
	}

}
