package dev.iouring.server;

import dev.iouring.ring.IoUring;

/**
 * The one fix for each reason io_uring can be unavailable, shared by the warning of the NIO fallback
 * and the startup failure report, so both say the same thing. The probe names a single cause, so the
 * reports give its fix alone rather than every fix that might apply somewhere.
 */
public final class IoUringFixes {

	private IoUringFixes() {
	}

	/**
	 * Returns how to make io_uring usable, worded to follow "To use io_uring, ".
	 * @param reason why it is not
	 * @return the fix, ending with a full stop, or an empty string when none is known ({@link IoUring.Reason#UNKNOWN}, or
	 * {@link IoUring.Reason#NONE})
	 */
	public static String fix(IoUring.Reason reason) {
		return switch (reason) {
			case NOT_LINUX -> "run the application on Linux 6.1 or later.";
			case NATIVE_ACCESS_DENIED -> nativeAccessFix(IoUring.class.getModule());
			case DISABLED_BY_SYSCTL -> "turn it on with 'sysctl -w kernel.io_uring_disabled=0' (and the same "
					+ "setting in /etc/sysctl.d to keep it after a reboot).";
			case BLOCKED_BY_SECCOMP -> "run the container with a seccomp profile that allows io_uring_setup, "
					+ "io_uring_enter and io_uring_register (for Docker: docker run --security-opt seccomp=<that "
					+ "profile>, or seccomp=unconfined).";
			case LOCKED_MEMORY_LIMIT -> "raise the locked-memory limit of the process: ulimit -l unlimited, "
					+ "LimitMEMLOCK=infinity for a systemd service, or docker run --ulimit memlock=-1.";
			case KERNEL_TOO_OLD -> "run on Linux 6.1 or later, with io_uring built in (CONFIG_IO_URING=y).";
			case UNKNOWN, NONE -> "";
		};
	}

	/**
	 * On the class path the flag and the manifest entry name ALL-UNNAMED; a named module is named by
	 * the flag alone, since the manifest entry only accepts ALL-UNNAMED.
	 */
	static String nativeAccessFix(Module module) {
		if (module.isNamed()) {
			return "add --enable-native-access=" + module.getName() + " to the java command.";
		}
		return "add --enable-native-access=ALL-UNNAMED to the java command, or the manifest entry "
				+ "Enable-Native-Access: ALL-UNNAMED to the executable jar.";
	}

}
