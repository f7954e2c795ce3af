package dev.iouring.ring;

import java.lang.foreign.MemorySegment;

/**
 * mmap constants ({@code include/uapi/asm-generic/mman-common.h}, {@code mman.h}) and munmap.
 */
final class Mman {

	static final int PROT_READ = 1;

	static final int PROT_WRITE = 2;

	static final int MAP_SHARED = 1;

	static final int MAP_PRIVATE = 2;

	/** Memory not backed by a file (asm-generic/mman-common.h). */
	static final int MAP_ANONYMOUS = 0x20;

	/** madvise: the pages may be freed now; the next access reads zeros (asm-generic/mman-common.h). */
	static final int MADV_DONTNEED = 4;

	/** Pre-fault the pages, so the first ring accesses do not take page faults. */
	static final int MAP_POPULATE = 0x8000;

	private Mman() {
	}

	static void munmap(long address, long size) {
		try {
			long result = LibC.call(LibC.capture(), LibC.SYS_MUNMAP, address, size);
			if (result != 0) {
				throw new NativeCallException("munmap", LibC.errno(LibC.capture()), "");
			}
		}
		catch (Throwable ex) {
			throw LibC.rethrow(ex);
		}
	}

}
