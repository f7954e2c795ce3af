package dev.iouring.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

import org.springframework.util.unit.DataSize;

import dev.iouring.autoconfigure.IoUringProperties.Server;
import dev.iouring.ring.RingOptions;
import dev.iouring.server.HandlerExecution;
import dev.iouring.server.ListenerSettings;
import dev.iouring.server.ProxyProtocolMode;
import dev.iouring.server.codec.FrameDecoderFactory;
import dev.iouring.server.ServerSettings;
import dev.iouring.server.SocketOptions;
import dev.iouring.server.TlsSettings;

/**
 * Turns {@link IoUringProperties} into the engine's {@link ServerSettings}.
 *
 * <p>Listeners: with no {@code iouring.server.listeners} entry, one listener named
 * {@value #DEFAULT_LISTENER} serves {@code iouring.server.port}; otherwise one listener per entry, in
 * the order they are configured, each value left unset taken from {@code iouring.server.*}. TLS comes
 * from {@link ListenerTlsResolver}.
 */
final class ServerSettingsMapper {

	/** Name of the listener created when no listener is configured. */
	static final String DEFAULT_LISTENER = "default";

	/** Value of {@code sqpoll_cpu} in {@link RingOptions} that lets the kernel choose the CPU. */
	private static final int ANY_CPU = -1;

	private final IoUringProperties properties;

	private final TcpHandlerResolver handlers;

	private final HandlerExecution defaultExecution;

	private final ListenerTlsResolver tls;

	/**
	 * Creates a mapper.
	 * @param properties the bound properties
	 * @param handlers finds each listener's handler
	 * @param defaultExecution where callbacks run when neither the listener nor the server sets
	 * {@code handler-execution}
	 * @param tls turns each listener's {@code ssl.*} into its TLS settings
	 */
	ServerSettingsMapper(IoUringProperties properties, TcpHandlerResolver handlers,
			HandlerExecution defaultExecution, ListenerTlsResolver tls) {
		this.properties = properties;
		this.handlers = handlers;
		this.defaultExecution = defaultExecution;
		this.tls = tls;
	}

	/**
	 * Builds the settings.
	 * @return the server settings
	 * @throws TcpHandlerResolutionException if a listener's handler cannot be found
	 * @throws IllegalStateException if the engine refuses a value the property validation let through
	 */
	ServerSettings map() {
		Server server = this.properties.getServer();
		BufferProperties buffers = this.properties.getBuffers();
		WriteBufferProperties writeBuffer = server.getWriteBuffer();
		List<ListenerSettings> listeners = listeners(server);
		try {
			ServerSettings.Builder builder = ServerSettings.builder()
				.ring(ringOptions(this.properties.getRing()))
				.buffers(buffers.getCount(), Math.toIntExact(buffers.getSize().toBytes()))
				.eventLoops(Objects.requireNonNullElseGet(server.getEventLoops(),
						() -> Runtime.getRuntime().availableProcessors()))
				.writeWaterMarks(Math.toIntExact(writeBuffer.getLowWaterMark().toBytes()),
						Math.toIntExact(writeBuffer.getHighWaterMark().toBytes()))
				.writeLimit(writeBuffer.getLimit().toBytes());
			listeners.forEach(builder::listener);
			return builder.build();
		}
		catch (IllegalArgumentException | ArithmeticException ex) {
			throw invalid(ex);
		}
	}

	private RingOptions ringOptions(RingProperties ring) {
		int cpu = Objects.requireNonNullElse(ring.getSqpollCpu(), ANY_CPU);
		return new RingOptions(ring.getEntries(), ring.getCqEntries(), ring.isSqpoll(), ring.getSqpollIdle(), cpu);
	}

	private List<ListenerSettings> listeners(Server server) {
		Map<String, ListenerProperties> configured = server.getListeners();
		if (configured.isEmpty()) {
			return List.of(listener(DEFAULT_LISTENER, new ListenerProperties(), server, "iouring.server.handler"));
		}
		List<ListenerSettings> listeners = new ArrayList<>(configured.size());
		configured.forEach((name, listener) -> {
			String handlerProperty = "iouring.server.listeners." + name + ".handler";
			listeners.add(listener(name, listener, server, handlerProperty));
		});
		return listeners;
	}

	private ListenerSettings listener(String name, ListenerProperties listener, Server server, String handlerProperty) {
		String handlerName = firstNonNull(listener.getHandler(), server.getHandler());
		String property = (listener.getHandler() == null && server.getHandler() != null) ? "iouring.server.handler"
				: handlerProperty;
		ListenerAddress address;
		try {
			address = ListenerAddress.of(firstNonNull(listener.getAddress(), server.getAddress()),
					Objects.requireNonNullElse(listener.getUnixSocketPermissions(), server.getUnixSocketPermissions()));
		}
		catch (IllegalArgumentException ex) {
			throw invalid(ex);
		}
		int port = Objects.requireNonNullElse(listener.getPort(), server.getPort());
		int backlog = Objects.requireNonNullElse(listener.getBacklog(), server.getBacklog());
		int maxConnections = Objects.requireNonNullElse(listener.getMaxConnections(), server.getMaxConnections());
		Duration idleTimeout = Objects.requireNonNullElse(listener.getIdleTimeout(), server.getIdleTimeout());
		Duration frameTimeout = Objects.requireNonNullElse(listener.getFrameTimeout(), server.getFrameTimeout());
		HandlerExecution execution = Objects.requireNonNullElse(
				firstNonNull(listener.getHandlerExecution(), server.getHandlerExecution()), this.defaultExecution);
		boolean reusePort = Objects.requireNonNullElse(listener.getReusePort(), server.isReusePort());
		ProxyProtocolMode proxyProtocol = Objects.requireNonNullElse(listener.getProxyProtocol(),
				server.getProxyProtocol());
		Duration proxyProtocolTimeout = Objects.requireNonNullElse(listener.getProxyProtocolTimeout(),
				server.getProxyProtocolTimeout());
		FrameDecoderFactory framing = framing(name, listener, server);
		TlsSettings tls = this.tls.resolve(name, listener.getSsl(), server.getSsl(),
				"iouring.server.listeners." + name + ".ssl");
		try {
			// A Unix socket has no port and no SO_REUSEPORT: the server-level ones it inherits do not apply.
			return new ListenerSettings(name, address.inet(), address.isUnix() ? 0 : port, backlog,
					this.handlers.resolve(name, handlerName, property), framing, maxConnections, idleTimeout,
					execution, frameTimeout, reusePort && !address.isUnix(), proxyProtocol, proxyProtocolTimeout,
					socketOptions(listener.getSocket(), server.getSocket()), tls, address.unix());
		}
		catch (IllegalArgumentException | ArithmeticException ex) {
			throw invalid(ex);
		}
	}

	private static @Nullable FrameDecoderFactory framing(String name, ListenerProperties listener, Server server) {
		boolean own = listener.getFraming() != null;
		FramingProperties framing = own ? listener.getFraming() : server.getFraming();
		String prefix = own ? "iouring.server.listeners." + name + ".framing" : "iouring.server.framing";
		try {
			return framing.toSpec().decoderFactory();
		}
		catch (IllegalArgumentException | ArithmeticException ex) {
			throw new IllegalStateException("Invalid framing for listener '" + name + "' (" + prefix + ".*): "
					+ ex.getMessage(), ex);
		}
	}

	/**
	 * Each option from the listener, else the server, else the engine's default (which leaves the kernel's
	 * in place).
	 */
	private static SocketOptions socketOptions(@Nullable SocketProperties listener, SocketProperties server) {
		SocketOptions defaults = SocketOptions.DEFAULTS;
		SocketOptionSource source = new SocketOptionSource(listener, server);
		return SocketOptions.builder()
			.keepAlive(source.get(SocketProperties::getKeepAlive, defaults.keepAlive()))
			.keepAliveIdle(source.get(SocketProperties::getKeepAliveIdle, defaults.keepAliveIdle()))
			.keepAliveInterval(source.get(SocketProperties::getKeepAliveInterval, defaults.keepAliveInterval()))
			.keepAliveCount(source.get(SocketProperties::getKeepAliveCount, defaults.keepAliveCount()))
			.userTimeout(source.get(SocketProperties::getUserTimeout, defaults.userTimeout()))
			.receiveBuffer(Math.toIntExact(source.get((socket) -> bytes(socket.getReceiveBuffer()), 0L)))
			.sendBuffer(Math.toIntExact(source.get((socket) -> bytes(socket.getSendBuffer()), 0L)))
			.tcpNoDelay(source.get(SocketProperties::getTcpNoDelay, defaults.tcpNoDelay()))
			.build();
	}

	private static @Nullable Long bytes(@Nullable DataSize size) {
		return (size != null) ? size.toBytes() : null;
	}

	/** A listener's socket options over the server's. */
	private record SocketOptionSource(@Nullable SocketProperties listener, SocketProperties server) {

		<T> T get(Function<SocketProperties, @Nullable T> option, T fallback) {
			T own = (this.listener != null) ? option.apply(this.listener) : null;
			return Objects.requireNonNullElse(firstNonNull(own, option.apply(this.server)), fallback);
		}

	}

	private static <T> @Nullable T firstNonNull(@Nullable T preferred, @Nullable T fallback) {
		return (preferred != null) ? preferred : fallback;
	}

	/**
	 * The property validation checks every limit the engine has, so this only fires when the two drift
	 * apart; the message still points the user at the properties.
	 */
	private static IllegalStateException invalid(RuntimeException ex) {
		return new IllegalStateException("The iouring.* properties describe settings the io_uring server refuses: "
				+ ex.getMessage() + ". Correct the matching iouring.* property.", ex);
	}

}
