package dev.iouring.ring;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Whether io_uring works in this process, probed once (by setting up and closing a tiny ring) and
 * cached, with the reason when it does not: not Linux, no io_uring in the kernel, blocked by sysctl or
 * seccomp, not enough locked memory, or missing features. Never throws from a static initializer.
 */
public final class IoUring {

	private static volatile Availability availability;

	private IoUring() {
	}

	/**
	 * What the probe found.
	 * @param available whether rings can be set up and have the features the server needs
	 * @param cause why not (empty when available)
	 * @param kernelRelease the running kernel, e.g. {@code 6.18.44}
	 * @param setupFlags the flags a default ring was granted
	 * @param features the kernel's feature bits
	 * @param supportedOpcodes opcodes the kernel supports
	 */
	public record Availability(boolean available, String cause, String kernelRelease, List<String> setupFlags,
			List<String> features, List<Integer> supportedOpcodes) {
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
			throw new IoUringUnavailableException("io_uring is not available: " + result.cause(), null);
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
			return unavailable("io_uring exists only on Linux and this is " + System.getProperty("os.name")
					+ "; set iouring.server.transport=nio (or auto) to serve over NIO here", "n/a");
		}
		String release = kernelRelease();
		try (Ring ring = Ring.create(RingOptions.of(2, 2))) {
			Probe probe = ring.probe();
			int[] needed = { Opcode.ACCEPT, Opcode.RECV, Opcode.SEND, Opcode.SENDMSG, Opcode.ASYNC_CANCEL,
					Opcode.READ };
			for (int opcode : needed) {
				if (!probe.isSupported(opcode)) {
					return unavailable("the kernel (" + release + ") lacks the " + Opcode.name(opcode)
							+ " operation; Linux 6.1+ is needed", release);
				}
			}
			if ((ring.features() & Features.EXT_ARG) == 0 || (ring.features() & Features.NODROP) == 0) {
				return unavailable("the kernel (" + release + ") lacks IORING_FEAT_EXT_ARG or IORING_FEAT_NODROP; "
						+ "Linux 6.1+ is needed", release);
			}
			return new Availability(true, "", release, SetupFlags.names(ring.setupFlags()),
					Features.names(ring.features()), probe.supportedOpcodes());
		}
		catch (NativeCallException ex) {
			String disabled = ioUringDisabledSysctl();
			String cause = ex.getMessage();
			if (ex.errno() == Errno.EPERM && !disabled.isEmpty() && !disabled.equals("0")) {
				cause += "; kernel.io_uring_disabled is " + disabled;
			}
			return unavailable(cause + " [kernel " + release + "]", release);
		}
		catch (RuntimeException | LinkageError ex) {
			return unavailable("io_uring could not be probed: " + ex, release);
		}
	}

	private static String ioUringDisabledSysctl() {
		try {
			return Files.readString(Path.of("/proc/sys/kernel/io_uring_disabled")).trim();
		}
		catch (IOException | RuntimeException ex) {
			return "";
		}
	}

	private static Availability unavailable(String cause, String release) {
		return new Availability(false, cause, release, List.of(), List.of(), List.of());
	}

}
