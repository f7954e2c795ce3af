package dev.iouring.autoconfigure;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationEvent;

import dev.iouring.server.TcpServer;

/**
 * Published once the {@link TcpServer} has bound every listener and serves. Useful to learn the ports
 * the system chose when a listener is configured with port 0, as the {@code local.iouring.server.port}
 * properties are only set at that moment.
 */
public class IoUringServerInitializedEvent extends ApplicationEvent {

	private final ApplicationContext applicationContext;

	private final Map<String, Integer> ports;

	private final String firstListener;

	/**
	 * Creates an event; reads the bound port of each listener from the server.
	 * @param server the server that started
	 * @param applicationContext the context the server runs in
	 */
	public IoUringServerInitializedEvent(TcpServer server, ApplicationContext applicationContext) {
		super(server);
		this.applicationContext = applicationContext;
		this.ports = Collections.unmodifiableMap(new LinkedHashMap<>(server.ports()));
		this.firstListener = server.settings().listeners().getFirst().name();
	}

	/**
	 * Returns the server that started.
	 * @return the server
	 */
	public TcpServer getServer() {
		return (TcpServer) getSource();
	}

	/**
	 * Returns the context the server runs in.
	 * @return the application context
	 */
	public ApplicationContext getApplicationContext() {
		return this.applicationContext;
	}

	/**
	 * Returns the bound port of the first listener (the {@code default} one when no listener is
	 * configured).
	 * @return the port
	 */
	public int getPort() {
		return getPort(this.firstListener);
	}

	/**
	 * Returns the bound port of a listener.
	 * @param listenerName the listener
	 * @return the port
	 * @throws IllegalArgumentException if the server has no such listener
	 */
	public int getPort(String listenerName) {
		Integer port = this.ports.get(listenerName);
		if (port == null) {
			throw new IllegalArgumentException(
					"No listener named '" + listenerName + "'; the server has " + this.ports.keySet());
		}
		return port;
	}

	/**
	 * Returns the bound port of every listener, by listener name, in the order of the listeners.
	 * @return the ports
	 */
	public Map<String, Integer> getPorts() {
		return this.ports;
	}

}
