package dev.iouring.ring;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Skips a test, with the reason, where io_uring cannot be used; fails it instead where the environment
 * variable {@value #REQUIRED} is {@code true}, so that a CI machine that should have io_uring cannot
 * turn every io_uring run into a silent skip.
 */
public final class IoUringAssumptions {

	/** The environment variable that turns a missing io_uring from a skip into a failure. */
	public static final String REQUIRED = "IOURING_REQUIRED";

	private IoUringAssumptions() {
	}

	/**
	 * Skips the calling test where io_uring cannot be used, or fails it where {@value #REQUIRED} is
	 * {@code true}.
	 */
	public static void assumeIoUring() {
		IoUring.Availability availability = IoUring.availability();
		if (!availability.available() && required()) {
			throw new AssertionError("io_uring unavailable although " + REQUIRED + "=true: " + availability.cause());
		}
		assumeTrue(availability.available(), () -> "io_uring unavailable: " + availability.cause());
	}

	private static boolean required() {
		return Boolean.parseBoolean(System.getenv(REQUIRED));
	}

}
