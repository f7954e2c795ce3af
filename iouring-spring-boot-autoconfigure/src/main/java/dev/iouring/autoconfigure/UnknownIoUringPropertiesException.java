package dev.iouring.autoconfigure;

import java.util.List;
import java.util.stream.Collectors;

import org.springframework.boot.context.properties.source.ConfigurationProperty;

/**
 * The configuration sets keys under {@code iouring.server.listeners.<name>}, their {@code framing}, or
 * {@code iouring.server.framing} that no setting has. Each key is reported with its value, where it was
 * written, and the keys valid at its level.
 */
class UnknownIoUringPropertiesException extends RuntimeException {

	private final List<UnknownProperty> properties;

	/**
	 * Creates an exception.
	 * @param properties the keys no setting has, at least one
	 */
	UnknownIoUringPropertiesException(List<UnknownProperty> properties) {
		super(message(properties));
		this.properties = List.copyOf(properties);
	}

	/**
	 * Returns the keys no setting has.
	 * @return the keys, in the order the sources list them
	 */
	List<UnknownProperty> getProperties() {
		return this.properties;
	}

	private static String message(List<UnknownProperty> properties) {
		return "The io_uring server has no setting for " + properties.stream()
			.map((unknown) -> unknown.property().getName()
					+ ((unknown.property().getOrigin() != null) ? " (" + unknown.property().getOrigin() + ")" : "")
					+ ": " + unknown.reason())
			.collect(Collectors.joining("; "));
	}

	/**
	 * One key no setting has.
	 * @param property the property as the sources hold it: name, value as written, origin
	 * @param reason which part of the name is wrong, and the keys valid there
	 */
	record UnknownProperty(ConfigurationProperty property, String reason) {
	}

}
