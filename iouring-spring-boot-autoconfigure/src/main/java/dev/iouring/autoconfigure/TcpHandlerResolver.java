package dev.iouring.autoconfigure;

import java.util.Arrays;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ListableBeanFactory;

import dev.iouring.server.TcpHandler;

/**
 * Finds the {@link TcpHandler} bean that serves a listener: the bean the listener's {@code handler}
 * property names, or else the one {@code TcpHandler} bean the context would inject where a
 * {@code TcpHandler} is asked for: the only one, or among several the {@code @Primary} one (or the only
 * one not marked {@code @Fallback}), as Spring resolves an injection point.
 */
final class TcpHandlerResolver {

	private final ListableBeanFactory beanFactory;

	TcpHandlerResolver(ListableBeanFactory beanFactory) {
		this.beanFactory = beanFactory;
	}

	/**
	 * Returns the handler of a listener.
	 * @param listenerName the listener
	 * @param beanName the bean the configuration names, or {@code null} to take the handler bean that
	 * stands out (the only one, or the primary one)
	 * @param property the property that names the handler, for error messages
	 * @return the handler bean
	 * @throws TcpHandlerResolutionException if the named bean is missing, or no name was given and no
	 * single handler bean stands out
	 */
	TcpHandler resolve(String listenerName, @Nullable String beanName, String property) {
		List<String> candidates = Arrays.asList(this.beanFactory.getBeanNamesForType(TcpHandler.class));
		if (beanName != null) {
			if (!candidates.contains(beanName)) {
				throw new TcpHandlerResolutionException(listenerName, property, candidates,
						"Listener '" + listenerName + "' is served by TcpHandler bean '" + beanName + "' ("
								+ property + "), but the context has no TcpHandler bean of that name.",
						"Set " + property + " to one of the TcpHandler beans " + candidates
								+ ", or define a TcpHandler bean named '" + beanName + "'.");
			}
			return this.beanFactory.getBean(beanName, TcpHandler.class);
		}
		if (candidates.size() == 1) {
			return this.beanFactory.getBean(candidates.getFirst(), TcpHandler.class);
		}
		TcpHandler unique = this.beanFactory.getBeanProvider(TcpHandler.class).getIfUnique();
		if (unique != null) {
			return unique;
		}
		if (candidates.isEmpty()) {
			throw new TcpHandlerResolutionException(listenerName, property, candidates,
					"Listener '" + listenerName + "' has no handler: the context holds no TcpHandler bean.",
					"Define a bean that implements dev.iouring.server.TcpHandler, or set iouring.server.enabled=false "
							+ "if the application should not run the io_uring server.");
		}
		throw new TcpHandlerResolutionException(listenerName, property, candidates,
				"Listener '" + listenerName + "' does not name its handler and the context holds "
						+ candidates.size() + " TcpHandler beans: " + candidates + ".",
				"Set " + property + " to the name of one of them, or mark one of them @Primary.");
	}

}
