package dev.iouring.autoconfigure;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.origin.Origin;

/**
 * Writes one property of a startup failure report the way Boot's own bind failure reports do: the
 * property, its value as the configuration wrote it, where it was written, and what is wrong with it.
 */
final class PropertyFailures {

	private PropertyFailures() {
	}

	/**
	 * Appends one property to a report's description.
	 * @param description the description so far
	 * @param name the full property name
	 * @param value the value as written, or {@code null} when the property is not set
	 * @param origin where it was written, or {@code null} when unknown
	 * @param reason what is wrong
	 */
	static void append(StringBuilder description, String name, @Nullable Object value, @Nullable Origin origin,
			String reason) {
		description.append(String.format("%n    Property: %s", name));
		if (value != null) {
			description.append(String.format("%n    Value: \"%s\"", value));
		}
		if (origin != null) {
			description.append(String.format("%n    Origin: %s", origin));
		}
		description.append(String.format("%n    Reason: %s%n", reason));
	}

}
