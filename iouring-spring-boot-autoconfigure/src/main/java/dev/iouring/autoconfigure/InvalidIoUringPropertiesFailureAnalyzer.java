package dev.iouring.autoconfigure;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.DataObjectPropertyName;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.context.properties.bind.validation.ValidationErrors;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.FieldError;
import org.springframework.validation.ObjectError;

/**
 * Reports the {@code iouring.*} values {@link IoUringPropertiesValidator} refused, each with the value as
 * the configuration wrote it and where it was written.
 *
 * <p>Boot's own report of a validation failure finds a value's origin only for properties directly
 * beneath the validated object, and prints the bound value ({@code 131072B} for {@code 128KB}). The
 * properties are validated as a whole, so that one check can see several of them, which leaves most
 * errors without an origin there. The binder keeps every property it bound, with its value as written
 * and its origin, in the {@link ValidationErrors}; this analyzer reads them from there, and runs before
 * Boot's so that the fuller report is the one shown. Failures of other properties are left to Boot.
 */
@Order(Ordered.LOWEST_PRECEDENCE - 1)
class InvalidIoUringPropertiesFailureAnalyzer extends AbstractFailureAnalyzer<BindValidationException> {

	private static final ConfigurationPropertyName IOURING = ConfigurationPropertyName.of("iouring");

	@Override
	protected @Nullable FailureAnalysis analyze(Throwable rootFailure, BindValidationException cause) {
		ValidationErrors errors = cause.getValidationErrors();
		if (!IOURING.equals(errors.getName())) {
			return null;
		}
		StringBuilder description = new StringBuilder(
				String.format("Binding to target %s failed:%n", IoUringProperties.class.getName()));
		for (ObjectError error : errors) {
			if (error instanceof FieldError fieldError) {
				appendFieldError(description, errors, fieldError);
			}
			else {
				description.append(String.format("%n    Reason: %s%n", error.getDefaultMessage()));
			}
		}
		return new FailureAnalysis(description.toString(), "Correct these values in your application's configuration.",
				cause);
	}

	private void appendFieldError(StringBuilder description, ValidationErrors errors, FieldError error) {
		String name = errors.getName() + "." + DataObjectPropertyName.toDashedForm(error.getField());
		ConfigurationProperty bound = boundProperty(errors, name);
		if (bound != null) {
			PropertyFailures.append(description, bound.getName().toString(), bound.getValue(), bound.getOrigin(),
					String.valueOf(error.getDefaultMessage()));
			return;
		}
		Object value = error.getRejectedValue();
		String shown = (value instanceof DataSize size) ? PropertyFailures.format(size)
				: (value != null) ? value.toString() : null;
		PropertyFailures.appendUnset(description, name, shown, String.valueOf(error.getDefaultMessage()));
	}

	private static @Nullable ConfigurationProperty boundProperty(ValidationErrors errors, String name) {
		if (!ConfigurationPropertyName.isValid(name)) {
			return null;
		}
		ConfigurationPropertyName propertyName = ConfigurationPropertyName.of(name);
		return errors.getBoundProperties()
			.stream()
			.filter((property) -> property.getName().equals(propertyName))
			.findFirst()
			.orElse(null);
	}

}
