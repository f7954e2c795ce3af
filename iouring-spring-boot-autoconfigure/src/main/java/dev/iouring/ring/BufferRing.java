package dev.iouring.ring;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * A provided buffer ring (IORING_REGISTER_PBUF_RING): {@code count} buffers of {@code size} bytes that the
 * kernel picks from when a receive is issued with buffer select. A completion names the buffer it
 * filled ({@link Cqe#bufferId}); the owner reads it, then {@link #recycle recycles} it so the kernel can
 * use it again.
 *
 * <pre>
 * entries: count x struct io_uring_buf (16 bytes)       struct io_uring_buf_reg (40 bytes)
 * +0 addr u64 | +8 len u32 | +12 bid u16 | +14 resv u16   +0 ring_addr u64 | +8 ring_entries u32
 * The ring tail (u16) overlays entry 0's resv at +14.     +12 bgid u16 | +14 flags u16 | +16 resv[3]
 * </pre>
 *
 * Because the tail shares entry 0's last two bytes, entries are written field by field, never as two
 * longs: a whole-entry write to slot 0 would clobber the tail.
 *
 * <p>Threads: the ring's thread only. Native memory is owned by the buffer ring and freed by
 * {@link #close()}, after the buffer ring is unregistered.
 */
public final class BufferRing implements AutoCloseable {

	private static final long ENTRY_SIZE = IoUringStructs.BUF.byteSize();


	/** Largest ring the kernel accepts: entries are counted in a u16 tail (io_uring/kbuf.c). */
	public static final int MAX_COUNT = 32768;

	private static final VarHandle SHORT = ValueLayout.JAVA_SHORT.varHandle();

	private final Ring ring;

	private final Arena arena;

	private final MemorySegment entries;

	private final MemorySegment buffers;

	private final int groupId;

	private final int count;

	private final int size;

	private final int mask;

	/** The ring entries and the buffers, mapped so that closing gives them back to the system. */
	private final AnonymousMemory entryMemory;

	private final AnonymousMemory bufferMemory;

	/** Entries added so far; the low 16 bits are the published tail. */
	private int tail;

	/** Buffers completions handed to us and not yet recycled. */
	private int inUse;

	/** Recycled buffers added to the ring but not yet published to the kernel. */
	private boolean unpublished;

	private boolean closed;

	private BufferRing(Ring ring, int groupId, int count, int size) {
		this.ring = ring;
		this.groupId = groupId;
		this.count = count;
		this.size = size;
		this.mask = count - 1;
		this.arena = Arena.ofConfined();
		this.entryMemory = AnonymousMemory.map(count * ENTRY_SIZE);
		try {
			this.bufferMemory = AnonymousMemory.map((long) count * size);
		}
		catch (RuntimeException ex) {
			this.entryMemory.close();
			this.arena.close();
			throw ex;
		}
		this.entries = this.entryMemory.segment();
		this.buffers = this.bufferMemory.segment();
	}

	/**
	 * Allocates and registers a buffer ring with every buffer available to the kernel.
	 * @param ring the ring to register with
	 * @param groupId the buffer group id receives name
	 * @param count buffers; a power of two up to {@link #MAX_COUNT}
	 * @param size bytes per buffer
	 * @return the registered buffer ring
	 */
	public static BufferRing register(Ring ring, int groupId, int count, int size) {
		if (count < 1 || count > MAX_COUNT || Integer.bitCount(count) != 1) {
			throw new IllegalArgumentException(
					"buffer count must be a power of two between 1 and " + MAX_COUNT + " but was " + count);
		}
		if (size < 1) {
			throw new IllegalArgumentException("buffer size must be positive but was " + size);
		}
		BufferRing bufferRing = new BufferRing(ring, groupId, count, size);
		try {
			MemorySegment reg = bufferRing.arena.allocate(IoUringStructs.BUF_REG);
			reg.set(ValueLayout.JAVA_LONG, IoUringStructs.BUF_REG_RING_ADDR, bufferRing.entries.address());
			reg.set(ValueLayout.JAVA_INT, IoUringStructs.BUF_REG_RING_ENTRIES, count);
			reg.set(ValueLayout.JAVA_SHORT, IoUringStructs.BUF_REG_BGID, (short) groupId);
			long result = ring.register(Ring.REGISTER_PBUF_RING, reg, 1);
			if (result < 0) {
				throw new NativeCallException("io_uring_register(IORING_REGISTER_PBUF_RING)", (int) -result,
						(-result == Errno.EINVAL) ? "provided buffer rings need Linux 5.19+" : "");
			}
			for (int bid = 0; bid < count; bid++) {
				bufferRing.add(bid);
			}
			bufferRing.publish();
			return bufferRing;
		}
		catch (RuntimeException ex) {
			bufferRing.freeMemory();
			throw ex;
		}
	}

	private void add(int bid) {
		long entry = (this.tail & this.mask) * ENTRY_SIZE;
		this.entries.set(ValueLayout.JAVA_LONG, entry + IoUringStructs.BUF_ADDR, this.buffers.address() + (long) bid * this.size);
		this.entries.set(ValueLayout.JAVA_INT, entry + IoUringStructs.BUF_LEN, this.size);
		this.entries.set(ValueLayout.JAVA_SHORT, entry + IoUringStructs.BUF_BID, (short) bid);
		this.tail++;
	}

	private void publish() {
		// Release: the entry stores above are visible to the kernel before the tail that covers them.
		SHORT.setRelease(this.entries, IoUringStructs.BUF_RING_TAIL, (short) this.tail);
	}

	/**
	 * Notes that a completion handed a buffer to us. Call once per completion that has
	 * {@link Cqe#F_BUFFER}.
	 */
	public void taken() {
		this.inUse++;
	}

	/**
	 * Gives a buffer back: adds it to the ring. The kernel sees it at the next {@link #publishRecycled()},
	 * so a batch of recycles costs one release store, as liburing's {@code io_uring_buf_ring_advance}.
	 * @param bid the buffer id from the completion
	 */
	public void recycle(int bid) {
		add(bid);
		this.unpublished = true;
		this.inUse--;
	}

	/**
	 * Publishes every buffer recycled since the last call to the kernel. Call before each
	 * {@code io_uring_enter} (and before the kernel's poller may need them).
	 */
	public void publishRecycled() {
		if (this.unpublished) {
			this.unpublished = false;
			publish();
		}
	}

	/**
	 * Returns the memory of every buffer; buffer {@code bid} starts at {@link #offset(int)}.
	 * @return the buffers
	 */
	public MemorySegment buffers() {
		return this.buffers;
	}

	/**
	 * Returns where a buffer starts in {@link #buffers()}.
	 * @param bid the buffer id
	 * @return the offset
	 */
	public long offset(int bid) {
		return (long) bid * this.size;
	}

	/**
	 * Returns the buffer group id.
	 * @return the group id
	 */
	public int groupId() {
		return this.groupId;
	}

	/**
	 * Returns the number of buffers.
	 * @return the count
	 */
	public int count() {
		return this.count;
	}

	/**
	 * Returns the size of each buffer.
	 * @return bytes per buffer
	 */
	public int size() {
		return this.size;
	}

	/**
	 * Returns buffers the kernel may fill once recycles are published (those not in use by the owner).
	 * @return the available count
	 */
	public int available() {
		return this.count - this.inUse;
	}

	/**
	 * Unregisters the buffer ring and frees its memory. Idempotent; the ring's thread only, before the
	 * ring is closed.
	 */
	@Override
	public void close() {
		if (this.closed) {
			return;
		}
		this.closed = true;
		MemorySegment reg = this.arena.allocate(IoUringStructs.BUF_REG);
		reg.set(ValueLayout.JAVA_SHORT, IoUringStructs.BUF_REG_BGID, (short) this.groupId);
		this.ring.register(Ring.UNREGISTER_PBUF_RING, reg, 1);
		freeMemory();
	}

	private void freeMemory() {
		this.bufferMemory.close();
		this.entryMemory.close();
		this.arena.close();
	}

}
