package dev.iouring.autoconfigure;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.env.Environment;

import dev.iouring.server.PortInUseException;

/**
 * Explains a listener that could not bind because its port is taken: which port, which listener, and
 * which property moves it.
 */
class IoUringPortInUseFailureAnalyzer extends AbstractFailureAnalyzer<PortInUseException> {

	private final @Nullable Environment environment;

	/**
	 * Creates an analyzer; Boot passes the application's environment, from which it learns whether the
	 * listener's port is set on the listener itself or inherited from {@code iouring.server.port}.
	 * @param environment the environment, or {@code null} when the context had none yet
	 */
	IoUringPortInUseFailureAnalyzer(@Nullable Environment environment) {
		this.environment = environment;
	}

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, PortInUseException cause) {
		String property = portProperty(cause.listenerName());
		String description = "The io_uring server's listener '" + cause.listenerName() + "' could not start: port "
				+ cause.port() + " is already in use.";
		String action = "Identify and stop the process that is listening on port " + cause.port()
				+ " (for example with 'ss -ltnp'), or choose another port for the listener by setting " + property
				+ " (0 lets the system choose a free one).";
		return new FailureAnalysis(description, action, cause);
	}

	/**
	 * The property that sets the listener's port: its own when it is configured under
	 * {@code iouring.server.listeners} with a port, else the server-level one it inherits.
	 */
	private String portProperty(String listenerName) {
		String own = "iouring.server.listeners." + listenerName + ".port";
		if (this.environment != null && ConfigurationPropertyName.isValid(own)
				&& Binder.get(this.environment).bind(own, Integer.class).isBound()) {
			return own;
		}
		return "iouring.server.port";
	}

}
