package dev.iouring.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Shows a listener without a handler as a startup failure report: the listener, the handler beans that
 * could serve it and the property to set.
 */
class TcpHandlerResolutionFailureAnalyzer extends AbstractFailureAnalyzer<TcpHandlerResolutionException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, TcpHandlerResolutionException cause) {
		return new FailureAnalysis(cause.getDescription(), cause.getAction(), cause);
	}

}
