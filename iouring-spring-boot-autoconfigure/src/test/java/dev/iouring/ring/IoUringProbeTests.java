package dev.iouring.ring;

import org.junit.jupiter.api.Test;

import dev.iouring.ring.IoUring.Availability;
import dev.iouring.ring.IoUring.Reason;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How the io_uring probe names a failure: one reason per cause, and a cause that states what is wrong
 * without prescribing fixes (those are the reports' business, one per reason).
 */
class IoUringProbeTests {

	@Test
	void epermWhileTheSysctlAllowsIoUringIsASeccompProfile() {
		Availability availability = failed(Errno.EPERM, "0");
		assertThat(availability.reason()).isEqualTo(Reason.BLOCKED_BY_SECCOMP);
		assertThat(availability.cause()).isEqualTo("io_uring_setup failed with EPERM: a seccomp profile refuses "
				+ "io_uring to this process, as Docker's default profile does [kernel 6.18.44]");
	}

	@Test
	void epermWhereTheSysctlCannotBeReadIsASeccompProfile() {
		assertThat(failed(Errno.EPERM, "").reason()).isEqualTo(Reason.BLOCKED_BY_SECCOMP);
	}

	@Test
	void epermWhileTheSysctlIsSetIsTheSysctl() {
		Availability off = failed(Errno.EPERM, "2");
		assertThat(off.reason()).isEqualTo(Reason.DISABLED_BY_SYSCTL);
		assertThat(off.cause()).contains("kernel.io_uring_disabled is 2, which turns io_uring off")
			.doesNotContain("seccomp");
		assertThat(failed(Errno.EPERM, "1").cause()).contains("for processes outside kernel.io_uring_group");
	}

	@Test
	void enomemIsTheLockedMemoryLimit() {
		Availability availability = failed(Errno.ENOMEM, "0");
		assertThat(availability.reason()).isEqualTo(Reason.LOCKED_MEMORY_LIMIT);
		assertThat(availability.cause()).startsWith("io_uring_setup failed with ENOMEM: the locked-memory limit");
	}

	@Test
	void enosysAndEinvalAreAKernelTooOld() {
		assertThat(failed(Errno.ENOSYS, "").reason()).isEqualTo(Reason.KERNEL_TOO_OLD);
		assertThat(failed(Errno.ENOSYS, "").cause()).contains("the kernel has no io_uring system calls");
		assertThat(failed(Errno.EINVAL, "0").reason()).isEqualTo(Reason.KERNEL_TOO_OLD);
	}

	@Test
	void anyOtherErrnoIsUnknownAndNamed() {
		Availability availability = failed(Errno.EBADF, "0");
		assertThat(availability.reason()).isEqualTo(Reason.UNKNOWN);
		assertThat(availability.cause()).isEqualTo("io_uring_setup failed with EBADF [kernel 6.18.44]");
	}

	@Test
	void causesCarryNoFix() {
		for (int errno : new int[] { Errno.EPERM, Errno.ENOMEM, Errno.ENOSYS, Errno.EINVAL }) {
			assertThat(failed(errno, "0").cause()).doesNotContain("iouring.").doesNotContain("set ").doesNotContain("raise");
		}
	}

	@Test
	void refusedNativeAccessIsFoundBehindTheInitializerErrorThatCarriesIt() {
		IllegalCallerException denied = new IllegalCallerException("Illegal native access from an unnamed module");
		ExceptionInInitializerError initializer = new ExceptionInInitializerError(denied);
		assertThat(IoUring.nativeAccessDenial(initializer)).isSameAs(denied);
		assertThat(IoUring.nativeAccessDenial(new NoClassDefFoundError("Could not initialize class LibC")))
			.isNull();
		assertThat(IoUring.nativeAccessDenial(new IllegalStateException("libc symbol 'mmap' not found"))).isNull();
	}

	@Test
	void theRealProbeNamesAReasonThatMatchesItsResult() {
		Availability availability = IoUring.availability();
		assertThat(availability.reason() == Reason.NONE).isEqualTo(availability.available());
	}

	private static Availability failed(int errno, String sysctl) {
		return IoUring.failed(new NativeCallException("io_uring_setup", errno, "a hint the cause leaves out"),
				"6.18.44", sysctl);
	}

}
