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
 * The libc functions the ring and socket code call, linked once. Every handle captures errno at the
 * call ({@link Linker.Option#captureCallState}), so its first parameter is a capture segment of
 * {@link #CAPTURE_LAYOUT}; errno is never read after the fact.
 *
 * <p>Handles marked critical never block; the {@code io_uring_enter} that waits for completions is
 * linked without that option because a blocked critical call would hold up every safepoint.
 */
final class LibC {

	/** io_uring syscall numbers: generic numbers, the same on x86_64 and aarch64 (asm-generic/unistd.h). */
	/** ioctl (x86_64 syscall number), called through syscall() to stay clear of its variadic signature. */
	static final long SYS_IOCTL = 16;

	static final long SYS_IO_URING_SETUP = 425;

	static final long SYS_IO_URING_ENTER = 426;

	static final long SYS_IO_URING_REGISTER = 427;

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

	/** {@code long syscall(long number, ...)} with two variadic arguments: io_uring_setup. */
	static final MethodHandle SYSCALL2 = variadicSyscall(2, true);

	/** {@code syscall} with four arguments: io_uring_register. */
	static final MethodHandle SYSCALL4 = variadicSyscall(4, true);

	/** {@code syscall} with six arguments, critical: an io_uring_enter that does not wait. */
	static final MethodHandle SYSCALL6_NOWAIT = variadicSyscall(6, true);

	/** {@code syscall} with six arguments, not critical: an io_uring_enter that may block. */
	static final MethodHandle SYSCALL6_WAIT = variadicSyscall(6, false);

	static final MethodHandle MMAP = link("mmap", FunctionDescriptor.of(P, P, L, I, I, I, L), true);

	static final MethodHandle MUNMAP = link("munmap", FunctionDescriptor.of(I, P, L), true);

	static final MethodHandle MADVISE = link("madvise", FunctionDescriptor.of(I, P, L, I), true);

	static final MethodHandle CLOSE = link("close", FunctionDescriptor.of(I, I), true);

	static final MethodHandle SOCKET = link("socket", FunctionDescriptor.of(I, I, I, I), true);

	static final MethodHandle SETSOCKOPT = link("setsockopt", FunctionDescriptor.of(I, I, I, I, P, I), true);

	static final MethodHandle GETSOCKOPT = link("getsockopt", FunctionDescriptor.of(I, I, I, I, P, P), true);

	static final MethodHandle BIND = link("bind", FunctionDescriptor.of(I, I, P, I), true);

	static final MethodHandle LISTEN = link("listen", FunctionDescriptor.of(I, I, I), true);

	/** {@code int fcntl(int fd, int cmd, ...)} with one variadic int, as F_DUPFD_CLOEXEC takes. */
	static final MethodHandle FCNTL_INT = LINKER.downcallHandle(symbol("fcntl"), FunctionDescriptor.of(I, I, I, I),
			Linker.Option.firstVariadicArg(2), ERRNO, Linker.Option.critical(false));

	static final MethodHandle GETSOCKNAME = link("getsockname", FunctionDescriptor.of(I, I, P, P), true);

	static final MethodHandle GETPEERNAME = link("getpeername", FunctionDescriptor.of(I, I, P, P), true);

	static final MethodHandle SHUTDOWN = link("shutdown", FunctionDescriptor.of(I, I, I), true);

	static final MethodHandle EVENTFD = link("eventfd", FunctionDescriptor.of(I, I, I), true);

	static final MethodHandle WRITE = link("write", FunctionDescriptor.of(L, I, P, L), true);

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

	private static MethodHandle link(String name, FunctionDescriptor descriptor, boolean critical) {
		Linker.Option[] options = critical ? new Linker.Option[] { ERRNO, Linker.Option.critical(false) }
				: new Linker.Option[] { ERRNO };
		return LINKER.downcallHandle(symbol(name), descriptor, options);
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
