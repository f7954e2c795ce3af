package dev.iouring.server;

import java.time.Duration;

/**
 * The TCP options a listener sets on every connection it accepts. A value of zero (or
 * {@link Duration#ZERO}) leaves the kernel's default in place: the {@code net.ipv4.tcp_keepalive_*}
 * sysctls for keep-alive, {@code net.ipv4.tcp_rmem}/{@code tcp_wmem} with auto-tuning for the buffers.
 *
 * <p>Limits are the kernel's: keep-alive idle and interval at most {@value #MAX_KEEP_ALIVE_SECONDS}
 * seconds and the probe count at most {@value #MAX_KEEP_ALIVE_COUNT} ({@code MAX_TCP_KEEPIDLE},
 * {@code MAX_TCP_KEEPINTVL} and {@code MAX_TCP_KEEPCNT} in {@code include/net/tcp.h}); buffer sizes at most
 * {@value #MAX_BUFFER_SIZE} bytes (the kernel doubles the value for its own bookkeeping). The kernel further caps buffers at {@code net.core.rmem_max}/{@code wmem_max}.
 *
 * @param keepAlive whether the kernel probes a connection that has been quiet (SO_KEEPALIVE)
 * @param keepAliveIdle quiet time before the first probe, whole seconds (TCP_KEEPIDLE), or zero for the
 * kernel's default; used only with {@code keepAlive}
 * @param keepAliveInterval time between probes, whole seconds (TCP_KEEPINTVL), or zero for the kernel's
 * default; used only with {@code keepAlive}
 * @param keepAliveCount unanswered probes after which the kernel drops the connection (TCP_KEEPCNT), or
 * zero for the kernel's default; used only with {@code keepAlive}
 * @param userTimeout how long sent data may stay unacknowledged before the kernel drops the connection,
 * whole milliseconds (TCP_USER_TIMEOUT), or zero for the kernel's default; io_uring transport only (the
 * JDK offers no such option to the NIO transport)
 * @param receiveBuffer cap on the kernel's receive buffer in bytes (SO_RCVBUF), or zero for the
 * kernel's default and auto-tuning
 * @param sendBuffer cap on the kernel's send buffer in bytes (SO_SNDBUF), or zero for the kernel's
 * default and auto-tuning
 * @param tcpNoDelay whether small writes go out at once rather than wait to be coalesced (TCP_NODELAY)
 */
public record SocketOptions(boolean keepAlive, Duration keepAliveIdle, Duration keepAliveInterval,
		int keepAliveCount, Duration userTimeout, int receiveBuffer, int sendBuffer, boolean tcpNoDelay) {

	/** Largest keep-alive idle time and interval, in seconds (MAX_TCP_KEEPIDLE, MAX_TCP_KEEPINTVL). */
	public static final int MAX_KEEP_ALIVE_SECONDS = 32767;

	/** Largest keep-alive probe count (MAX_TCP_KEEPCNT). */
	public static final int MAX_KEEP_ALIVE_COUNT = 127;

	/**
	 * Largest buffer size: 512 MB, below the INT_MAX / 2 the kernel can double into an int, and far above
	 * any net.core.rmem_max or wmem_max in use.
	 */
	public static final int MAX_BUFFER_SIZE = 512 * 1024 * 1024;

	/** No keep-alive, kernel buffers and timeouts, TCP_NODELAY on. */
	public static final SocketOptions DEFAULTS = new SocketOptions(false, Duration.ZERO, Duration.ZERO, 0,
			Duration.ZERO, 0, 0, true);

	public SocketOptions {
		requireWhole("keep-alive-idle", keepAliveIdle, Duration.ofSeconds(1), Duration.ofSeconds(MAX_KEEP_ALIVE_SECONDS));
		requireWhole("keep-alive-interval", keepAliveInterval, Duration.ofSeconds(1),
				Duration.ofSeconds(MAX_KEEP_ALIVE_SECONDS));
		requireWhole("user-timeout", userTimeout, Duration.ofMillis(1), Duration.ofMillis(Integer.MAX_VALUE));
		if (keepAliveCount < 0 || keepAliveCount > MAX_KEEP_ALIVE_COUNT) {
			throw new IllegalArgumentException("keep-alive-count must be between 0 (kernel default) and "
					+ MAX_KEEP_ALIVE_COUNT + " but was " + keepAliveCount);
		}
		requireSize("receive-buffer", receiveBuffer);
		requireSize("send-buffer", sendBuffer);
	}

	private static void requireWhole(String name, Duration value, Duration unit, Duration max) {
		if (value.isNegative() || value.compareTo(max) > 0 || value.toNanos() % unit.toNanos() != 0) {
			boolean seconds = unit.equals(Duration.ofSeconds(1));
			String limit = seconds ? max.toSeconds() + "s" : max.toMillis() + "ms";
			throw new IllegalArgumentException(name + " must be zero (kernel default) or a whole number of "
					+ (seconds ? "seconds" : "milliseconds") + " up to " + limit + " but was " + value);
		}
	}

	private static void requireSize(String name, int bytes) {
		if (bytes < 0 || bytes > MAX_BUFFER_SIZE) {
			throw new IllegalArgumentException(name + " must be between 0 (kernel default) and " + MAX_BUFFER_SIZE
					+ " bytes but was " + bytes);
		}
	}

	/**
	 * Returns a builder that starts from {@link #DEFAULTS}.
	 * @return the builder
	 */
	public static Builder builder() {
		return new Builder(DEFAULTS);
	}

	/**
	 * Returns a builder that starts from these options.
	 * @return the builder
	 */
	public Builder toBuilder() {
		return new Builder(this);
	}

	/**
	 * Builds {@link SocketOptions}; {@link #build()} checks the values.
	 */
	public static final class Builder {

		private boolean keepAlive;

		private Duration keepAliveIdle;

		private Duration keepAliveInterval;

		private int keepAliveCount;

		private Duration userTimeout;

		private int receiveBuffer;

		private int sendBuffer;

		private boolean tcpNoDelay;

		private Builder(SocketOptions from) {
			this.keepAlive = from.keepAlive;
			this.keepAliveIdle = from.keepAliveIdle;
			this.keepAliveInterval = from.keepAliveInterval;
			this.keepAliveCount = from.keepAliveCount;
			this.userTimeout = from.userTimeout;
			this.receiveBuffer = from.receiveBuffer;
			this.sendBuffer = from.sendBuffer;
			this.tcpNoDelay = from.tcpNoDelay;
		}

		public Builder keepAlive(boolean keepAlive) {
			this.keepAlive = keepAlive;
			return this;
		}

		public Builder keepAliveIdle(Duration keepAliveIdle) {
			this.keepAliveIdle = keepAliveIdle;
			return this;
		}

		public Builder keepAliveInterval(Duration keepAliveInterval) {
			this.keepAliveInterval = keepAliveInterval;
			return this;
		}

		public Builder keepAliveCount(int keepAliveCount) {
			this.keepAliveCount = keepAliveCount;
			return this;
		}

		public Builder userTimeout(Duration userTimeout) {
			this.userTimeout = userTimeout;
			return this;
		}

		public Builder receiveBuffer(int receiveBuffer) {
			this.receiveBuffer = receiveBuffer;
			return this;
		}

		public Builder sendBuffer(int sendBuffer) {
			this.sendBuffer = sendBuffer;
			return this;
		}

		public Builder tcpNoDelay(boolean tcpNoDelay) {
			this.tcpNoDelay = tcpNoDelay;
			return this;
		}

		/**
		 * Returns the options.
		 * @return the options
		 * @throws IllegalArgumentException if a value is out of the kernel's range
		 */
		public SocketOptions build() {
			return new SocketOptions(this.keepAlive, this.keepAliveIdle, this.keepAliveInterval, this.keepAliveCount,
					this.userTimeout, this.receiveBuffer, this.sendBuffer, this.tcpNoDelay);
		}

	}

}
