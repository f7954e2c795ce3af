package dev.iouring.server;

import java.net.InetAddress;
import java.time.Duration;

import org.jspecify.annotations.Nullable;

import dev.iouring.server.codec.FrameDecoderFactory;

/**
 * One listening port and what serves it.
 *
 * @param name the listener's name, used in logs, meter tags and {@link Connection#listenerName()}
 * @param address the address to bind, or {@code null} for all interfaces (IPv6 any, which also takes
 * IPv4 where the system allows dual-stack sockets)
 * @param port the port, or 0 for one chosen by the system
 * @param backlog the listen backlog
 * @param handler the application's handler
 * @param framing how received bytes are cut into frames, or {@code null} to hand raw bytes over
 * @param maxConnections connections the listener accepts at once across all loops, above which new
 * ones are closed at accept and counted as rejected
 * @param idleTimeout how long a connection may send and receive nothing before it is closed, or
 * {@link Duration#ZERO} for never
 * @param handlerExecution where the handler's callbacks run
 * @param frameTimeout how long a frame may take from its first byte to its last on a listener with
 * framing, or {@link Duration#ZERO} for no limit; a peer that trickles is closed after it
 * @param reusePort whether the port may be shared with listening sockets outside this server (other
 * processes that set SO_REUSEPORT, among which the kernel then spreads new connections); when
 * {@code false}, {@link TcpServer#start()} fails with {@link PortInUseException} if any other socket
 * listens on the port
 * @param proxyProtocol whether each connection starts with a PROXY protocol header, which then gives
 * {@link Connection#remoteAddress()} the original client
 * @param proxyProtocolTimeout how long after accept the header may take to arrive before the connection
 * is closed with {@link CloseReason#PROXY_PROTOCOL_ERROR}; positive, used only when
 * {@code proxyProtocol} is not {@link ProxyProtocolMode#OFF}
 * @param socketOptions the TCP options set on every accepted connection
 * @param tls TLS on this listener's connections (the engine for each new connection, client
 * authentication, handshake timeout), or {@code null} for plaintext
 * @param unixSocket the Unix domain socket to listen on instead of a TCP port, or {@code null} for TCP;
 * with one, {@code address} is {@code null}, {@code port} 0 and {@code reusePort} false
 */
public record ListenerSettings(String name, @Nullable InetAddress address, int port, int backlog,
		TcpHandler handler, @Nullable FrameDecoderFactory framing, int maxConnections, Duration idleTimeout,
		HandlerExecution handlerExecution, Duration frameTimeout, boolean reusePort, ProxyProtocolMode proxyProtocol,
		Duration proxyProtocolTimeout, SocketOptions socketOptions, @Nullable TlsSettings tls,
		@Nullable UnixSocket unixSocket) {

	/**
	 * Default PROXY header timeout: a proxy sends the header at once on connecting, and the
	 * specification asks for at least 3 seconds to cover a TCP retransmission.
	 */
	public static final Duration DEFAULT_PROXY_PROTOCOL_TIMEOUT = Duration.ofSeconds(5);

	/** Default frame timeout: a frame of the default 64 KB maximum must arrive at 2 KB/s or faster. */
	public static final Duration DEFAULT_FRAME_TIMEOUT = Duration.ofSeconds(30);

	/** Default listen backlog (Linux caps it at net.core.somaxconn). */
	public static final int DEFAULT_BACKLOG = 1024;

	/** Default connection limit per listener. */
	public static final int DEFAULT_MAX_CONNECTIONS = 10_000;

	public ListenerSettings {
		if (name.isBlank()) {
			throw new IllegalArgumentException("listener name must not be blank");
		}
		if (port < 0 || port > 65535) {
			throw new IllegalArgumentException("listener '" + name + "': port must be between 0 and 65535 but was " + port);
		}
		if (backlog < 1) {
			throw new IllegalArgumentException("listener '" + name + "': backlog must be positive but was " + backlog);
		}
		if (maxConnections < 1) {
			throw new IllegalArgumentException(
					"listener '" + name + "': max-connections must be positive but was " + maxConnections);
		}
		if (idleTimeout.isNegative()) {
			throw new IllegalArgumentException(
					"listener '" + name + "': idle-timeout must not be negative but was " + idleTimeout);
		}
		if (frameTimeout.isNegative()) {
			throw new IllegalArgumentException(
					"listener '" + name + "': frame-timeout must not be negative but was " + frameTimeout);
		}
		if (proxyProtocolTimeout.isNegative() || proxyProtocolTimeout.isZero()) {
			throw new IllegalArgumentException("listener '" + name
					+ "': proxy-protocol-timeout must be positive but was " + proxyProtocolTimeout);
		}
		if (unixSocket != null && (address != null || port != 0 || reusePort)) {
			throw new IllegalArgumentException("listener '" + name + "' listens on " + unixSocket
					+ ", which has no network address, port or SO_REUSEPORT; leave those unset");
		}
	}

	/**
	 * Creates settings for a plaintext listener that reads no PROXY protocol header, with the
	 * {@link SocketOptions#DEFAULTS default socket options}.
	 * @param name the listener's name
	 * @param address the address to bind, or {@code null} for all interfaces
	 * @param port the port, or 0 for one chosen by the system
	 * @param backlog the listen backlog
	 * @param handler the application's handler
	 * @param framing the codec, or {@code null} for raw bytes
	 * @param maxConnections the connection limit
	 * @param idleTimeout the idle timeout, or zero for none
	 * @param handlerExecution where the handler's callbacks run
	 * @param frameTimeout the longest a frame may take to arrive, or zero for no limit
	 * @param reusePort whether other sockets may share the port through SO_REUSEPORT
	 */
	public ListenerSettings(String name, @Nullable InetAddress address, int port, int backlog, TcpHandler handler,
			@Nullable FrameDecoderFactory framing, int maxConnections, Duration idleTimeout,
			HandlerExecution handlerExecution, Duration frameTimeout, boolean reusePort) {
		this(name, address, port, backlog, handler, framing, maxConnections, idleTimeout, handlerExecution,
				frameTimeout, reusePort, ProxyProtocolMode.OFF, DEFAULT_PROXY_PROTOCOL_TIMEOUT, SocketOptions.DEFAULTS,
				null, null);
	}

	/**
	 * Creates settings with the default frame timeout, for a listener that owns its port alone.
	 * @param name the listener's name
	 * @param address the address to bind, or {@code null} for all interfaces
	 * @param port the port, or 0 for one chosen by the system
	 * @param backlog the listen backlog
	 * @param handler the application's handler
	 * @param framing the codec, or {@code null} for raw bytes
	 * @param maxConnections the connection limit
	 * @param idleTimeout the idle timeout, or zero for none
	 * @param handlerExecution where the handler's callbacks run
	 */
	public ListenerSettings(String name, @Nullable InetAddress address, int port, int backlog, TcpHandler handler,
			@Nullable FrameDecoderFactory framing, int maxConnections, Duration idleTimeout,
			HandlerExecution handlerExecution) {
		this(name, address, port, backlog, handler, framing, maxConnections, idleTimeout, handlerExecution,
				DEFAULT_FRAME_TIMEOUT, false);
	}

	/**
	 * Returns a raw listener with default backlog and limits.
	 * @param name the listener name
	 * @param port the port (0 for any)
	 * @param handler the handler
	 * @return the settings
	 */
	public static ListenerSettings of(String name, int port, TcpHandler handler) {
		return new ListenerSettings(name, null, port, DEFAULT_BACKLOG, handler, null, DEFAULT_MAX_CONNECTIONS,
				Duration.ZERO, HandlerExecution.EVENT_LOOP);
	}

	/**
	 * Returns a copy with another framing.
	 * @param framing the decoder factory, or {@code null} for raw bytes
	 * @return the new settings
	 */
	public ListenerSettings withFraming(@Nullable FrameDecoderFactory framing) {
		return new ListenerSettings(this.name, this.address, this.port, this.backlog, this.handler, framing,
				this.maxConnections, this.idleTimeout, this.handlerExecution, this.frameTimeout, this.reusePort,
				this.proxyProtocol, this.proxyProtocolTimeout, this.socketOptions, this.tls,
				this.unixSocket);
	}

	/**
	 * Returns a copy with another handler execution mode.
	 * @param execution where callbacks run
	 * @return the new settings
	 */
	public ListenerSettings withHandlerExecution(HandlerExecution execution) {
		return new ListenerSettings(this.name, this.address, this.port, this.backlog, this.handler, this.framing,
				this.maxConnections, this.idleTimeout, execution, this.frameTimeout, this.reusePort,
				this.proxyProtocol, this.proxyProtocolTimeout, this.socketOptions, this.tls,
				this.unixSocket);
	}

	/**
	 * Returns a copy with other connection limits.
	 * @param maxConnections the connection limit
	 * @param idleTimeout the idle timeout, or zero for none
	 * @return the new settings
	 */
	public ListenerSettings withLimits(int maxConnections, Duration idleTimeout) {
		return new ListenerSettings(this.name, this.address, this.port, this.backlog, this.handler, this.framing,
				maxConnections, idleTimeout, this.handlerExecution, this.frameTimeout, this.reusePort,
				this.proxyProtocol, this.proxyProtocolTimeout, this.socketOptions, this.tls,
				this.unixSocket);
	}

	/**
	 * Returns a copy that shares its port with other processes or owns it alone.
	 * @param reusePort whether other sockets may share the port through SO_REUSEPORT
	 * @return the new settings
	 */
	public ListenerSettings withReusePort(boolean reusePort) {
		return new ListenerSettings(this.name, this.address, this.port, this.backlog, this.handler, this.framing,
				this.maxConnections, this.idleTimeout, this.handlerExecution, this.frameTimeout, reusePort,
				this.proxyProtocol, this.proxyProtocolTimeout, this.socketOptions, this.tls,
				this.unixSocket);
	}

	/**
	 * Returns a copy with another frame timeout.
	 * @param frameTimeout the longest a frame may take to arrive, or zero for no limit
	 * @return the new settings
	 */
	public ListenerSettings withFrameTimeout(Duration frameTimeout) {
		return new ListenerSettings(this.name, this.address, this.port, this.backlog, this.handler, this.framing,
				this.maxConnections, this.idleTimeout, this.handlerExecution, frameTimeout, this.reusePort,
				this.proxyProtocol, this.proxyProtocolTimeout, this.socketOptions, this.tls,
				this.unixSocket);
	}

	/**
	 * Returns a copy that reads a PROXY protocol header ahead of each connection's data, or none.
	 * @param proxyProtocol whether a header is required, optional or not read
	 * @param proxyProtocolTimeout how long the header may take to arrive after accept; positive
	 * @return the new settings
	 */
	public ListenerSettings withProxyProtocol(ProxyProtocolMode proxyProtocol, Duration proxyProtocolTimeout) {
		return new ListenerSettings(this.name, this.address, this.port, this.backlog, this.handler, this.framing,
				this.maxConnections, this.idleTimeout, this.handlerExecution, this.frameTimeout, this.reusePort,
				proxyProtocol, proxyProtocolTimeout, this.socketOptions, this.tls, this.unixSocket);
	}

	/**
	 * Returns a copy with other socket options.
	 * @param socketOptions the TCP options for accepted connections
	 * @return the new settings
	 */
	public ListenerSettings withSocketOptions(SocketOptions socketOptions) {
		return new ListenerSettings(this.name, this.address, this.port, this.backlog, this.handler, this.framing,
				this.maxConnections, this.idleTimeout, this.handlerExecution, this.frameTimeout, this.reusePort,
				this.proxyProtocol, this.proxyProtocolTimeout, socketOptions, this.tls, this.unixSocket);
	}

	/**
	 * Returns a copy with TLS on or off.
	 * @param tls the listener's TLS, or {@code null} for plaintext
	 * @return the new settings
	 */
	public ListenerSettings withTls(@Nullable TlsSettings tls) {
		return new ListenerSettings(this.name, this.address, this.port, this.backlog, this.handler, this.framing,
				this.maxConnections, this.idleTimeout, this.handlerExecution, this.frameTimeout, this.reusePort,
				this.proxyProtocol, this.proxyProtocolTimeout, this.socketOptions, tls, this.unixSocket);
	}

	/**
	 * Returns a copy that listens on a Unix domain socket instead of a TCP port: the address and port are
	 * cleared and SO_REUSEPORT is off.
	 * @param unixSocket the socket's path or abstract name
	 * @return the new settings
	 */
	public ListenerSettings withUnixSocket(UnixSocket unixSocket) {
		return new ListenerSettings(this.name, null, 0, this.backlog, this.handler, this.framing, this.maxConnections,
				this.idleTimeout, this.handlerExecution, this.frameTimeout, false, this.proxyProtocol,
				this.proxyProtocolTimeout, this.socketOptions, this.tls, unixSocket);
	}

}
