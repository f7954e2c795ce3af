package dev.iouring.server;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

import dev.iouring.ring.NativeMemory;

/**
 * The native buffers one loop's TLS sessions borrow while they decrypt and encrypt, shared by all of
 * the loop's connections. A session borrows a buffer for the length of one call and gives it back as
 * soon as it is empty, so only a session that keeps bytes between calls (a record cut short, bytes that
 * arrive while a handshake task runs) holds one: an idle connection, or one whose handshake stalls after
 * its ClientHello, holds none.
 *
 * <p>Buffers come in three sizes, one, two and four times {@link #UNIT} (a unit holds the JDK's largest
 * TLS record, 16,709 bytes): the few records a session may keep fit the largest. A request beyond it
 * (an engine with larger records) gets a buffer of its own size that is not kept for reuse. Up to
 * {@link #RETAINED_BYTES} of returned buffers stay ready per loop; past that a returned buffer is let go.
 *
 * <p>Buffers are direct buffers without a memory session, so the engine reads and writes them without
 * acquiring one; {@link NativeMemory} counts each from its allocation until it is let go or the pool is
 * {@link #release() released}. The memory itself goes when the garbage collector runs the buffers'
 * cleaners.
 *
 * <p>Threads: the owning loop only.
 */
final class TlsBufferPool {

	/** The smallest buffer: one TLS record of the JDK's largest packet size, rounded up to a KiB. */
	static final int UNIT = 17 * 1024;

	/** Returned buffers kept ready for reuse, per loop. */
	static final long RETAINED_BYTES = 2L * 1024 * 1024;

	private static final int[] SIZES = { UNIT, 2 * UNIT, 4 * UNIT };

	/** Free buffers of each size, as stacks. */
	private final TlsBuffer[][] free = new TlsBuffer[SIZES.length][];

	private final int[] freeCount = new int[SIZES.length];

	private long freeBytes;

	/** Bytes allocated and not yet let go: lent and free alike. */
	private long reservedBytes;

	private boolean released;

	/** The loop's direct allocations, shared with its send chunks. */
	private final DirectMemoryRefusals refusals;

	TlsBufferPool() {
		this(new DirectMemoryRefusals());
	}

	TlsBufferPool(DirectMemoryRefusals refusals) {
		this.refusals = refusals;
		for (int i = 0; i < SIZES.length; i++) {
			this.free[i] = new TlsBuffer[(int) (RETAINED_BYTES / SIZES[i])];
		}
	}

	/**
	 * Lends an empty buffer of at least {@code capacity} bytes, in write mode.
	 * @param capacity the bytes the caller needs
	 * @return the buffer, to be given back with {@link #give}
	 */
	TlsBuffer take(int capacity) {
		int sizeClass = sizeClass(capacity);
		if (sizeClass >= 0 && this.freeCount[sizeClass] > 0) {
			TlsBuffer buffer = this.free[sizeClass][--this.freeCount[sizeClass]];
			this.free[sizeClass][this.freeCount[sizeClass]] = null;
			this.freeBytes -= buffer.capacity();
			return buffer;
		}
		int size = (sizeClass >= 0) ? SIZES[sizeClass] : capacity;
		ByteBuffer memory = this.refusals.allocate(size);
		if (memory == null) {
			throw new Refused(size);
		}
		TlsBuffer buffer = new TlsBuffer(memory, sizeClass);
		if (!this.released) {
			NativeMemory.reserved(size);
			this.reservedBytes += size;
		}
		return buffer;
	}

	/**
	 * The JVM's direct memory limit refused a buffer. Peers cause it (many connections holding records),
	 * so it closes only the connection that asked; an {@link IllegalStateException} so that a session's
	 * last words at a close, which may need a buffer too, are skipped like any other refusal there.
	 */
	static final class Refused extends IllegalStateException {

		private static final long serialVersionUID = 1L;

		Refused(int size) {
			super("the JVM's direct memory limit (-XX:MaxDirectMemorySize) refused a TLS buffer of " + size
					+ " bytes", null);
		}

	}

	/** Takes back a buffer lent by {@link #take}; the caller must not use it after. */
	void give(TlsBuffer buffer) {
		buffer.buffer.clear();
		this.refusals.returned();
		int sizeClass = buffer.sizeClass;
		if (!this.released && sizeClass >= 0 && this.freeCount[sizeClass] < this.free[sizeClass].length
				&& this.freeBytes + buffer.capacity() <= RETAINED_BYTES) {
			this.free[sizeClass][this.freeCount[sizeClass]++] = buffer;
			this.freeBytes += buffer.capacity();
			return;
		}
		letGo(buffer.capacity());
	}

	/** Bytes allocated and not let go: what the loop's TLS sessions cost in native memory now. */
	long reservedBytes() {
		return this.reservedBytes;
	}

	/** Bytes of free buffers kept for reuse. */
	long freeBytes() {
		return this.freeBytes;
	}

	/**
	 * Lets go of every buffer, lent or free, when the loop stops. Buffers given back afterwards (by a
	 * connection abandoned after a loop failure) are dropped. Idempotent.
	 */
	void release() {
		if (!this.released) {
			this.released = true;
			for (int i = 0; i < SIZES.length; i++) {
				java.util.Arrays.fill(this.free[i], null);
				this.freeCount[i] = 0;
			}
			this.freeBytes = 0;
			NativeMemory.released(this.reservedBytes);
			this.reservedBytes = 0;
		}
	}

	private void letGo(int size) {
		if (!this.released) {
			NativeMemory.released(size);
			this.reservedBytes -= size;
		}
	}

	private static int sizeClass(int capacity) {
		for (int i = 0; i < SIZES.length; i++) {
			if (capacity <= SIZES[i]) {
				return i;
			}
		}
		return -1;
	}

	/**
	 * One lent buffer, seen as a {@link ByteBuffer} (for the engine) and as a segment (for the sinks, which
	 * take {@code (segment, offset, length)}), both made once when the buffer is allocated, plus a second
	 * buffer over the same memory for reading it without moving the first one's position.
	 */
	static final class TlsBuffer {

		final ByteBuffer buffer;

		final MemorySegment segment;

		/** Reads the same memory; its position and limit are the reader's to set. */
		final ByteBuffer reader;

		final int sizeClass;

		TlsBuffer(ByteBuffer buffer, int sizeClass) {
			this.buffer = buffer;
			this.segment = MemorySegment.ofBuffer(buffer);
			this.reader = buffer.duplicate();
			this.sizeClass = sizeClass;
		}

		int capacity() {
			return this.buffer.capacity();
		}

	}

}
