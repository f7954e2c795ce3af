package dev.iouring.autoconfigure;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.env.Environment;

import dev.iouring.server.PortInUseException;
import dev.iouring.server.UnixSocket;

/**
 * Explains a listener that could not bind because its port is taken: which port, which listener, which
 * property moves it, and which one lets it share the port on purpose. A port is taken also when the
 * other socket shares it through SO_REUSEPORT, which the server refuses unless reuse-port is set.
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
		String listener = cause.listenerName();
		UnixSocket unix = cause.unixSocket();
		if (unix != null) {
			return analyzeUnix(listener, unix, cause);
		}
		String description = "The io_uring server's listener '" + listener + "' could not start: port "
				+ cause.port() + " is already in use. Unless reuse-port is true, a listener owns its port alone,"
				+ " and refuses to share it also with a socket that sets SO_REUSEPORT.";
		String action = "Identify and stop the process that is listening on port " + cause.port()
				+ " (for example with 'ss -ltnp'), or choose another port for the listener by setting "
				+ listenerProperty(listener, "port", Integer.class)
				+ " (0 lets the system choose a free one), or, if the listener is meant to share the port with the"
				+ " other process (which must set SO_REUSEPORT too; the kernel then spreads new connections"
				+ " between them), set " + listenerProperty(listener, "reuse-port", Boolean.class) + " to true.";
		return new FailureAnalysis(description, action, cause);
	}

	private FailureAnalysis analyzeUnix(String listener, UnixSocket unix, PortInUseException cause) {
		String description = "The io_uring server's listener '" + listener + "' could not start: " + cause.getMessage()
				+ ". One socket at a time can be bound to a name; a socket file that nobody listens on any more is "
				+ "replaced at startup, but this one has a live socket behind it.";
		String action = "Identify and stop the process that is listening on " + unix + " (for example with 'ss -lxp | "
				+ "grep " + unix.name() + "'), or choose another socket for the listener by setting "
				+ listenerProperty(listener, "address", String.class) + " (for example to unix:/run/app/"
				+ listener + ".sock).";
		return new FailureAnalysis(description, action, cause);
	}

	/**
	 * The property that sets one of the listener's values: its own when it is configured under
	 * {@code iouring.server.listeners} with that value, else the server-level one it inherits.
	 */
	private String listenerProperty(String listenerName, String name, Class<?> type) {
		String own = "iouring.server.listeners." + listenerName + "." + name;
		if (this.environment != null && ConfigurationPropertyName.isValid(own)
				&& Binder.get(this.environment).bind(own, type).isBound()) {
			return own;
		}
		return "iouring.server." + name;
	}

}
