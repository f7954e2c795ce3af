package dev.iouring.sample.resp;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import dev.iouring.server.Bytes;

/**
 * The arguments of the command being executed, name first: windows into the bytes the parser read
 * them from. Valid only while that command executes, so a command that keeps an argument copies it
 * ({@link #copy}). One instance per connection is reused for every command.
 *
 * <p>Offsets are kept relative to the command's first byte, so the arguments found so far stay right
 * when an incomplete command's bytes are moved to another buffer ({@link #rebase}).
 */
final class CommandArguments {

	private static final int INITIAL_CAPACITY = 16;

	private Bytes source = Bytes.empty();

	private int[] offsets = new int[INITIAL_CAPACITY];

	private int[] lengths = new int[INITIAL_CAPACITY];

	private int base;

	private int count;

	private final byte[] digits = new byte[Decimal.MAX_LENGTH];

	/**
	 * Starts a new command.
	 * @param source the bytes the command lies in
	 * @param start the command's first byte in {@code source}
	 */
	void reset(Bytes source, int start) {
		rebase(source, start);
		this.count = 0;
	}

	/**
	 * Points the arguments found so far at a new copy of the command's bytes.
	 * @param source the bytes the command now lies in
	 * @param start the command's first byte in {@code source}
	 */
	void rebase(Bytes source, int start) {
		this.source = source;
		this.base = start;
	}

	/**
	 * Appends an argument.
	 * @param offset its first byte, relative to the command's first byte
	 * @param length its length
	 */
	void add(int offset, int length) {
		if (this.count == this.offsets.length) {
			this.offsets = Arrays.copyOf(this.offsets, this.count * 2);
			this.lengths = Arrays.copyOf(this.lengths, this.count * 2);
		}
		this.offsets[this.count] = offset;
		this.lengths[this.count] = length;
		this.count++;
	}

	/**
	 * Returns the number of arguments, the command name included.
	 * @return the argument count
	 */
	int count() {
		return this.count;
	}

	/**
	 * Returns the length of an argument.
	 * @param index the argument, 0 being the command name
	 * @return its length in bytes
	 */
	int length(int index) {
		return this.lengths[index];
	}

	/**
	 * Returns whether an argument equals a word, ignoring ASCII case.
	 * @param index the argument
	 * @param lowerCase the word in lower case ASCII
	 * @return {@code true} on a match
	 */
	boolean is(int index, byte[] lowerCase) {
		int length = this.lengths[index];
		if (length != lowerCase.length) {
			return false;
		}
		int offset = offset(index);
		for (int i = 0; i < length; i++) {
			if (toLowerCase(this.source.getByte(offset + i)) != lowerCase[i]) {
				return false;
			}
		}
		return true;
	}

	/**
	 * Returns the lower-case ASCII form of a byte of an argument.
	 * @param index the argument
	 * @param position the byte within it
	 * @return the byte, lower-cased if it is an ASCII capital
	 */
	byte lowerCaseByte(int index, int position) {
		return toLowerCase(this.source.getByte(offset(index) + position));
	}

	/**
	 * Fills a lookup key with an argument's bytes.
	 * @param index the argument
	 * @param probe the connection's probe key
	 * @return the probe
	 */
	Key key(int index, Key probe) {
		int length = this.lengths[index];
		this.source.copyTo(offset(index), probe.fill(length), 0, length);
		return probe.seal(length);
	}

	/**
	 * Returns a copy of an argument.
	 * @param index the argument
	 * @return its bytes in a new array
	 */
	byte[] copy(int index) {
		byte[] copy = new byte[this.lengths[index]];
		this.source.copyTo(offset(index), copy, 0, copy.length);
		return copy;
	}

	/**
	 * Copies an argument into an array.
	 * @param index the argument
	 * @param target the destination, with room for {@link #length(int)} bytes at {@code offset}
	 * @param offset where to start
	 */
	void copyTo(int index, byte[] target, int offset) {
		this.source.copyTo(offset(index), target, offset, this.lengths[index]);
	}

	/**
	 * Parses an argument as a strict decimal integer.
	 * @param index the argument
	 * @return its value
	 * @throws Decimal.NotAnIntegerException if it is not an integer in range
	 */
	long toLong(int index) {
		int length = this.lengths[index];
		if (length <= this.digits.length) {
			this.source.copyTo(offset(index), this.digits, 0, length);
		}
		// A longer argument is rejected by its length alone, before any digit is read.
		return Decimal.parse(this.digits, 0, length);
	}

	/**
	 * Decodes an argument as UTF-8 text, for error messages and names.
	 * @param index the argument
	 * @return the text
	 */
	String text(int index) {
		return new String(copy(index), StandardCharsets.UTF_8);
	}

	private int offset(int index) {
		return this.base + this.offsets[index];
	}

	/**
	 * Encodes a keyword for {@link #is(int, byte[])}.
	 * @param lowerCase the keyword in lower case ASCII
	 * @return its bytes
	 */
	static byte[] word(String lowerCase) {
		return lowerCase.getBytes(StandardCharsets.US_ASCII);
	}

	private static byte toLowerCase(byte b) {
		return (b >= 'A' && b <= 'Z') ? (byte) (b + ('a' - 'A')) : b;
	}

}
