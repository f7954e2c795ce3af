package dev.iouring.sample.resp;

import java.time.InstantSource;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The data set of the mini-Redis: binary-safe keys to binary-safe values with an optional expiry time,
 * shared by every connection on every event loop.
 *
 * <p>Thread-safe without locks: each operation is one atomic map operation or a compare-and-set loop
 * over the map, so concurrent {@code INCR}s never lose an update. Expired entries are removed lazily,
 * when a command touches them; {@link #size()} counts only live entries (and removes the dead ones it
 * meets). Multi-key commands ({@code MSET}, {@code DEL k1 k2}) are atomic per key only.
 *
 * <p>Lookups take a {@link Key} probe so that reading never allocates; writes store a copy of the probe.
 */
public final class KeyValueStore {

	/** Expiry time of an entry that lives until it is overwritten or deleted. */
	private static final long NEVER = Long.MAX_VALUE;

	private static final Decimal.NotAnIntegerException OVERFLOW = new Decimal.NotAnIntegerException(
			"increment or decrement would overflow");

	private final ConcurrentHashMap<Key, Entry> entries = new ConcurrentHashMap<>();

	private final InstantSource clock;

	/**
	 * Creates an empty store that reads time from the system clock.
	 */
	public KeyValueStore() {
		this(InstantSource.system());
	}

	/**
	 * Creates an empty store.
	 * @param clock where expiry times are read from (tests pass one they control)
	 */
	public KeyValueStore(InstantSource clock) {
		this.clock = clock;
	}

	/**
	 * Returns the value of a live key.
	 * @param key the key
	 * @return the value (not to be modified), or {@code null} if absent or expired
	 */
	byte[] get(Key key) {
		Entry entry = live(key);
		return (entry != null) ? entry.value : null;
	}

	/**
	 * Returns whether a key is present and not expired.
	 * @param key the key
	 * @return {@code true} if it exists
	 */
	boolean exists(Key key) {
		return live(key) != null;
	}

	/**
	 * Sets a value, replacing any previous value and expiry time.
	 * @param key the key (copied if it must be stored)
	 * @param value the value, kept as is (the caller hands over a fresh array)
	 * @param timeToLiveMillis milliseconds until the key expires, or 0 for never
	 * @param condition when to set
	 * @return {@code true} if the value was set, {@code false} if the condition did not hold
	 */
	boolean set(Key key, byte[] value, long timeToLiveMillis, SetCondition condition) {
		Entry entry = new Entry(value, expiryTime(timeToLiveMillis));
		if (condition == SetCondition.ALWAYS) {
			// Replacing first keeps the existing key object, so overwriting allocates no key.
			if (this.entries.replace(key, entry) == null) {
				this.entries.put(key.copy(), entry);
			}
			return true;
		}
		while (true) {
			Entry current = this.entries.get(key);
			boolean present = current != null && !isExpired(current);
			if (present != (condition == SetCondition.IF_PRESENT)) {
				return false;
			}
			boolean swapped = (current != null) ? this.entries.replace(key, current, entry)
					: this.entries.putIfAbsent(key.copy(), entry) == null;
			if (swapped) {
				return true;
			}
		}
	}

	/**
	 * Deletes a key.
	 * @param key the key
	 * @return {@code true} if a live key was deleted
	 */
	boolean delete(Key key) {
		Entry removed = this.entries.remove(key);
		return removed != null && !isExpired(removed);
	}

	/**
	 * Adds to the integer held by a key, treating an absent key as 0. The expiry time is kept.
	 * @param key the key
	 * @param delta the amount to add
	 * @return the new value
	 * @throws Decimal.NotAnIntegerException if the value is not an integer or the sum overflows (the
	 * message says which)
	 */
	long incrementBy(Key key, long delta) {
		while (true) {
			Entry current = this.entries.get(key);
			if (current == null || isExpired(current)) {
				Entry created = new Entry(Decimal.toBytes(delta), NEVER);
				boolean swapped = (current != null) ? this.entries.replace(key, current, created)
						: this.entries.putIfAbsent(key.copy(), created) == null;
				if (swapped) {
					return delta;
				}
				continue;
			}
			long sum = addExact(Decimal.parse(current.value, 0, current.value.length), delta);
			if (this.entries.replace(key, current, new Entry(Decimal.toBytes(sum), current.expiresAt))) {
				return sum;
			}
		}
	}

	/**
	 * Returns the number of live keys, removing expired ones on the way. Takes time proportional to the
	 * number of entries, as a sample can afford.
	 * @return the key count
	 */
	public int size() {
		int live = 0;
		for (var iterator = this.entries.entrySet().iterator(); iterator.hasNext();) {
			var mapping = iterator.next();
			Entry entry = mapping.getValue();
			if (isExpired(entry)) {
				this.entries.remove(mapping.getKey(), entry);
			}
			else {
				live++;
			}
		}
		return live;
	}

	/**
	 * Removes every key.
	 */
	public void clear() {
		this.entries.clear();
	}

	private Entry live(Key key) {
		Entry entry = this.entries.get(key);
		if (entry != null && isExpired(entry)) {
			this.entries.remove(key, entry);
			return null;
		}
		return entry;
	}

	private boolean isExpired(Entry entry) {
		return entry.expiresAt != NEVER && entry.expiresAt <= this.clock.millis();
	}

	private long expiryTime(long timeToLiveMillis) {
		if (timeToLiveMillis == 0) {
			return NEVER;
		}
		long now = this.clock.millis();
		return (timeToLiveMillis > NEVER - now) ? NEVER - 1 : now + timeToLiveMillis;
	}

	private static long addExact(long value, long delta) {
		long sum = value + delta;
		// Overflow happened if both operands have the sign the sum lacks.
		if (((value ^ sum) & (delta ^ sum)) < 0) {
			throw OVERFLOW;
		}
		return sum;
	}

	/**
	 * When {@code SET} writes: always, only if the key is absent ({@code NX}) or only if present
	 * ({@code XX}).
	 */
	enum SetCondition {

		ALWAYS, IF_ABSENT, IF_PRESENT

	}

	/**
	 * A stored value and the wall-clock millisecond at which it expires ({@link #NEVER} for never).
	 * Identity matters: compare-and-set loops replace exactly the entry they read.
	 */
	private static final class Entry {

		final byte[] value;

		final long expiresAt;

		Entry(byte[] value, long expiresAt) {
			this.value = value;
			this.expiresAt = expiresAt;
		}

	}

}
