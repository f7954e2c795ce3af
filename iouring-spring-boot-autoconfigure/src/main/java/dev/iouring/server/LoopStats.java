package dev.iouring.server;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import dev.iouring.ring.SingleWriterCounter;

/**
 * What one event loop counted about its ring. Written by the loop (ring values are copied once per loop
 * turn, because the ring's memory may only be touched by its thread); read from any thread.
 */
public final class LoopStats {

	private final int loop;

	final SingleWriterCounter enters = new SingleWriterCounter();

	final SingleWriterCounter submissions = new SingleWriterCounter();

	final SingleWriterCounter sqWakeups = new SingleWriterCounter();

	final SingleWriterCounter completions = new SingleWriterCounter();

	final SingleWriterCounter sqPending = new SingleWriterCounter();

	final SingleWriterCounter cqOverflow = new SingleWriterCounter();

	final SingleWriterCounter buffersAvailable = new SingleWriterCounter();

	final SingleWriterCounter buffersExhausted = new SingleWriterCounter();

	private final Map<String, AtomicLong> errors = new ConcurrentHashMap<>();

	private volatile String setupFlags = "";

	private volatile int sqEntries;

	private volatile int cqEntries;

	private volatile int bufferCount;

	private volatile int bufferSize;

	/**
	 * Creates the statistics of one loop, which is their only writer.
	 * @param loop the loop index
	 */
	public LoopStats(int loop) {
		this.loop = loop;
	}

	void describe(String setupFlags, int sqEntries, int cqEntries, int bufferCount, int bufferSize) {
		this.setupFlags = setupFlags;
		this.sqEntries = sqEntries;
		this.cqEntries = cqEntries;
		this.bufferCount = bufferCount;
		this.bufferSize = bufferSize;
	}

	/** Counts an unexpected operation failure. Errors are rare, so this may allocate. */
	public void error(String op, String error) {
		this.errors.computeIfAbsent(op + "/" + error, (key) -> new AtomicLong()).incrementAndGet();
	}

	public int loop() {
		return this.loop;
	}

	/** io_uring_enter system calls. */
	public long enters() {
		return this.enters.get();
	}

	/** SQEs handed to the kernel. */
	public long submissions() {
		return this.submissions.get();
	}

	/** io_uring_enter calls that woke the ring's sleeping SQPOLL thread; 0 without SQPOLL. */
	public long sqWakeups() {
		return this.sqWakeups.get();
	}

	/** CQEs reaped. */
	public long completions() {
		return this.completions.get();
	}

	/** SQEs prepared and not yet submitted at the end of the last turn. */
	public long sqPending() {
		return this.sqPending.get();
	}

	/**
	 * CQ overflow: loop turns that found completions waiting in the kernel's overflow list because the CQ
	 * was full, plus completions the kernel dropped (its own counter, which kernels with FEAT_NODROP never
	 * raise). A rising value means cq-entries is too small for the load.
	 */
	public long cqOverflow() {
		return this.cqOverflow.get();
	}

	/** Provided buffers the kernel may fill. */
	public long buffersAvailable() {
		return this.buffersAvailable.get();
	}

	/** Receives that ended because the buffer ring was empty (ENOBUFS). */
	public long buffersExhausted() {
		return this.buffersExhausted.get();
	}

	/** Unexpected failures by "op/ERRNO" (e.g. {@code accept/EMFILE}). */
	public Map<String, Long> errors() {
		Map<String, Long> copy = new java.util.TreeMap<>();
		this.errors.forEach((key, value) -> copy.put(key, value.get()));
		return copy;
	}

	/**
	 * Returns one entry of {@link #errors()} without copying the map, for meters read at scrape time.
	 * @param key an "op/ERRNO" key as listed by {@link #errors()}
	 * @return the count, 0 when that error never happened on this loop
	 */
	public long errorCount(String key) {
		AtomicLong count = this.errors.get(key);
		return (count != null) ? count.get() : 0;
	}

	public String setupFlags() {
		return this.setupFlags;
	}

	/**
	 * Returns {@link #setupFlags()} as a list of flag names.
	 * @return the granted setup flags, empty before the ring is set up and on transports without one
	 */
	public List<String> setupFlagNames() {
		String flags = this.setupFlags;
		return flags.isEmpty() ? List.of() : List.of(flags.split("\\|"));
	}

	public int sqEntries() {
		return this.sqEntries;
	}

	public int cqEntries() {
		return this.cqEntries;
	}

	public int bufferCount() {
		return this.bufferCount;
	}

	public int bufferSize() {
		return this.bufferSize;
	}

}
