package dev.iouring.ring;

import java.lang.foreign.MemorySegment;

/**
 * A region of private anonymous memory mapped with {@code mmap}, for large native buffers (a buffer
 * ring's buffers, send-chunk slabs). Unlike memory from {@code malloc}, which the C library may keep for
 * later after it is freed, an unmapped region goes back to the operating system at once, so a server
 * that stops (or restarts in the same process) returns it; and parts of it can be handed back while it
 * stays mapped ({@link #discard}).
 *
 * <p>Threads: the owner only. Accounted in {@link NativeMemory} from map to close.
 */
public final class AnonymousMemory implements AutoCloseable {

	private final MemorySegment segment;

	private boolean closed;

	private AnonymousMemory(MemorySegment segment) {
		this.segment = segment;
	}

	/**
	 * Maps a zero-filled, page-aligned region.
	 * @param size bytes, rounded up to whole pages by the kernel
	 * @return the region
	 * @throws NativeCallException if the kernel refuses (ENOMEM)
	 */
	public static AnonymousMemory map(long size) {
		MemorySegment capture = LibC.capture();
		MemorySegment address;
		try {
			address = MemorySegment.ofAddress(LibC.call(capture, LibC.SYS_MMAP, 0L, size,
					Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0L));
		}
		catch (Throwable ex) {
			throw LibC.rethrow(ex);
		}
		if (address.address() == LibC.MAP_FAILED) {
			throw new NativeCallException("mmap of " + size + " bytes", LibC.errno(capture), "");
		}
		NativeMemory.reserved(size);
		return new AnonymousMemory(address.reinterpret(size));
	}

	/**
	 * Returns the mapped memory; valid until {@link #close()}.
	 * @return the segment
	 */
	public MemorySegment segment() {
		return this.segment;
	}

	/**
	 * Gives the physical pages of a part of a mapped region back to the system while keeping it mapped:
	 * the part reads as zeros afterwards and takes memory again only when written.
	 * @param part a page-aligned part of a region from {@link #map}, a whole number of pages long
	 */
	public static void discard(MemorySegment part) {
		MemorySegment capture = LibC.capture();
		int result;
		try {
			result = (int) LibC.call(capture, LibC.SYS_MADVISE, part.address(), part.byteSize(), Mman.MADV_DONTNEED);
		}
		catch (Throwable ex) {
			throw LibC.rethrow(ex);
		}
		if (result != 0) {
			throw new NativeCallException("madvise(MADV_DONTNEED)", LibC.errno(capture), "");
		}
	}

	/**
	 * Unmaps the region. Idempotent.
	 */
	@Override
	public void close() {
		if (this.closed) {
			return;
		}
		this.closed = true;
		Mman.munmap(this.segment.address(), this.segment.byteSize());
		NativeMemory.released(this.segment.byteSize());
	}

}
