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
 *
 * <p>Linking costs start-up time: the JVM spins code for every distinct signature, about 10 ms each on
 * a small machine (handles of the same signature share it). So the calls a server makes while starting
 * are linked with this class and share signatures where they can (every non-blocking syscall goes
 * through one six-argument handle; the kernel ignores the arguments a call does not take), and the
 * calls only later work makes are linked on first use, each in its own holder class below.
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

	/**
	 * {@code long syscall(long number, ...)} with six variadic arguments, critical: every system call that
	 * cannot block (io_uring_setup, io_uring_register, an io_uring_enter that does not wait, ioctl). Pass
	 * 0 for the arguments a call does not take.
	 */
	static final MethodHandle SYSCALL6 = variadicSyscall(6, true);

	static final MethodHandle MMAP = link("mmap", FunctionDescriptor.of(P, P, L, I, I, I, L), true);

	static final MethodHandle MUNMAP = link("munmap", FunctionDescriptor.of(I, P, L), true);

	static final MethodHandle CLOSE = link("close", FunctionDescriptor.of(I, I), true);

	static final MethodHandle SOCKET = link("socket", FunctionDescriptor.of(I, I, I, I), true);

	static final MethodHandle SETSOCKOPT = link("setsockopt", FunctionDescriptor.of(I, I, I, I, P, I), true);

	static final MethodHandle BIND = link("bind", FunctionDescriptor.of(I, I, P, I), true);

	static final MethodHandle LISTEN = link("listen", FunctionDescriptor.of(I, I, I), true);

	static final MethodHandle GETSOCKNAME = link("getsockname", FunctionDescriptor.of(I, I, P, P), true);

	static final MethodHandle GETPEERNAME = link("getpeername", FunctionDescriptor.of(I, I, P, P), true);

	static final MethodHandle SHUTDOWN = link("shutdown", FunctionDescriptor.of(I, I, I), true);

	static final MethodHandle EVENTFD = link("eventfd", FunctionDescriptor.of(I, I, I), true);

	/** Linked at once although start-up does not call it: other threads wake a loop with it, also when memory is short. */
	static final MethodHandle WRITE = link("write", FunctionDescriptor.of(L, I, P, L), true);

	/** {@code syscall} with six arguments, not critical: an io_uring_enter that may block (the loop's first wait). */
	static final class WaitingSyscall {

		static final MethodHandle HANDLE = variadicSyscall(6, false);

		private WaitingSyscall() {
		}

	}

	/** {@code madvise}: giving pages of released send chunks back, long after start. */
	static final class Madvise {

		static final MethodHandle HANDLE = link("madvise", FunctionDescriptor.of(I, P, L, I), true);

		private Madvise() {
		}

	}

	/**
	 * {@code int fcntl(int fd, int cmd, ...)} with one variadic int, as F_DUPFD_CLOEXEC takes: only Unix
	 * socket listeners duplicate their socket for the other loops.
	 */
	static final class FcntlInt {

		static final MethodHandle HANDLE = LINKER.downcallHandle(symbol("fcntl"), FunctionDescriptor.of(I, I, I, I),
				Linker.Option.firstVariadicArg(2), ERRNO, Linker.Option.critical(false));

		private FcntlInt() {
		}

	}

	/** {@code getsockopt}: reading socket options back and unsent bytes at a lingering close. */
	static final class Getsockopt {

		static final MethodHandle HANDLE = link("getsockopt", FunctionDescriptor.of(I, I, I, I, P, P), true);

		private Getsockopt() {
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
