package dev.iouring.autoconfigure;

import java.util.HashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;

/**
 * Writes the bound ports of the io_uring server into the environment when it starts:
 * {@value #PORT_PROPERTY} for the first listener and {@code local.iouring.server.<listener>.port} for
 * each, so tests with port 0 can inject them ({@link LocalIoUringServerPort}). A listener on a Unix
 * socket has no port: {@code local.iouring.server.<listener>.unix-socket} holds its socket
 * ({@code unix:/path}) instead, and {@value #PORT_PROPERTY} is unset when it is the first.
 *
 * <p>The properties go into the {@value #PROPERTY_SOURCE_NAME} property source that Boot's own servers
 * share, placed first, in the server's context and every parent context.
 */
final class IoUringServerPortInfoListener implements ApplicationListener<IoUringServerInitializedEvent> {

	/** Name of the property source Boot's servers publish their ports in. */
	static final String PROPERTY_SOURCE_NAME = "server.ports";

	/** Property holding the port of the first listener. */
	static final String PORT_PROPERTY = "local.iouring.server.port";

	@Override
	public void onApplicationEvent(IoUringServerInitializedEvent event) {
		Map<String, Object> ports = new HashMap<>();
		boolean first = true;
		for (Map.Entry<String, Object> endpoint : event.getServer().endpoints().entrySet()) {
			String prefix = "local.iouring.server." + endpoint.getKey();
			if (endpoint.getValue() instanceof String unixSocket) {
				// A Unix listener has no port: its socket is published instead, so no -1 passes for a port.
				ports.put(prefix + ".unix-socket", unixSocket);
			}
			else {
				int port = event.getPort(endpoint.getKey());
				ports.put(prefix + ".port", port);
				if (first) {
					ports.put(PORT_PROPERTY, port);
				}
			}
			first = false;
		}
		publish(event.getApplicationContext(), ports);
	}

	private void publish(@Nullable ApplicationContext context, Map<String, Object> ports) {
		if (context == null) {
			return;
		}
		if (context instanceof ConfigurableApplicationContext configurable) {
			portsSource(configurable.getEnvironment()).putAll(ports);
		}
		publish(context.getParent(), ports);
	}

	@SuppressWarnings("unchecked")
	private Map<String, Object> portsSource(ConfigurableEnvironment environment) {
		MutablePropertySources sources = environment.getPropertySources();
		PropertySource<?> source = sources.get(PROPERTY_SOURCE_NAME);
		if (source == null) {
			source = new MapPropertySource(PROPERTY_SOURCE_NAME, new HashMap<>());
			sources.addFirst(source);
		}
		return (Map<String, Object>) source.getSource();
	}

}
