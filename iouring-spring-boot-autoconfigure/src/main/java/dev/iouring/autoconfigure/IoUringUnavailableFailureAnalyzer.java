package dev.iouring.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.util.StringUtils;

import dev.iouring.ring.IoUringUnavailableException;
import dev.iouring.server.IoUringFixes;

/**
 * Explains why io_uring cannot be used here, with {@code iouring.server.transport=io-uring} asking for
 * it. The description is the cause the availability probe found; the action is that cause's one fix
 * ({@link IoUringFixes}), then the NIO fallback as the way to start without it. A cause the probe could
 * not classify gets the fallback alone, since any specific fix would be a guess.
 */
class IoUringUnavailableFailureAnalyzer extends AbstractFailureAnalyzer<IoUringUnavailableException> {

	private static final String FALLBACK = "set iouring.server.transport=auto to serve over NIO where io_uring "
			+ "is not available.";

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, IoUringUnavailableException cause) {
		String description = cause.getMessage() + ".";
		String fix = IoUringFixes.fix(cause.reason());
		String action = fix.isEmpty() ? StringUtils.capitalize(FALLBACK)
				: "To use io_uring, " + fix + " Or " + FALLBACK;
		return new FailureAnalysis(description, action, cause);
	}

}
