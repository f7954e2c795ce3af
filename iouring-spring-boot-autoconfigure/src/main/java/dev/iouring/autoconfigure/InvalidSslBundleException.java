package dev.iouring.autoconfigure;

/**
 * A listener's TLS cannot be set up from its SSL bundle: the bundle does not exist, its key store does
 * not load, it has no key for the server to present, it cannot check client certificates the listener
 * asks for, or its options name protocols or cipher suites the JDK does not have.
 *
 * <p>The message names the property that chose the bundle, what is wrong and the fix; a failure
 * analyzer shows the same at startup.
 */
public class InvalidSslBundleException extends RuntimeException {

	private final String property;

	private final String description;

	private final String action;

	/**
	 * Creates an exception.
	 * @param property the full name of the property at fault
	 * @param description what is wrong
	 * @param action how to fix it
	 * @param cause the underlying failure, or {@code null}
	 */
	public InvalidSslBundleException(String property, String description, String action, Throwable cause) {
		super(description + " " + action, cause);
		this.property = property;
		this.description = description;
		this.action = action;
	}

	/**
	 * Returns the property at fault.
	 * @return the full property name
	 */
	public String getProperty() {
		return this.property;
	}

	/**
	 * Returns what is wrong, without the fix.
	 * @return the description
	 */
	public String getDescription() {
		return this.description;
	}

	/**
	 * Returns how to fix the problem.
	 * @return the action
	 */
	public String getAction() {
		return this.action;
	}

}
