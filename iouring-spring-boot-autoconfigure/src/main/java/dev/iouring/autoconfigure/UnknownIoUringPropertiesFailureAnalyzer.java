package dev.iouring.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

import dev.iouring.autoconfigure.UnknownIoUringPropertiesException.UnknownProperty;

/**
 * Reports keys under the listeners and framing that no setting has, each with its value, origin and the
 * keys valid in its place, in the layout of Boot's own bind failure reports.
 */
class UnknownIoUringPropertiesFailureAnalyzer extends AbstractFailureAnalyzer<UnknownIoUringPropertiesException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, UnknownIoUringPropertiesException cause) {
		StringBuilder description = new StringBuilder(
				String.format("The io_uring server has no setting for these keys, so they would be ignored:%n"));
		for (UnknownProperty unknown : cause.getProperties()) {
			PropertyFailures.append(description, unknown.property().getName().toString(),
					unknown.property().getValue(), unknown.property().getOrigin(), unknown.reason());
		}
		return new FailureAnalysis(description.toString(),
				"Correct or remove these keys in your application's configuration.", cause);
	}

}
