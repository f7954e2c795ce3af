package dev.iouring.ring;

import org.opentest4j.TestAbortedException;

/**
 * Run by {@link IoUringAssumptionsTests} in a JVM of its own: makes the kernel refuse io_uring to this
 * process ({@link IoUringSeccompFilter}), calls {@link IoUringAssumptions#assumeIoUring()} and prints one
 * line saying what it did: {@value #SKIPPED}, {@value #FAILED} or {@value #PASSED}, each followed by the
 * message, or {@value #NO_SECCOMP} and why the filter could not be installed.
 */
public final class IoUringRefusedAssumption {

	static final String SKIPPED = "ASSUMPTION skipped: ";

	static final String FAILED = "ASSUMPTION failed: ";

	static final String PASSED = "ASSUMPTION passed: ";

	static final String NO_SECCOMP = "ASSUMPTION no seccomp: ";

	private IoUringRefusedAssumption() {
	}

	public static void main(String[] args) {
		try {
			IoUringSeccompFilter.install();
		}
		catch (RuntimeException ex) {
			System.out.println(NO_SECCOMP + ex.getMessage());
			return;
		}
		try {
			IoUringAssumptions.assumeIoUring();
			System.out.println(PASSED + "io_uring available");
		}
		catch (TestAbortedException ex) {
			System.out.println(SKIPPED + ex.getMessage());
		}
		catch (AssertionError ex) {
			System.out.println(FAILED + ex.getMessage());
		}
	}

}
