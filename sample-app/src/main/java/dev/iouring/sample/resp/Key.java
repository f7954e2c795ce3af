package dev.iouring.sample.resp;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A binary-safe key of the {@link KeyValueStore}: the first {@code length} bytes of an array, with the
 * hash computed once.
 *
 * <p>Two kinds of instances share this class so that they compare equal to each other: keys stored in
 * the map ({@link #copyOf}) never change, and probes ({@link #probe}) are reused by one connection to
 * look keys up without allocating. A probe must never be stored: the store copies it first. Probes are
 * owned by one connection, whose callbacks never run concurrently, so they need no synchronisation.
 */
final class Key {

	/** Reads eight bytes of an array as one long. */
	private static final VarHandle LONG_VIEW = MethodHandles.byteArrayViewVarHandle(long[].class,
			ByteOrder.LITTLE_ENDIAN);

	/** The 64-bit golden-ratio constant, an odd multiplier that spreads bits well. */
	private static final long MIX = 0x9E3779B97F4A7C15L;

	private byte[] bytes;

	private int length;

	private int hash;

	private Key(byte[] bytes, int length) {
		this.bytes = bytes;
		this.length = length;
		this.hash = hashOf(bytes, length);
	}

	/**
	 * Returns an immutable key holding a copy of the given bytes.
	 * @param bytes the key bytes (copied)
	 * @return the key
	 */
	static Key of(byte[] bytes) {
		return new Key(bytes.clone(), bytes.length);
	}

	/**
	 * Returns an empty probe with room for keys of the given size; it grows when needed.
	 * @param capacity the initial capacity in bytes
	 * @return a probe to fill with {@link #fill}
	 */
	static Key probe(int capacity) {
		return new Key(new byte[capacity], 0);
	}

	/**
	 * Returns an immutable copy of this key, suitable for storing.
	 * @return the stored form
	 */
	Key copy() {
		return new Key(Arrays.copyOf(this.bytes, this.length), this.length);
	}

	/**
	 * Makes room in this probe for {@code length} bytes and returns the array to copy them into; the
	 * caller copies the bytes and then calls {@link #seal(int)}.
	 * @param length the size of the next key
	 * @return the backing array, at least {@code length} long
	 */
	byte[] fill(int length) {
		if (this.bytes.length < length) {
			this.bytes = new byte[Math.max(length, this.bytes.length * 2)];
		}
		return this.bytes;
	}

	/**
	 * Finishes filling a probe: sets its length and recomputes the hash.
	 * @param length the number of bytes copied by the caller
	 * @return this probe
	 */
	Key seal(int length) {
		this.length = length;
		this.hash = hashOf(this.bytes, length);
		return this;
	}

	/**
	 * Returns the key's length.
	 * @return the number of key bytes
	 */
	int length() {
		return this.length;
	}

	/**
	 * Returns the key bytes as a new array.
	 * @return a copy of the bytes
	 */
	byte[] toByteArray() {
		return Arrays.copyOf(this.bytes, this.length);
	}

	/**
	 * Hashes eight bytes per step (a multiply-xorshift mix); a byte-at-a-time hash was a visible share
	 * of the time of a pipelined GET.
	 */
	private static int hashOf(byte[] bytes, int length) {
		long h = length;
		int i = 0;
		for (; i + Long.BYTES <= length; i += Long.BYTES) {
			h = (h ^ (long) LONG_VIEW.get(bytes, i)) * MIX;
			h ^= h >>> 29;
		}
		for (; i < length; i++) {
			h = (h ^ (bytes[i] & 0xff)) * MIX;
		}
		h ^= h >>> 32;
		return (int) h;
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof Key key && key.hash == this.hash
				&& Arrays.equals(this.bytes, 0, this.length, key.bytes, 0, key.length);
	}

	@Override
	public int hashCode() {
		return this.hash;
	}

	@Override
	public String toString() {
		return "Key[length=" + this.length + "]";
	}

}
