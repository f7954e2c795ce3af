package dev.iouring.ring;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Locale;

/**
 * Makes this process's kernel refuse io_uring the way Docker's default seccomp profile does: a seccomp
 * filter on which {@code io_uring_setup} fails with EPERM and every other system call goes through.
 *
 * <p>The filter covers every thread of the process (SECCOMP_FILTER_FLAG_TSYNC) and every thread started
 * later, cannot be removed, and dies with the process, so nothing outside it is affected and nothing has
 * to be restored. It needs no privilege: {@code no_new_privs} is set first, as seccomp asks of
 * unprivileged callers.
 *
 * <p>Layouts from include/uapi/linux/filter.h (struct sock_filter, struct sock_fprog) and
 * include/uapi/linux/seccomp.h (struct seccomp_data: nr at 0, arch at 4).
 */
public final class IoUringSeccompFilter {

	/** prctl option from include/uapi/linux/prctl.h. */
	private static final int PR_SET_NO_NEW_PRIVS = 38;

	/** seccomp operation and flag from include/uapi/linux/seccomp.h. */
	private static final long SECCOMP_SET_MODE_FILTER = 1;

	private static final long SECCOMP_FILTER_FLAG_TSYNC = 1;

	private static final int SECCOMP_RET_ALLOW = 0x7fff_0000;

	private static final int SECCOMP_RET_ERRNO = 0x0005_0000;

	/** EPERM from errno-base.h: what Docker's profile answers for a refused call. */
	private static final int EPERM = 1;

	/** Classic BPF opcodes from include/uapi/linux/bpf_common.h. */
	private static final short LD_W_ABS = 0x20;

	private static final short JEQ_K = 0x15;

	private static final short RET_K = 0x06;

	/** Offsets in struct seccomp_data. */
	private static final int DATA_NR = 0;

	private static final int DATA_ARCH = 4;

	private IoUringSeccompFilter() {
	}

	/**
	 * Installs the filter on the whole process.
	 * @throws IllegalStateException naming the failed call and errno, or the unsupported platform
	 */
	public static void install() {
		String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
		// AUDIT_ARCH_* (include/uapi/linux/audit.h): ELF machine | 64-bit | little-endian; and __NR_seccomp.
		int auditArch;
		long seccompSyscall;
		switch (arch) {
			case "amd64", "x86_64" -> {
				auditArch = 0xC000_003E;
				seccompSyscall = 317;
			}
			case "aarch64" -> {
				auditArch = 0xC000_00B7;
				seccompSyscall = 277;
			}
			default -> throw new IllegalStateException("no seccomp filter for architecture " + arch);
		}
		Linker linker = Linker.nativeLinker();
		Linker.Option errno = Linker.Option.captureCallState("errno");
		MemoryLayout captureLayout = Linker.Option.captureStateLayout();
		long errnoOffset = captureLayout.byteOffset(MemoryLayout.PathElement.groupElement("errno"));
		ValueLayout.OfLong l = ValueLayout.JAVA_LONG;
		MethodHandle prctl = linker.downcallHandle(linker.defaultLookup().findOrThrow("prctl"),
				FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, l, l, l, l),
				Linker.Option.firstVariadicArg(1), errno);
		MethodHandle syscall = linker.downcallHandle(linker.defaultLookup().findOrThrow("syscall"),
				FunctionDescriptor.of(l, l, l, l, ValueLayout.ADDRESS), Linker.Option.firstVariadicArg(1), errno);
		try (Arena arena = Arena.ofConfined()) {
			MemorySegment capture = arena.allocate(captureLayout);
			int status = (int) prctl.invokeExact(capture, PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L);
			if (status != 0) {
				throw new IllegalStateException("prctl(PR_SET_NO_NEW_PRIVS) failed: errno "
						+ capture.get(ValueLayout.JAVA_INT, errnoOffset));
			}
			MemorySegment program = program(arena, auditArch);
			long result = (long) syscall.invokeExact(capture, seccompSyscall, SECCOMP_SET_MODE_FILTER,
					SECCOMP_FILTER_FLAG_TSYNC, program);
			if (result != 0) {
				throw new IllegalStateException("seccomp(SECCOMP_SET_MODE_FILTER, TSYNC) failed: "
						+ ((result < 0) ? "errno " + capture.get(ValueLayout.JAVA_INT, errnoOffset)
								: "thread " + result + " could not be synchronized"));
			}
		}
		catch (Throwable ex) {
			throw (ex instanceof RuntimeException runtime) ? runtime : new IllegalStateException(ex);
		}
	}

	/**
	 * The filter, as a struct sock_fprog pointing at its instructions.
	 *
	 * <pre>
	 * 0: A = seccomp_data.arch
	 * 1: if A != auditArch goto 5
	 * 2: A = seccomp_data.nr
	 * 3: if A != io_uring_setup goto 5
	 * 4: return ERRNO(EPERM)
	 * 5: return ALLOW
	 * </pre>
	 */
	private static MemorySegment program(Arena arena, int auditArch) {
		long[][] instructions = { { LD_W_ABS, 0, 0, DATA_ARCH }, { JEQ_K, 0, 3, auditArch },
				{ LD_W_ABS, 0, 0, DATA_NR }, { JEQ_K, 0, 1, LibC.SYS_IO_URING_SETUP },
				{ RET_K, 0, 0, SECCOMP_RET_ERRNO | EPERM }, { RET_K, 0, 0, SECCOMP_RET_ALLOW } };
		// struct sock_filter: code u16 (0) | jt u8 (2) | jf u8 (3) | k u32 (4); 8 bytes.
		MemorySegment filter = arena.allocate(8L * instructions.length, 8);
		for (int i = 0; i < instructions.length; i++) {
			long base = 8L * i;
			filter.set(ValueLayout.JAVA_SHORT, base, (short) instructions[i][0]);
			filter.set(ValueLayout.JAVA_BYTE, base + 2, (byte) instructions[i][1]);
			filter.set(ValueLayout.JAVA_BYTE, base + 3, (byte) instructions[i][2]);
			filter.set(ValueLayout.JAVA_INT, base + 4, (int) instructions[i][3]);
		}
		// struct sock_fprog: len unsigned short (0) | filter pointer (8); 16 bytes.
		MemorySegment program = arena.allocate(16, 8);
		program.set(ValueLayout.JAVA_SHORT, 0, (short) instructions.length);
		program.set(ValueLayout.ADDRESS, 8, filter);
		return program;
	}

}
