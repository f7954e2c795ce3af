package dev.iouring.autoconfigure;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import dev.iouring.server.HandlerExecution;
import dev.iouring.server.ProxyProtocolMode;

/**
 * One named listener, bound from {@code iouring.server.listeners.<name>.*}. Every value left unset
 * falls back to the server-level one under {@code iouring.server}.
 */
public class ListenerProperties {

	/**
	 * Port to listen on. Use 0 for a port chosen by the system.
	 */
	private @Nullable Integer port;

	/**
	 * Address to bind: an IP address or host name, or a Unix domain socket as 'unix:/path/to.sock' (or
	 * 'unix:@name' in Linux's abstract namespace, io_uring only), which takes no port. When not set, the
	 * server-level address.
	 */
	private @Nullable String address;

	/**
	 * Permissions of this listener's Unix domain socket file, as 'rw-rw----' or octal '0660'. When not
	 * set, the server-level unix-socket-permissions.
	 */
	private @Nullable String unixSocketPermissions;

	/**
	 * Maximum length of the queue of connections waiting to be accepted.
	 */
	private @Nullable Integer backlog;

	/**
	 * Whether this listener may share its port with other processes that set SO_REUSEPORT. When not
	 * set, the server-level reuse-port.
	 */
	private @Nullable Boolean reusePort;

	/**
	 * Name of the TcpHandler bean that serves this listener. When not set, the server-level handler.
	 */
	private @Nullable String handler;

	/**
	 * Maximum number of connections this listener keeps open at once.
	 */
	private @Nullable Integer maxConnections;

	/**
	 * How long a connection may neither receive nor send before it is closed. Zero means never.
	 */
	private @Nullable Duration idleTimeout;

	/**
	 * How long a frame may take from its first byte to its last. Zero means no limit.
	 */
	private @Nullable Duration frameTimeout;

	/**
	 * Whether each connection starts with a PROXY protocol header: 'off', 'on' or 'optional'. When not
	 * set, the server-level proxy-protocol.
	 */
	private @Nullable ProxyProtocolMode proxyProtocol;

	/**
	 * How long after accept the PROXY protocol header may take to arrive. When not set, the
	 * server-level proxy-protocol-timeout.
	 */
	private @Nullable Duration proxyProtocolTimeout;

	/**
	 * Where this listener's handler callbacks run.
	 */
	private @Nullable HandlerExecution handlerExecution;

	/**
	 * How this listener cuts received bytes into frames. When not set, the server-level framing.
	 */
	private @Nullable FramingProperties framing;

	/**
	 * TCP options set on this listener's connections. Each option not set here takes the server-level
	 * one.
	 */
	private @Nullable SocketProperties socket;

	public @Nullable SocketProperties getSocket() {
		return this.socket;
	}

	public void setSocket(@Nullable SocketProperties socket) {
		this.socket = socket;
	}

	/**
	 * TLS of this listener. Each value not set falls back to the server-level iouring.server.ssl.
	 */
	private final ListenerSslProperties ssl = new ListenerSslProperties();

	public ListenerSslProperties getSsl() {
		return this.ssl;
	}

	public @Nullable HandlerExecution getHandlerExecution() {
		return this.handlerExecution;
	}

	public void setHandlerExecution(@Nullable HandlerExecution handlerExecution) {
		this.handlerExecution = handlerExecution;
	}

	public @Nullable FramingProperties getFraming() {
		return this.framing;
	}

	public void setFraming(@Nullable FramingProperties framing) {
		this.framing = framing;
	}

	public @Nullable Integer getPort() {
		return this.port;
	}

	public void setPort(@Nullable Integer port) {
		this.port = port;
	}

	public @Nullable String getAddress() {
		return this.address;
	}

	public void setAddress(@Nullable String address) {
		this.address = address;
	}

	public @Nullable String getUnixSocketPermissions() {
		return this.unixSocketPermissions;
	}

	public void setUnixSocketPermissions(@Nullable String unixSocketPermissions) {
		this.unixSocketPermissions = unixSocketPermissions;
	}

	public @Nullable Integer getBacklog() {
		return this.backlog;
	}

	public void setBacklog(@Nullable Integer backlog) {
		this.backlog = backlog;
	}

	public @Nullable Boolean getReusePort() {
		return this.reusePort;
	}

	public void setReusePort(@Nullable Boolean reusePort) {
		this.reusePort = reusePort;
	}

	public @Nullable String getHandler() {
		return this.handler;
	}

	public void setHandler(@Nullable String handler) {
		this.handler = handler;
	}

	public @Nullable Integer getMaxConnections() {
		return this.maxConnections;
	}

	public void setMaxConnections(@Nullable Integer maxConnections) {
		this.maxConnections = maxConnections;
	}

	public @Nullable Duration getIdleTimeout() {
		return this.idleTimeout;
	}

	public void setIdleTimeout(@Nullable Duration idleTimeout) {
		this.idleTimeout = idleTimeout;
	}

	public @Nullable Duration getFrameTimeout() {
		return this.frameTimeout;
	}

	public void setFrameTimeout(@Nullable Duration frameTimeout) {
		this.frameTimeout = frameTimeout;
	}

	public @Nullable ProxyProtocolMode getProxyProtocol() {
		return this.proxyProtocol;
	}

	public void setProxyProtocol(@Nullable ProxyProtocolMode proxyProtocol) {
		this.proxyProtocol = proxyProtocol;
	}

	public @Nullable Duration getProxyProtocolTimeout() {
		return this.proxyProtocolTimeout;
	}

	public void setProxyProtocolTimeout(@Nullable Duration proxyProtocolTimeout) {
		this.proxyProtocolTimeout = proxyProtocolTimeout;
	}

}
