package dev.iouring.autoconfigure;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import dev.iouring.server.HandlerExecution;
import dev.iouring.server.ProxyProtocolMode;
import dev.iouring.server.Transport;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * Configuration of the io_uring TCP server, bound from the {@code iouring.*} properties.
 *
 * <p>The type validates itself when it is bound (it implements {@link Validator}, which Boot's binder
 * honours without Bean Validation on the class path): a value the kernel or the server would refuse
 * fails startup with a report that names the full property, its value as written, where it was written
 * and the reason, for example {@code iouring.ring.entries}, {@code "1000"}, {@code class path resource
 * [application.yml] - 3:14}, {@code must be a power of two between 1 and 32768}.
 */
@ConfigurationProperties("iouring")
public class IoUringProperties implements Validator {

	@NestedConfigurationProperty
	private final RingProperties ring = new RingProperties();

	@NestedConfigurationProperty
	private final BufferProperties buffers = new BufferProperties();

	private final Server server = new Server();

	public RingProperties getRing() {
		return this.ring;
	}

	public BufferProperties getBuffers() {
		return this.buffers;
	}

	public Server getServer() {
		return this.server;
	}

	@Override
	public boolean supports(Class<?> type) {
		return IoUringProperties.class.isAssignableFrom(type);
	}

	@Override
	public void validate(Object target, Errors errors) {
		new IoUringPropertiesValidator((IoUringProperties) target, errors).validate();
	}

	/**
	 * The TCP server and its listeners. The listener-level values under {@code server} are defaults for
	 * every entry of {@code listeners}.
	 */
	public static class Server {

		/**
		 * Whether to run the io_uring server.
		 */
		private boolean enabled = true;

		/**
		 * What carries the server: 'auto' (io_uring where this process can use it, else NIO with a warning
		 * that names the cause), 'io-uring' (fail at startup where it cannot be used) or 'nio'.
		 */
		private Transport transport = Transport.AUTO;

		/**
		 * Port of the default listener, and of any listener that sets none. Use 0 for a port chosen by the
		 * system.
		 */
		private int port = 7000;

		/**
		 * Address to bind: an IP address or host name, or a Unix domain socket as 'unix:/path/to.sock' (or
		 * 'unix:@name' in Linux's abstract namespace, io_uring only), which takes no port. When not set,
		 * the server listens on all interfaces.
		 */
		private @Nullable String address;

		/**
		 * Permissions of a Unix domain socket's file, as 'rw-rw----' or octal '0660'. Connecting takes
		 * write permission.
		 */
		private String unixSocketPermissions = "rw-rw----";

		/**
		 * Maximum length of the queue of connections waiting to be accepted. Linux caps it at
		 * net.core.somaxconn.
		 */
		private int backlog = 1024;

		/**
		 * Whether listeners may share their port with other processes that set SO_REUSEPORT, the kernel
		 * spreading new connections between them. When false, startup fails if any other socket already
		 * listens on a listener's port.
		 */
		private boolean reusePort;

		/**
		 * Number of event-loop threads, each with its own ring. When not set, one per available
		 * processor.
		 */
		private @Nullable Integer eventLoops;

		/**
		 * Name of the TcpHandler bean that serves the listeners. Not needed when the context holds exactly
		 * one TcpHandler bean, or marks one of them @Primary.
		 */
		private @Nullable String handler;

		/**
		 * Maximum number of connections a listener keeps open at once. Connections above it are closed
		 * as soon as they are accepted.
		 */
		private int maxConnections = 10000;

		/**
		 * How long a connection may neither receive nor send before it is closed. Zero means never.
		 */
		private Duration idleTimeout = Duration.ZERO;

		/**
		 * On listeners with framing: how long a frame may take from its first byte to its last before
		 * the connection is closed (replies to earlier frames are sent first), so peers that trickle
		 * bytes cannot hold connections. Zero means no limit.
		 */
		private Duration frameTimeout = Duration.ofSeconds(30);

		/**
		 * Whether each connection starts with a PROXY protocol header (v1 or v2) from a load balancer:
		 * 'off', 'on' (required; connections without a valid header are closed) or 'optional' (read when
		 * present; only where clients cannot reach the port directly, since they could forge one).
		 */
		private ProxyProtocolMode proxyProtocol = ProxyProtocolMode.OFF;

		/**
		 * How long after accept the PROXY protocol header may take to arrive before the connection is
		 * closed. Must be positive.
		 */
		private Duration proxyProtocolTimeout = Duration.ofSeconds(5);

		/**
		 * Where handler callbacks run: 'event-loop' (fastest; callbacks must not block) or
		 * 'virtual-threads' (each connection's callbacks in order on virtual threads; they may block).
		 * When not set, 'virtual-threads' if spring.threads.virtual.enabled is true, else 'event-loop'.
		 */
		private @Nullable HandlerExecution handlerExecution;

		/**
		 * How received bytes are cut into frames for the handler; raw by default.
		 */
		@NestedConfigurationProperty
		private final FramingProperties framing = new FramingProperties();

		/**
		 * TLS of every listener, unless a listener sets its own values.
		 */
		@NestedConfigurationProperty
		private final ListenerSslProperties ssl = new ListenerSslProperties();

		/**
		 * Type of shutdown the server does when the application context closes.
		 */
		private Shutdown shutdown = Shutdown.GRACEFUL;

		@NestedConfigurationProperty
		private final WriteBufferProperties writeBuffer = new WriteBufferProperties();

		/**
		 * TCP options set on every accepted connection; defaults for every listener.
		 */
		@NestedConfigurationProperty
		private final SocketProperties socket = new SocketProperties();

		/**
		 * Listeners by name. When empty, one listener named 'default' serves the server-level port.
		 */
		private final Map<String, ListenerProperties> listeners = new LinkedHashMap<>();

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public Transport getTransport() {
			return this.transport;
		}

		public void setTransport(Transport transport) {
			this.transport = transport;
		}

		public int getPort() {
			return this.port;
		}

		public void setPort(int port) {
			this.port = port;
		}

		public @Nullable String getAddress() {
			return this.address;
		}

		public void setAddress(@Nullable String address) {
			this.address = address;
		}

		public String getUnixSocketPermissions() {
			return this.unixSocketPermissions;
		}

		public void setUnixSocketPermissions(String unixSocketPermissions) {
			this.unixSocketPermissions = unixSocketPermissions;
		}

		public int getBacklog() {
			return this.backlog;
		}

		public void setBacklog(int backlog) {
			this.backlog = backlog;
		}

		public boolean isReusePort() {
			return this.reusePort;
		}

		public void setReusePort(boolean reusePort) {
			this.reusePort = reusePort;
		}

		public @Nullable Integer getEventLoops() {
			return this.eventLoops;
		}

		public void setEventLoops(@Nullable Integer eventLoops) {
			this.eventLoops = eventLoops;
		}

		public @Nullable String getHandler() {
			return this.handler;
		}

		public void setHandler(@Nullable String handler) {
			this.handler = handler;
		}

		public int getMaxConnections() {
			return this.maxConnections;
		}

		public void setMaxConnections(int maxConnections) {
			this.maxConnections = maxConnections;
		}

		public @Nullable HandlerExecution getHandlerExecution() {
			return this.handlerExecution;
		}

		public void setHandlerExecution(@Nullable HandlerExecution handlerExecution) {
			this.handlerExecution = handlerExecution;
		}

		public FramingProperties getFraming() {
			return this.framing;
		}

		public Duration getIdleTimeout() {
			return this.idleTimeout;
		}

		public void setIdleTimeout(Duration idleTimeout) {
			this.idleTimeout = idleTimeout;
		}

		public Duration getFrameTimeout() {
			return this.frameTimeout;
		}

		public void setFrameTimeout(Duration frameTimeout) {
			this.frameTimeout = frameTimeout;
		}

		public ProxyProtocolMode getProxyProtocol() {
			return this.proxyProtocol;
		}

		public void setProxyProtocol(ProxyProtocolMode proxyProtocol) {
			this.proxyProtocol = proxyProtocol;
		}

		public Duration getProxyProtocolTimeout() {
			return this.proxyProtocolTimeout;
		}

		public void setProxyProtocolTimeout(Duration proxyProtocolTimeout) {
			this.proxyProtocolTimeout = proxyProtocolTimeout;
		}

		public ListenerSslProperties getSsl() {
			return this.ssl;
		}

		public Shutdown getShutdown() {
			return this.shutdown;
		}

		public void setShutdown(Shutdown shutdown) {
			this.shutdown = shutdown;
		}

		public WriteBufferProperties getWriteBuffer() {
			return this.writeBuffer;
		}

		public SocketProperties getSocket() {
			return this.socket;
		}

		public Map<String, ListenerProperties> getListeners() {
			return this.listeners;
		}

	}

	/**
	 * What the server does when the application context closes.
	 */
	public enum Shutdown {

		/**
		 * Stop accepting, let pending writes finish within the lifecycle's shutdown-phase timeout, then
		 * close what is left.
		 */
		GRACEFUL,

		/**
		 * Close every connection at once.
		 */
		IMMEDIATE

	}

}
