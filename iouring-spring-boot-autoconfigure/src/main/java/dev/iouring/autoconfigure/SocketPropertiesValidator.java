package dev.iouring.autoconfigure;

import java.time.Duration;
import java.util.function.BiConsumer;

import org.jspecify.annotations.Nullable;

import dev.iouring.server.SocketOptions;

import org.springframework.util.unit.DataSize;

/**
 * Checks the {@code socket} options of the server or a listener against the kernel's ranges, for
 * {@link IoUringPropertiesValidator}: each rejected option is reported on its own property with what to
 * do; unset options keep the kernel's defaults and pass.
 */
final class SocketPropertiesValidator {

	/** Smallest socket buffer cap the server accepts (the kernel raises smaller ones to about 4.5 KB). */
	static final DataSize MIN_SOCKET_BUFFER = DataSize.ofKilobytes(1);

	private SocketPropertiesValidator() {
	}

	/** Each option within the kernel's range; unset options keep the kernel's default and pass. */
	static void validate(String path, SocketProperties socket, BiConsumer<String, String> reject) {
		String keepAliveRange = "must be a whole number of seconds between 1s and " + SocketOptions.MAX_KEEP_ALIVE_SECONDS
				+ "s (the kernel's limit)";
		validateWhole(reject, path + ".keep-alive-idle", socket.getKeepAliveIdle(), Duration.ofSeconds(1),
				Duration.ofSeconds(SocketOptions.MAX_KEEP_ALIVE_SECONDS),
				keepAliveRange + "; leave it unset for net.ipv4.tcp_keepalive_time");
		validateWhole(reject, path + ".keep-alive-interval", socket.getKeepAliveInterval(), Duration.ofSeconds(1),
				Duration.ofSeconds(SocketOptions.MAX_KEEP_ALIVE_SECONDS),
				keepAliveRange + "; leave it unset for net.ipv4.tcp_keepalive_intvl");
		Integer count = socket.getKeepAliveCount();
		if (count != null && (count < 1 || count > SocketOptions.MAX_KEEP_ALIVE_COUNT)) {
			reject.accept(path + ".keep-alive-count", "must be between 1 and " + SocketOptions.MAX_KEEP_ALIVE_COUNT
					+ " (the kernel's limit); leave it unset for net.ipv4.tcp_keepalive_probes");
		}
		validateWhole(reject, path + ".user-timeout", socket.getUserTimeout(), Duration.ofMillis(1),
				Duration.ofMillis(Integer.MAX_VALUE), "must be a whole number of milliseconds between 1ms and "
						+ Integer.MAX_VALUE + "ms; leave it unset for the kernel's retransmission limit");
		validateSocketBuffer(reject, path + ".receive-buffer", socket.getReceiveBuffer(), "net.ipv4.tcp_rmem");
		validateSocketBuffer(reject, path + ".send-buffer", socket.getSendBuffer(), "net.ipv4.tcp_wmem");
	}

	private static void validateWhole(BiConsumer<String, String> reject, String property, @Nullable Duration value, Duration unit, Duration max,
			String reason) {
		if (value != null && (value.compareTo(unit) < 0 || value.compareTo(max) > 0
				|| value.toNanos() % unit.toNanos() != 0)) {
			reject.accept(property, reason);
		}
	}

	private static void validateSocketBuffer(BiConsumer<String, String> reject, String property, @Nullable DataSize size, String sysctl) {
		DataSize max = DataSize.ofBytes(SocketOptions.MAX_BUFFER_SIZE);
		if (size != null && (size.compareTo(MIN_SOCKET_BUFFER) < 0 || size.compareTo(max) > 0)) {
			reject.accept(property, "must be between " + PropertyFailures.format(MIN_SOCKET_BUFFER) + " and " + PropertyFailures.format(max)
					+ "; leave it unset for the kernel's default and auto-tuning (" + sysctl + ")");
		}
	}

}
