package dev.iouring.ring;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Skips a test, with the reason, where io_uring cannot be used.
 */
public final class IoUringAssumptions {

	private IoUringAssumptions() {
	}

	public static void assumeIoUring() {
		IoUring.Availability availability = IoUring.availability();
		assumeTrue(availability.available(), () -> "io_uring unavailable: " + availability.cause());
	}

}
