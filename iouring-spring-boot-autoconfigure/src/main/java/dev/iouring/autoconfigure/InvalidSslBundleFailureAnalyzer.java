package dev.iouring.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Shows a listener whose SSL bundle cannot serve it as a startup failure report: the property, what is
 * wrong with the bundle, and the fix.
 */
class InvalidSslBundleFailureAnalyzer extends AbstractFailureAnalyzer<InvalidSslBundleException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, InvalidSslBundleException cause) {
		return new FailureAnalysis(cause.getDescription(), cause.getAction(), cause);
	}

}
