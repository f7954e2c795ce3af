package dev.iouring.autoconfigure;

import java.util.List;

/**
 * A listener cannot be given its {@link dev.iouring.server.TcpHandler}: the bean it names does not
 * exist, or it names none and the context does not hold exactly one handler bean.
 *
 * <p>The message says which listener, which beans could serve it and which property to set; a failure
 * analyzer shows the same at startup.
 */
public class TcpHandlerResolutionException extends RuntimeException {

	private final String listenerName;

	private final String property;

	private final List<String> candidates;

	private final String description;

	private final String action;

	/**
	 * Creates an exception.
	 * @param listenerName the listener that has no handler
	 * @param property the property that chooses the listener's handler
	 * @param candidates the names of the {@code TcpHandler} beans in the context
	 * @param description what is wrong
	 * @param action how to fix it
	 */
	public TcpHandlerResolutionException(String listenerName, String property, List<String> candidates,
			String description, String action) {
		super(description + " " + action);
		this.listenerName = listenerName;
		this.property = property;
		this.candidates = List.copyOf(candidates);
		this.description = description;
		this.action = action;
	}

	/**
	 * Returns the listener that has no handler.
	 * @return the listener name
	 */
	public String getListenerName() {
		return this.listenerName;
	}

	/**
	 * Returns the property that chooses the listener's handler.
	 * @return the full property name
	 */
	public String getProperty() {
		return this.property;
	}

	/**
	 * Returns the names of the {@code TcpHandler} beans that could serve the listener.
	 * @return the bean names, possibly empty
	 */
	public List<String> getCandidates() {
		return this.candidates;
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
