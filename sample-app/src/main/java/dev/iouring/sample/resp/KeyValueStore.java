package dev.iouring.sample.resp;

import java.time.InstantSource;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The data set of the mini-Redis: binary-safe keys to binary-safe values with an optional expiry time,
 * shared by every connection on every event loop.
 *
 * <p>Thread-safe without locks: each operation is one atomic map operation or a compare-and-set loop
 * over the map, so concurrent {@code INCR}s never lose an update. Whoever removes or replaces a mapping
 * updates the running key count and memory figure, so {@link #size()} and {@link #usedMemory()} never
 * walk the map. Expired entries are removed when a command touches them, and otherwise from an index
 * of expiry times, soonest first, when the key count is read or the memory limit is reached: at most
 * {@value #RECLAIM_BATCH} per call, so that no command stalls its event loop, as Redis bounds its own
 * expiry cycles. Until they are reclaimed, expired keys still count, as they do in Redis's DBSIZE.
 * Multi-key commands ({@code MSET}, {@code DEL k1 k2}) are atomic per key only.
 *
 * <p>Memory is counted approximately, as Redis's {@code used_memory}: the bytes of each key and value
 * plus a fixed estimate of the objects that hold them. Past {@link #maxMemory()}, commands that may add
 * data are refused ({@link #overMemoryLimit()}); reads and deletes always work.
 *
 * <p>Lookups take a {@link Key} probe so that reading never allocates; writes store a copy of the probe.
 */
public final class KeyValueStore {

	/** The sample's memory limit: 64 MiB. */
	public static final long DEFAULT_MAX_MEMORY = 64L * 1024 * 1024;

	/**
	 * Estimated bytes that hold one mapping besides its key and value bytes, with compressed references:
	 * the map node (32) and its share of the table (8), the key object (24) and its array header (16),
	 * the entry (16) and the value's array header (16).
	 */
	static final int ENTRY_OVERHEAD = 112;

	/** Estimated extra bytes of a mapping with an expiry time: a larger entry and its index node. */
	static final int EXPIRY_OVERHEAD = 96;

	/** The most expired keys one call removes from the index (well under a millisecond of work). */
	static final int RECLAIM_BATCH = 1_000;

	/** Expiry time of an entry that lives until it is overwritten or deleted. */
	private static final long NEVER = Long.MAX_VALUE;

	private static final Decimal.NotAnIntegerException OVERFLOW = new Decimal.NotAnIntegerException(
			"increment or decrement would overflow");

	private static final Comparator<Expiring> SOONEST_FIRST = Comparator.<Expiring>comparingLong((e) -> e.expiresAt)
		.thenComparingLong((e) -> e.sequence);

	private final ConcurrentHashMap<Key, Entry> entries = new ConcurrentHashMap<>();

	/** The entries that have an expiry time, soonest first. */
	private final ConcurrentSkipListMap<Expiring, Boolean> expiries = new ConcurrentSkipListMap<>(SOONEST_FIRST);

	/** Mappings in {@link #entries}, expired ones not yet removed included. */
	private final AtomicLong keyCount = new AtomicLong();

	private final AtomicLong usedMemory = new AtomicLong();

	/** Tells apart entries that expire at the same millisecond in {@link #expiries}. */
	private final AtomicLong sequence = new AtomicLong();

	private final long maxMemory;

	private final InstantSource clock;

	/**
	 * Creates an empty store with the default memory limit that reads time from the system clock.
	 */
	public KeyValueStore() {
		this(DEFAULT_MAX_MEMORY, InstantSource.system());
	}

	/**
	 * Creates an empty store with the default memory limit.
	 * @param clock where expiry times are read from (tests pass one they control)
	 */
	public KeyValueStore(InstantSource clock) {
		this(DEFAULT_MAX_MEMORY, clock);
	}

	/**
	 * Creates an empty store.
	 * @param maxMemory the used-memory figure past which writes are refused, in bytes; 0 for no limit
	 * @param clock where expiry times are read from (tests pass one they control)
	 */
	public KeyValueStore(long maxMemory, InstantSource clock) {
		if (maxMemory < 0) {
			throw new IllegalArgumentException("maxMemory must not be negative but was " + maxMemory);
		}
		this.maxMemory = maxMemory;
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
	 * Sets a value, replacing any previous value and expiry time. Does not check the memory limit: the
	 * command does, before it runs, as Redis does.
	 * @param key the key (copied if it must be stored)
	 * @param value the value, kept as is (the caller hands over a fresh array)
	 * @param timeToLiveMillis milliseconds until the key expires, or 0 for never
	 * @param condition when to set
	 * @return {@code true} if the value was set, {@code false} if the condition did not hold
	 */
	boolean set(Key key, byte[] value, long timeToLiveMillis, SetCondition condition) {
		long expiresAt = expiryTime(timeToLiveMillis);
		Entry entry = (expiresAt == NEVER) ? new Entry(value) : expiring(key.copy(), value, expiresAt);
		if (condition == SetCondition.ALWAYS) {
			// Replacing first keeps the existing key object, so overwriting allocates no key.
			Entry previous = this.entries.replace(key, entry);
			if (previous == null) {
				previous = this.entries.put(storedKey(key, entry), entry);
			}
			installed(key, previous, entry);
			return true;
		}
		while (true) {
			Entry current = this.entries.get(key);
			boolean present = current != null && !isExpired(current);
			if (present != (condition == SetCondition.IF_PRESENT)) {
				return false;
			}
			boolean swapped = (current != null) ? this.entries.replace(key, current, entry)
					: this.entries.putIfAbsent(storedKey(key, entry), entry) == null;
			if (swapped) {
				installed(key, current, entry);
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
		if (removed == null) {
			return false;
		}
		removed(key.length(), removed);
		return !isExpired(removed);
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
				Entry created = new Entry(Decimal.toBytes(delta));
				boolean swapped = (current != null) ? this.entries.replace(key, current, created)
						: this.entries.putIfAbsent(key.copy(), created) == null;
				if (swapped) {
					installed(key, current, created);
					return delta;
				}
				continue;
			}
			long sum = addExact(Decimal.parse(current.value, 0, current.value.length), delta);
			byte[] digits = Decimal.toBytes(sum);
			Entry updated = (current instanceof Expiring timed) ? expiring(timed.key, digits, timed.expiresAt)
					: new Entry(digits);
			if (this.entries.replace(key, current, updated)) {
				installed(key, current, updated);
				return sum;
			}
		}
	}

	/**
	 * Returns the number of keys: the running count, after removing up to {@value #RECLAIM_BATCH} keys
	 * whose time is up (so live keys only, unless more than that expired since the last call).
	 * @return the key count
	 */
	public int size() {
		reclaimExpired();
		return (int) Math.max(0, this.keyCount.get());
	}

	/**
	 * Returns the estimated bytes the keys and values take.
	 * @return the used-memory figure
	 */
	public long usedMemory() {
		return Math.max(0, this.usedMemory.get());
	}

	/**
	 * Returns the used-memory figure past which writes are refused.
	 * @return the limit in bytes, 0 for none
	 */
	public long maxMemory() {
		return this.maxMemory;
	}

	/**
	 * Returns whether the used-memory figure is past the limit once expired keys are removed. Commands
	 * that may add data ask this before they run and are refused when it holds, as Redis refuses them
	 * past {@code maxmemory} with no eviction policy.
	 * @return {@code true} if writes must be refused
	 */
	boolean overMemoryLimit() {
		if (this.maxMemory == 0 || this.usedMemory.get() <= this.maxMemory) {
			return false;
		}
		reclaimExpired();
		return this.usedMemory.get() > this.maxMemory;
	}

	/**
	 * Removes every key. Takes time proportional to the number of keys, as Redis's FLUSHALL does.
	 */
	public void clear() {
		for (Key key : this.entries.keySet()) {
			Entry removed = this.entries.remove(key);
			if (removed != null) {
				removed(key.length(), removed);
			}
		}
	}

	private Entry live(Key key) {
		Entry entry = this.entries.get(key);
		if (entry != null && isExpired(entry)) {
			if (this.entries.remove(key, entry)) {
				removed(key.length(), entry);
			}
			return null;
		}
		return entry;
	}

	/** Removes the entries whose expiry time has passed, soonest first, up to the batch. */
	private void reclaimExpired() {
		long now = this.clock.millis();
		int budget = RECLAIM_BATCH;
		for (Map.Entry<Expiring, Boolean> first = this.expiries.firstEntry(); first != null
				&& first.getKey().expiresAt <= now && budget-- > 0; first = this.expiries.firstEntry()) {
			Expiring entry = first.getKey();
			// Whoever takes the mapping out counts it: here, or a command that replaced or deleted it.
			if (this.expiries.remove(entry) != null && this.entries.remove(entry.key, entry)) {
				this.keyCount.decrementAndGet();
				this.usedMemory.addAndGet(-cost(entry.key.length(), entry));
			}
		}
	}

	/**
	 * Accounts for a mapping written: a new key, or {@code previous} replaced. Its caller did the write.
	 */
	private void installed(Key key, Entry previous, Entry entry) {
		int keyLength = key.length();
		if (previous == null) {
			this.keyCount.incrementAndGet();
			this.usedMemory.addAndGet(cost(keyLength, entry));
		}
		else {
			long delta = cost(keyLength, entry) - cost(keyLength, previous);
			if (delta != 0) {
				this.usedMemory.addAndGet(delta);
			}
			if (previous instanceof Expiring timed) {
				this.expiries.remove(timed);
			}
		}
		if (entry instanceof Expiring timed) {
			this.expiries.put(timed, Boolean.TRUE);
			// Replaced or deleted meanwhile: that command may have looked for it in the index too early.
			if (this.entries.get(key) != timed) {
				this.expiries.remove(timed);
			}
		}
	}

	/** Accounts for a mapping its caller took out of the map. */
	private void removed(int keyLength, Entry entry) {
		this.keyCount.decrementAndGet();
		this.usedMemory.addAndGet(-cost(keyLength, entry));
		if (entry instanceof Expiring timed) {
			this.expiries.remove(timed);
		}
	}

	private Expiring expiring(Key storedKey, byte[] value, long expiresAt) {
		return new Expiring(storedKey, value, expiresAt, this.sequence.incrementAndGet());
	}

	private static Key storedKey(Key key, Entry entry) {
		return (entry instanceof Expiring timed) ? timed.key : key.copy();
	}

	private static long cost(int keyLength, Entry entry) {
		return ENTRY_OVERHEAD + keyLength + entry.value.length + ((entry instanceof Expiring) ? EXPIRY_OVERHEAD : 0);
	}

	private boolean isExpired(Entry entry) {
		return entry instanceof Expiring timed && timed.expiresAt <= this.clock.millis();
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
	 * A stored value that lives until it is overwritten or deleted. Identity matters: compare-and-set
	 * loops replace exactly the entry they read.
	 */
	private static class Entry {

		final byte[] value;

		Entry(byte[] value) {
			this.value = value;
		}

	}

	/**
	 * A stored value with the wall-clock millisecond at which it expires, and its own copy of the key
	 * so that the expiry index can remove it.
	 */
	private static final class Expiring extends Entry {

		final Key key;

		final long expiresAt;

		final long sequence;

		Expiring(Key key, byte[] value, long expiresAt, long sequence) {
			super(value);
			this.key = key;
			this.expiresAt = expiresAt;
			this.sequence = sequence;
		}

	}

}
