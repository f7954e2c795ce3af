package dev.iouring.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

import dev.iouring.ring.IoUringUnavailableException;

/**
 * Explains why io_uring cannot be used on this machine and lists the ways to make it usable. The
 * exception's message holds the cause the availability probe found (not Linux, ENOSYS, EPERM, ENOMEM, a
 * missing feature); the action covers every common fix, since the probe cannot always tell a seccomp
 * profile from the sysctl switch.
 */
class IoUringUnavailableFailureAnalyzer extends AbstractFailureAnalyzer<IoUringUnavailableException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, IoUringUnavailableException cause) {
		String description = "The io_uring server could not start because io_uring is unavailable: "
				+ cause.getMessage();
		String action = """
				Make io_uring available to this process, depending on the cause above:
				    - run on Linux 6.1 or later (check with 'uname -r');
				    - enable io_uring if the kernel turns it off: sysctl kernel.io_uring_disabled=0;
				    - in a container, allow the io_uring system calls, which Docker's default seccomp profile \
				blocks: docker run --security-opt seccomp=unconfined (or a profile that allows io_uring_setup, \
				io_uring_enter and io_uring_register);
				    - raise the locked-memory limit (ulimit -l, or LimitMEMLOCK= for a systemd service; \
				docker run --ulimit memlock=-1), or make the rings smaller with iouring.ring.entries and \
				iouring.ring.cq-entries;
				    - or serve over NIO instead: set iouring.server.transport=nio (or auto, which falls back \
				to NIO by itself).
				To run the application without the io_uring server, set iouring.server.enabled=false.""";
		return new FailureAnalysis(description, action, cause);
	}

}
