package dev.iouring.ring;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Whether io_uring works in this process, probed once (by setting up and closing a tiny ring) and
 * cached, with the reason when it does not: not Linux, native access refused by the JVM, no io_uring in
 * the kernel, blocked by sysctl or seccomp, not enough locked memory, or missing features. Never throws
 * from a static initializer.
 */
public final class IoUring {

	private static volatile Availability availability;

	private IoUring() {
	}

	/**
	 * Why io_uring cannot be used, as far as the probe can tell. Each reason has one fix, so a report can
	 * give that fix alone instead of every fix that might apply.
	 */
	public enum Reason {

		/** io_uring works here. */
		NONE,

		/** The operating system is not Linux. */
		NOT_LINUX,

		/** The JVM refuses this code native access ({@code --illegal-native-access=deny}, or a future default). */
		NATIVE_ACCESS_DENIED,

		/** {@code io_uring_setup} failed with EPERM while the sysctl {@code kernel.io_uring_disabled} is set. */
		DISABLED_BY_SYSCTL,

		/** {@code io_uring_setup} failed with EPERM while the sysctl allows it: a seccomp profile refuses it. */
		BLOCKED_BY_SECCOMP,

		/** Setting up or mapping a ring failed with ENOMEM: the locked-memory limit is too low. */
		LOCKED_MEMORY_LIMIT,

		/** The kernel has no io_uring (ENOSYS), or lacks an operation or feature the server needs. */
		KERNEL_TOO_OLD,

		/** Any other failure; the cause says what it was. */
		UNKNOWN

	}

	/**
	 * What the probe found.
	 * @param available whether rings can be set up and have the features the server needs
	 * @param cause why not, without a fix (empty when available)
	 * @param kernelRelease the running kernel, e.g. {@code 6.18.44}
	 * @param setupFlags the flags a default ring was granted
	 * @param features the kernel's feature bits
	 * @param supportedOpcodes opcodes the kernel supports
	 * @param reason why not, as a kind ({@link Reason#NONE} when available)
	 */
	public record Availability(boolean available, String cause, String kernelRelease, List<String> setupFlags,
			List<String> features, List<Integer> supportedOpcodes, Reason reason) {

		/**
		 * Creates a result whose reason is {@link Reason#NONE} when available, else {@link Reason#UNKNOWN}.
		 */
		public Availability(boolean available, String cause, String kernelRelease, List<String> setupFlags,
				List<String> features, List<Integer> supportedOpcodes) {
			this(available, cause, kernelRelease, setupFlags, features, supportedOpcodes,
					available ? Reason.NONE : Reason.UNKNOWN);
		}

	}

	/**
	 * Returns whether io_uring can be used here.
	 * @return {@code true} if the probe succeeded
	 */
	public static boolean isAvailable() {
		return availability().available();
	}

	/**
	 * Returns the probe's result, probing on first use.
	 * @return the availability
	 */
	public static Availability availability() {
		Availability result = availability;
		if (result == null) {
			synchronized (IoUring.class) {
				result = availability;
				if (result == null) {
					result = probe();
					availability = result;
				}
			}
		}
		return result;
	}

	/**
	 * Throws {@link IoUringUnavailableException} with the cause and fix unless io_uring works here.
	 */
	public static void ensureAvailable() {
		Availability result = availability();
		if (!result.available()) {
			throw new IoUringUnavailableException(result.reason(), "io_uring is not available: " + result.cause());
		}
	}

	/**
	 * Returns the running kernel's release string.
	 * @return e.g. {@code 6.18.44-generic}, or {@code unknown}
	 */
	public static String kernelRelease() {
		try {
			return Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
		}
		catch (IOException | RuntimeException ex) {
			return "unknown";
		}
	}

	private static Availability probe() {
		String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
		if (!os.contains("linux")) {
			return unavailable(Reason.NOT_LINUX, "io_uring exists only on Linux and this is "
					+ System.getProperty("os.name"), "n/a");
		}
		String release = kernelRelease();
		try (Ring ring = Ring.create(RingOptions.of(2, 2))) {
			Probe probe = ring.probe();
			int[] needed = { Opcode.ACCEPT, Opcode.RECV, Opcode.SEND, Opcode.SENDMSG, Opcode.ASYNC_CANCEL,
					Opcode.READ };
			for (int opcode : needed) {
				if (!probe.isSupported(opcode)) {
					return unavailable(Reason.KERNEL_TOO_OLD, "the kernel (" + release + ") lacks the "
							+ Opcode.name(opcode) + " operation", release);
				}
			}
			if ((ring.features() & Features.EXT_ARG) == 0 || (ring.features() & Features.NODROP) == 0) {
				return unavailable(Reason.KERNEL_TOO_OLD,
						"the kernel (" + release + ") lacks IORING_FEAT_EXT_ARG or IORING_FEAT_NODROP", release);
			}
			return new Availability(true, "", release, SetupFlags.names(ring.setupFlags()),
					Features.names(ring.features()), probe.supportedOpcodes(), Reason.NONE);
		}
		catch (NativeCallException ex) {
			return failed(ex, release, ioUringDisabledSysctl());
		}
		catch (RuntimeException | LinkageError ex) {
			IllegalCallerException denied = nativeAccessDenial(ex);
			if (denied != null) {
				return unavailable(Reason.NATIVE_ACCESS_DENIED, "native access is not enabled for "
						+ describe(IoUring.class.getModule()) + "; the JVM refused it with " + denied, release);
			}
			return unavailable(Reason.UNKNOWN, "io_uring could not be probed: " + ex, release);
		}
	}

	/**
	 * Explains a failed system call of the probe by its errno: EPERM is the sysctl when it is set, else a
	 * seccomp profile (Docker's default refuses io_uring that way); ENOMEM is the locked-memory limit;
	 * ENOSYS and EINVAL (no flag combination accepted) mean a kernel without the io_uring the server needs.
	 * @param ex the failure
	 * @param release the kernel release
	 * @param disabledSysctl the value of {@code kernel.io_uring_disabled}, empty when it cannot be read
	 * @return the availability, with one reason
	 */
	static Availability failed(NativeCallException ex, String release, String disabledSysctl) {
		String failure = ex.call() + " failed with " + ex.errnoName();
		String kernel = " [kernel " + release + "]";
		return switch (ex.errno()) {
			case Errno.EPERM -> (!disabledSysctl.isEmpty() && !disabledSysctl.equals("0"))
					? unavailable(Reason.DISABLED_BY_SYSCTL, failure + ": kernel.io_uring_disabled is " + disabledSysctl
							+ ", which turns io_uring off" + (disabledSysctl.equals("1") ? " for processes outside "
									+ "kernel.io_uring_group" : "") + kernel, release)
					: unavailable(Reason.BLOCKED_BY_SECCOMP, failure + ": a seccomp profile refuses io_uring to this "
							+ "process, as Docker's default profile does" + kernel, release);
			case Errno.ENOMEM -> unavailable(Reason.LOCKED_MEMORY_LIMIT,
					failure + ": the locked-memory limit (ulimit -l) is too low for the rings" + kernel, release);
			case Errno.ENOSYS -> unavailable(Reason.KERNEL_TOO_OLD,
					failure + ": the kernel has no io_uring system calls" + kernel, release);
			case Errno.EINVAL -> unavailable(Reason.KERNEL_TOO_OLD,
					failure + ": the kernel refused every ring setup the server tries" + kernel, release);
			default -> unavailable(Reason.UNKNOWN, failure + kernel, release);
		};
	}

	/**
	 * Finds the refusal of native access behind a failure: the JVM throws {@link IllegalCallerException}
	 * from the first restricted method, which surfaces wrapped in the {@link ExceptionInInitializerError}
	 * of the class that called it (or a later {@link NoClassDefFoundError} that points back to it).
	 * @return the refusal, or {@code null} when the failure has another cause
	 */
	static IllegalCallerException nativeAccessDenial(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof IllegalCallerException denied) {
				return denied;
			}
		}
		return null;
	}

	private static String describe(Module module) {
		return module.isNamed() ? "module " + module.getName() : "the class path (the unnamed module)";
	}

	private static String ioUringDisabledSysctl() {
		try {
			return Files.readString(Path.of("/proc/sys/kernel/io_uring_disabled")).trim();
		}
		catch (IOException | RuntimeException ex) {
			return "";
		}
	}

	private static Availability unavailable(Reason reason, String cause, String release) {
		return new Availability(false, cause, release, List.of(), List.of(), List.of(), reason);
	}

}
