package dev.iouring.ring;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The system calls the ring and socket code make, all through libc's {@code syscall()} linked once.
 * The handle captures errno at the call ({@link Linker.Option#captureCallState}), so its first parameter
 * is a capture segment of {@link #CAPTURE_LAYOUT}; errno is never read after the fact.
 *
 * <p>Why one handle: linking costs start-up time. The JVM spins code for every distinct signature, 7 to
 * 20 ms each on a small machine, while handles of the same signature share it. So every call that
 * cannot block goes through one critical six-argument {@code syscall} handle (the kernel ignores the
 * arguments a call does not take; pointers pass as addresses), linked when this class loads, which also
 * keeps {@code close} and {@code write} usable when the heap is exhausted. Only the
 * {@code io_uring_enter} that waits for completions has a second, non-critical handle, linked on a
 * loop's first wait, because a blocked critical call would hold up every safepoint.
 */
final class LibC {

	/** True on x86-64; aarch64 and riscv64 use the generic numbers of asm-generic/unistd.h. */
	private static final boolean X86_64 = "amd64".equals(System.getProperty("os.arch"))
			|| "x86_64".equals(System.getProperty("os.arch"));

	private static final boolean GENERIC = "aarch64".equals(System.getProperty("os.arch"))
			|| "riscv64".equals(System.getProperty("os.arch"));

	/** io_uring's numbers are the same on every architecture this runs on. */
	static final long SYS_IO_URING_SETUP = 425;

	static final long SYS_IO_URING_ENTER = 426;

	static final long SYS_IO_URING_REGISTER = 427;

	static final long SYS_WRITE = number(1, 64);

	static final long SYS_CLOSE = number(3, 57);

	static final long SYS_MMAP = number(9, 222);

	static final long SYS_MUNMAP = number(11, 215);

	static final long SYS_MADVISE = number(28, 233);

	static final long SYS_IOCTL = number(16, 29);

	static final long SYS_FCNTL = number(72, 25);

	static final long SYS_EVENTFD2 = number(290, 19);

	static final long SYS_SOCKET = number(41, 198);

	static final long SYS_BIND = number(49, 200);

	static final long SYS_LISTEN = number(50, 201);

	static final long SYS_GETSOCKNAME = number(51, 204);

	static final long SYS_GETPEERNAME = number(52, 205);

	static final long SYS_SETSOCKOPT = number(54, 208);

	static final long SYS_GETSOCKOPT = number(55, 209);

	static final long SYS_SHUTDOWN = number(48, 210);

	/** mmap's MAP_FAILED, i.e. (void *) -1. */
	static final long MAP_FAILED = -1L;

	static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();

	private static final long ERRNO_OFFSET = CAPTURE_LAYOUT
		.byteOffset(MemoryLayout.PathElement.groupElement("errno"));

	private static final Linker LINKER = Linker.nativeLinker();

	private static final SymbolLookup LOOKUP = LINKER.defaultLookup();

	private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");

	private static final ValueLayout.OfLong L = ValueLayout.JAVA_LONG;

	private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT;

	private static final ValueLayout P = ValueLayout.ADDRESS;

	/**
	 * {@code long syscall(long number, ...)} with six variadic arguments, critical: every system call that
	 * cannot block (io_uring_setup, io_uring_register, an io_uring_enter that does not wait, ioctl). Pass
	 * 0 for the arguments a call does not take.
	 */
	static final MethodHandle SYSCALL6 = variadicSyscall(6, true);

	/** {@code syscall} with six arguments, not critical: an io_uring_enter that may block (the loop's first wait). */
	static final class WaitingSyscall {

		static final MethodHandle HANDLE = variadicSyscall(6, false);

		private WaitingSyscall() {
		}

	}

	private static final ThreadLocal<MemorySegment> CAPTURE = ThreadLocal
		.withInitial(() -> Arena.ofAuto().allocate(CAPTURE_LAYOUT));

	private LibC() {
	}

	private static MethodHandle variadicSyscall(int args, boolean critical) {
		MemoryLayout[] arguments = new MemoryLayout[args + 1];
		java.util.Arrays.fill(arguments, L);
		FunctionDescriptor descriptor = FunctionDescriptor.of(L, arguments);
		Linker.Option variadic = Linker.Option.firstVariadicArg(1);
		Linker.Option[] options = critical ? new Linker.Option[] { variadic, ERRNO, Linker.Option.critical(false) }
				: new Linker.Option[] { variadic, ERRNO };
		return LINKER.downcallHandle(symbol("syscall"), descriptor, options);
	}

	/**
	 * Makes a system call through {@link #SYSCALL6}: returns its result, or -1 with errno in
	 * {@code capture}. Pointers are passed as their addresses; the caller keeps their memory alive.
	 */
	static long call(MemorySegment capture, long number, long a, long b, long c, long d, long e, long f) {
		try {
			return (long) SYSCALL6.invokeExact(capture, number, a, b, c, d, e, f);
		}
		catch (Throwable ex) {
			throw rethrow(ex);
		}
	}

	static long call(MemorySegment capture, long number, long a) {
		return call(capture, number, a, 0, 0, 0, 0, 0);
	}

	static long call(MemorySegment capture, long number, long a, long b) {
		return call(capture, number, a, b, 0, 0, 0, 0);
	}

	static long call(MemorySegment capture, long number, long a, long b, long c) {
		return call(capture, number, a, b, c, 0, 0, 0);
	}

	static long call(MemorySegment capture, long number, long a, long b, long c, long d, long e) {
		return call(capture, number, a, b, c, d, e, 0);
	}

	private static long number(long x86, long generic) {
		// An unknown architecture gets -1, which every kernel refuses with ENOSYS.
		return X86_64 ? x86 : (GENERIC ? generic : -1);
	}

	private static MemorySegment symbol(String name) {
		return LOOKUP.find(name)
			.orElseThrow(() -> new IllegalStateException("libc symbol '" + name + "' not found; is this Linux?"));
	}

	/**
	 * Returns this thread's errno capture segment (allocated once per thread, freed by the GC).
	 * @return the capture segment
	 */
	static MemorySegment capture() {
		return CAPTURE.get();
	}

	/**
	 * Reads the errno captured by the last call made with {@code capture}.
	 * @param capture the capture segment passed to the call
	 * @return the errno value
	 */
	static int errno(MemorySegment capture) {
		return capture.get(ValueLayout.JAVA_INT, ERRNO_OFFSET);
	}

	/**
	 * Turns an unexpected {@link Throwable} from {@code invokeExact} into an unchecked exception.
	 * @param ex the throwable
	 * @return never returns normally
	 */
	static RuntimeException rethrow(Throwable ex) {
		if (ex instanceof RuntimeException runtime) {
			return runtime;
		}
		if (ex instanceof Error error) {
			throw error;
		}
		return new IllegalStateException(ex);
	}

}
