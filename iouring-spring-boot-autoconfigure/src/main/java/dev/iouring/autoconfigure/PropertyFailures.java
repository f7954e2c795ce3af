package dev.iouring.autoconfigure;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.origin.Origin;
import org.springframework.util.unit.DataSize;
import org.springframework.util.unit.DataUnit;

/**
 * Writes one property of a startup failure report the way Boot's own bind failure reports do: the
 * property, its value as the configuration wrote it, where it was written, and what is wrong with it.
 */
final class PropertyFailures {

	private PropertyFailures() {
	}

	/**
	 * Appends one property the configuration sets to a report's description.
	 * @param description the description so far
	 * @param name the full property name, as written
	 * @param value the value as written
	 * @param origin where it was written, or {@code null} when unknown
	 * @param reason what is wrong
	 */
	static void append(StringBuilder description, String name, @Nullable Object value, @Nullable Origin origin,
			String reason) {
		append(description, name, "\"" + value + "\"", origin, reason);
	}

	/**
	 * Appends one property the configuration leaves unset to a report's description.
	 * @param description the description so far
	 * @param name the full property name
	 * @param defaultValue the default it takes, as a user would write it, or {@code null} when none
	 * @param reason what is wrong
	 */
	static void appendUnset(StringBuilder description, String name, @Nullable String defaultValue,
			String reason) {
		append(description, name, (defaultValue != null) ? "\"" + defaultValue + "\" (not set: the default)" : null,
				null, reason);
	}

	private static void append(StringBuilder description, String name, @Nullable String shownValue,
			@Nullable Origin origin, String reason) {
		description.append(String.format("%n    Property: %s", name));
		if (shownValue != null) {
			description.append(String.format("%n    Value: %s", shownValue));
		}
		if (origin != null) {
			description.append(String.format("%n    Origin: %s", origin));
		}
		description.append(String.format("%n    Reason: %s%n", reason));
	}


	/**
	 * Writes a size in the largest unit that holds it exactly, as a user would write it: {@code 16KB},
	 * not {@code 16384B}.
	 * @param size the size
	 * @return the size with its unit
	 */
	static String format(DataSize size) {
		long bytes = size.toBytes();
		String[] suffixes = { "TB", "GB", "MB", "KB" };
		for (String suffix : suffixes) {
			long unitBytes = DataSize.of(1, DataUnit.fromSuffix(suffix)).toBytes();
			if (bytes != 0 && bytes % unitBytes == 0) {
				return (bytes / unitBytes) + suffix;
			}
		}
		return bytes + "B";
	}

}
