package dev.iouring.ring;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * The {@code io_uring_setup} call: which flag sets are tried, in which order, and what each failure
 * means for the user.
 */
final class RingSetup {

	/** Setup flag sets tried in order; EINVAL moves on to the next (older kernels lack newer flags). */
	private static final List<Integer> PLAIN_SETUPS = List.of(
			SetupFlags.SINGLE_ISSUER | SetupFlags.DEFER_TASKRUN | SetupFlags.SUBMIT_ALL | SetupFlags.NO_SQARRAY,
			SetupFlags.SINGLE_ISSUER | SetupFlags.DEFER_TASKRUN | SetupFlags.SUBMIT_ALL,
			SetupFlags.COOP_TASKRUN | SetupFlags.TASKRUN_FLAG | SetupFlags.SUBMIT_ALL, 0);

	/** With SQPOLL the kernel thread submits, so DEFER_TASKRUN (issuer-driven) cannot be combined. */
	private static final List<Integer> SQPOLL_SETUPS = List.of(
			SetupFlags.SQPOLL | SetupFlags.SINGLE_ISSUER | SetupFlags.SUBMIT_ALL | SetupFlags.NO_SQARRAY,
			SetupFlags.SQPOLL | SetupFlags.SINGLE_ISSUER | SetupFlags.SUBMIT_ALL, SetupFlags.SQPOLL);

	/**
	 * Calls io_uring_setup with the best flag set this kernel grants, trying them in order.
	 * @param options sizes and SQPOLL settings
	 * @param params an io_uring_params to fill in; on return it holds what the kernel granted
	 * @param capture the errno capture segment
	 * @return the ring's file descriptor
	 * @throws NativeCallException if io_uring_setup fails for a reason other than an unknown flag
	 */
	static int setUp(RingOptions options, MemorySegment params, MemorySegment capture) {
		List<Integer> attempts = options.sqpoll() ? SQPOLL_SETUPS : PLAIN_SETUPS;
		int lastErrno = 0;
		for (int attempt : attempts) {
			params.fill((byte) 0);
			int setupFlags = attempt | SetupFlags.CQSIZE;
			params.set(ValueLayout.JAVA_INT, IoUringStructs.PARAMS_CQ_ENTRIES, options.cqEntries());
			if (options.sqpoll()) {
				params.set(ValueLayout.JAVA_INT, IoUringStructs.PARAMS_SQ_THREAD_IDLE,
						(int) options.sqpollIdle().toMillis());
				if (options.sqpollCpu() >= 0) {
					setupFlags |= SetupFlags.SQ_AFF;
					params.set(ValueLayout.JAVA_INT, IoUringStructs.PARAMS_SQ_THREAD_CPU, options.sqpollCpu());
				}
			}
			params.set(ValueLayout.JAVA_INT, IoUringStructs.PARAMS_FLAGS, setupFlags);
			long fd = setup(capture, options.entries(), params);
			if (fd >= 0) {
				return (int) fd;
			}
			lastErrno = LibC.errno(capture);
			if (lastErrno != Errno.EINVAL) {
				break;
			}
		}
		throw new NativeCallException("io_uring_setup", lastErrno, hint(lastErrno));
	}

	static String hint(int errno) {
		return switch (errno) {
			case Errno.EPERM -> "io_uring is blocked: kernel.io_uring_disabled is set, or a seccomp profile "
					+ "forbids it (e.g. Docker's default); set sysctl kernel.io_uring_disabled=0, run the container "
					+ "with --security-opt seccomp=unconfined, or set iouring.server.transport=auto to serve over NIO";
			case Errno.ENOSYS -> "this kernel has no io_uring (Linux 6.1+ with CONFIG_IO_URING is needed), or a "
					+ "seccomp profile hides it; upgrade the kernel, or set iouring.server.transport=auto to serve "
					+ "over NIO";
			case Errno.ENOMEM -> "not enough locked memory for the rings; raise the memlock limit (ulimit -l, "
					+ "LimitMEMLOCK in systemd) or lower iouring.ring.entries and iouring.ring.cq-entries";
			case Errno.EINVAL -> "the kernel rejected every setup flag combination tried; Linux 6.1+ is needed";
			default -> "";
		};
	}

	private static long setup(MemorySegment capture, int entries, MemorySegment params) {
		try {
			return (long) LibC.SYSCALL6.invokeExact(capture, LibC.SYS_IO_URING_SETUP, (long) entries,
					params.address(), 0L, 0L, 0L, 0L);
		}
		catch (Throwable ex) {
			throw LibC.rethrow(ex);
		}
	}

	private RingSetup() {
	}

}
