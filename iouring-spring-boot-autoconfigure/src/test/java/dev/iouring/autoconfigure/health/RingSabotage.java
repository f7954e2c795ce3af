package dev.iouring.autoconfigure.health;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Breaks an event loop's ring for real, so that its next {@code io_uring_enter} fails and the loop dies.
 *
 * <p>Closing the ring fd from another thread is not enough: a loop that registered its ring fd
 * (IORING_REGISTER_RING_FDS) enters through a per-thread registered index, which holds its own
 * reference to the ring and ignores the fd table. So {@link #breakRingsOfThisThread(Set)} must run on
 * the loop thread itself (from a handler running on the event loop): it drops this thread's registered
 * ring indexes (IORING_UNREGISTER_RING_FDS; the next enter through one fails with EBADF) and puts
 * /dev/null over the ring fds (an enter through the fd then fails with EOPNOTSUPP), which covers a loop
 * that could not register its fd.
 */
final class RingSabotage {

	/** io_uring_register syscall number on x86-64 and arm64 (asm-generic/unistd.h: 427). */
	private static final long SYS_IO_URING_REGISTER = 427;

	/** IORING_UNREGISTER_RING_FDS from linux/io_uring.h. */
	private static final long UNREGISTER_RING_FDS = 21;

	/** IO_RINGFD_REG_MAX from io_uring/tctx.h: a thread has at most 16 registered rings. */
	private static final int REGISTERED_RING_SLOTS = 16;

	private static final Linker LINKER = Linker.nativeLinker();

	private static final MethodHandle SYSCALL = LINKER.downcallHandle(LINKER.defaultLookup().find("syscall").orElseThrow(),
			FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
					ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG),
			Linker.Option.firstVariadicArg(1));

	private static final MethodHandle OPEN = LINKER.downcallHandle(LINKER.defaultLookup().find("open").orElseThrow(),
			FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
			Linker.Option.firstVariadicArg(2));

	private static final MethodHandle DUP2 = LINKER.downcallHandle(LINKER.defaultLookup().find("dup2").orElseThrow(),
			FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

	private static final MethodHandle CLOSE = LINKER.downcallHandle(LINKER.defaultLookup().find("close").orElseThrow(),
			FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

	/** O_RDWR | O_CLOEXEC from asm-generic/fcntl.h. */
	private static final int O_RDWR_CLOEXEC = 2 | 0x80000;

	private RingSabotage() {
	}

	/**
	 * Returns the io_uring instances this process holds, by fd.
	 * @return the fds whose /proc/self/fd link is {@code anon_inode:[io_uring]}
	 */
	static Set<Integer> ioUringFds() {
		try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
			return fds.filter(RingSabotage::isIoUring)
				.map((fd) -> Integer.parseInt(fd.getFileName().toString()))
				.collect(Collectors.toSet());
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static boolean isIoUring(Path fd) {
		try {
			return Files.readSymbolicLink(fd).toString().equals("anon_inode:[io_uring]");
		}
		catch (IOException ex) {
			return false;
		}
	}

	/**
	 * Breaks the rings of the calling thread. Must run on the event loop that owns them.
	 * @param ringFds the loop's ring fds
	 */
	static void breakRingsOfThisThread(Set<Integer> ringFds) {
		try (Arena arena = Arena.ofConfined()) {
			// struct io_uring_rsrc_update: offset u32 | resv u32 | data u64.
			MemorySegment update = arena.allocate(16, 8);
			for (int ringFd : ringFds) {
				for (int slot = 0; slot < REGISTERED_RING_SLOTS; slot++) {
					update.set(ValueLayout.JAVA_INT, 0, slot);
					long ignored = (long) SYSCALL.invokeExact(SYS_IO_URING_REGISTER, (long) ringFd, UNREGISTER_RING_FDS,
							update, 1L);
				}
			}
			int devNull = (int) OPEN.invokeExact(arena.allocateFrom("/dev/null"), O_RDWR_CLOEXEC, 0);
			if (devNull < 0) {
				throw new IllegalStateException("open(/dev/null) failed");
			}
			for (int ringFd : ringFds) {
				if ((int) DUP2.invokeExact(devNull, ringFd) < 0) {
					throw new IllegalStateException("dup2 over fd " + ringFd + " failed");
				}
			}
			int closed = (int) CLOSE.invokeExact(devNull);
		}
		catch (Throwable ex) {
			throw new IllegalStateException("could not break the ring", ex);
		}
	}

}
