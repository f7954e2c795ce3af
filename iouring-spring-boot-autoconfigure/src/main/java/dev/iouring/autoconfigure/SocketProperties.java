package dev.iouring.autoconfigure;

import java.time.Duration;
import java.time.temporal.ChronoUnit;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.convert.DurationUnit;
import org.springframework.util.unit.DataSize;

/**
 * TCP options set on every accepted connection, bound from {@code iouring.server.socket.*} (defaults for
 * every listener) and {@code iouring.server.listeners.<name>.socket.*}. Each option a listener leaves
 * unset falls back to the server-level one, and from there to the kernel's default.
 *
 * <p>The options are unset unless given, so that a listener can tell "not set here" from a value; the
 * configuration metadata lists the defaults they fall back to.
 */
public class SocketProperties {

	/**
	 * Whether the kernel probes a connection that has been quiet for keep-alive-idle (SO_KEEPALIVE), and
	 * drops it when keep-alive-count probes go unanswered.
	 */
	private @Nullable Boolean keepAlive;

	/**
	 * Quiet time before the first keep-alive probe (TCP_KEEPIDLE), in whole seconds up to 32767s. When not
	 * set, net.ipv4.tcp_keepalive_time (2 hours by default). Only used with keep-alive. If a duration
	 * suffix is not specified, seconds will be used.
	 */
	@DurationUnit(ChronoUnit.SECONDS)
	private @Nullable Duration keepAliveIdle;

	/**
	 * Time between keep-alive probes (TCP_KEEPINTVL), in whole seconds up to 32767s. When not set,
	 * net.ipv4.tcp_keepalive_intvl (75 seconds by default). Only used with keep-alive. If a duration
	 * suffix is not specified, seconds will be used.
	 */
	@DurationUnit(ChronoUnit.SECONDS)
	private @Nullable Duration keepAliveInterval;

	/**
	 * Unanswered keep-alive probes after which the connection is dropped (TCP_KEEPCNT), 1 to 127. When
	 * not set, net.ipv4.tcp_keepalive_probes (9 by default). Only used with keep-alive.
	 */
	private @Nullable Integer keepAliveCount;

	/**
	 * How long sent data may stay unacknowledged before the kernel drops the connection
	 * (TCP_USER_TIMEOUT), in whole milliseconds. When not set, the kernel retransmits for about 15
	 * minutes. Applied on the io_uring transport only: the JDK has no such option for the NIO transport.
	 * If a duration suffix is not specified, milliseconds will be used.
	 */
	private @Nullable Duration userTimeout;

	/**
	 * Cap on the kernel's receive buffer of each connection (SO_RCVBUF), also set on the listening socket
	 * so the handshake announces a fitting window. When not set, the kernel sizes and auto-tunes it
	 * (net.ipv4.tcp_rmem). The kernel doubles the value for its bookkeeping and caps it at
	 * net.core.rmem_max. If a data size suffix is not specified, bytes will be used.
	 */
	private @Nullable DataSize receiveBuffer;

	/**
	 * Cap on the kernel's send buffer of each connection (SO_SNDBUF). When not set, the kernel sizes and
	 * auto-tunes it (net.ipv4.tcp_wmem). The kernel doubles the value for its bookkeeping and caps it at
	 * net.core.wmem_max. If a data size suffix is not specified, bytes will be used.
	 */
	private @Nullable DataSize sendBuffer;

	/**
	 * Whether small writes go out at once instead of waiting to be coalesced with later ones
	 * (TCP_NODELAY, which turns Nagle's algorithm off).
	 */
	private @Nullable Boolean tcpNoDelay;

	public @Nullable Boolean getKeepAlive() {
		return this.keepAlive;
	}

	public void setKeepAlive(@Nullable Boolean keepAlive) {
		this.keepAlive = keepAlive;
	}

	public @Nullable Duration getKeepAliveIdle() {
		return this.keepAliveIdle;
	}

	public void setKeepAliveIdle(@Nullable Duration keepAliveIdle) {
		this.keepAliveIdle = keepAliveIdle;
	}

	public @Nullable Duration getKeepAliveInterval() {
		return this.keepAliveInterval;
	}

	public void setKeepAliveInterval(@Nullable Duration keepAliveInterval) {
		this.keepAliveInterval = keepAliveInterval;
	}

	public @Nullable Integer getKeepAliveCount() {
		return this.keepAliveCount;
	}

	public void setKeepAliveCount(@Nullable Integer keepAliveCount) {
		this.keepAliveCount = keepAliveCount;
	}

	public @Nullable Duration getUserTimeout() {
		return this.userTimeout;
	}

	public void setUserTimeout(@Nullable Duration userTimeout) {
		this.userTimeout = userTimeout;
	}

	public @Nullable DataSize getReceiveBuffer() {
		return this.receiveBuffer;
	}

	public void setReceiveBuffer(@Nullable DataSize receiveBuffer) {
		this.receiveBuffer = receiveBuffer;
	}

	public @Nullable DataSize getSendBuffer() {
		return this.sendBuffer;
	}

	public void setSendBuffer(@Nullable DataSize sendBuffer) {
		this.sendBuffer = sendBuffer;
	}

	public @Nullable Boolean getTcpNoDelay() {
		return this.tcpNoDelay;
	}

	public void setTcpNoDelay(@Nullable Boolean tcpNoDelay) {
		this.tcpNoDelay = tcpNoDelay;
	}

}
