package dev.iouring.autoconfigure;

import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import org.springframework.util.unit.DataSize;
import org.springframework.validation.Errors;

import dev.iouring.autoconfigure.IoUringProperties.Listener;
import dev.iouring.autoconfigure.IoUringProperties.Server;
import dev.iouring.ring.RingOptions;

/**
 * Checks {@link IoUringProperties} against the limits of the kernel and of the server, so that a bad
 * value fails startup with a message naming its full {@code iouring.*} property rather than an error
 * from deep inside the engine.
 *
 * <p>The limits are the ones {@link RingOptions} and {@link dev.iouring.server.ServerSettings} enforce;
 * each error is rejected on its property path, so Boot's bind failure report also shows the value and
 * where it came from.
 */
final class IoUringPropertiesValidator {

	/** Most provided buffers one buffer ring holds (the kernel's limit on a buffer group, 2^15). */
	static final int MAX_BUFFER_COUNT = 32768;

	/** Smallest receive buffer the server accepts. */
	static final DataSize MIN_BUFFER_SIZE = DataSize.ofBytes(64);

	/** Largest receive buffer the server accepts. */
	static final DataSize MAX_BUFFER_SIZE = DataSize.ofMegabytes(16);

	/** Most event loops the server starts. */
	static final int MAX_EVENT_LOOPS = 1024;

	/** Largest TCP port number. */
	static final int MAX_PORT = 65535;

	private static final String CODE = "iouring.invalid";

	private final IoUringProperties properties;

	private final Errors errors;

	IoUringPropertiesValidator(IoUringProperties properties, Errors errors) {
		this.properties = properties;
		this.errors = errors;
	}

	void validate() {
		validateRing(this.properties.getRing());
		validateBuffers(this.properties.getBuffers());
		validateServer(this.properties.getServer());
	}

	private void validateRing(IoUringProperties.Ring ring) {
		int entries = ring.getEntries();
		if (!isPowerOfTwoInRange(entries, RingOptions.MAX_ENTRIES)) {
			reject("ring.entries", "iouring.ring.entries must be a power of two between 1 and "
					+ RingOptions.MAX_ENTRIES + " but was " + entries);
		}
		int cqEntries = ring.getCqEntries();
		if (!isPowerOfTwoInRange(cqEntries, RingOptions.MAX_CQ_ENTRIES) || cqEntries < entries) {
			reject("ring.cq-entries",
					"iouring.ring.cq-entries must be a power of two between iouring.ring.entries (" + entries
							+ ") and " + RingOptions.MAX_CQ_ENTRIES + " but was " + cqEntries);
		}
		Duration idle = ring.getSqpollIdle();
		if (idle.isNegative() || idle.toMillis() > Integer.MAX_VALUE) {
			reject("ring.sqpoll-idle", "iouring.ring.sqpoll-idle must be between 0 and " + Integer.MAX_VALUE
					+ "ms but was " + idle);
		}
		Integer cpu = ring.getSqpollCpu();
		if (cpu != null && cpu < 0) {
			reject("ring.sqpoll-cpu",
					"iouring.ring.sqpoll-cpu must be a CPU number (0 or more), or unset to let the kernel choose, but was "
							+ cpu);
		}
	}

	private void validateBuffers(IoUringProperties.Buffers buffers) {
		int count = buffers.getCount();
		if (!isPowerOfTwoInRange(count, MAX_BUFFER_COUNT)) {
			reject("buffers.count", "iouring.buffers.count must be a power of two between 1 and "
					+ MAX_BUFFER_COUNT + " but was " + count);
		}
		DataSize size = buffers.getSize();
		if (size.compareTo(MIN_BUFFER_SIZE) < 0 || size.compareTo(MAX_BUFFER_SIZE) > 0) {
			reject("buffers.size", "iouring.buffers.size must be between " + MIN_BUFFER_SIZE + " and "
					+ MAX_BUFFER_SIZE + " but was " + size);
		}
	}

	private void validateServer(Server server) {
		validateListenerValues("server", "iouring.server", server.getPort(), server.getBacklog(),
				server.getMaxConnections(), server.getIdleTimeout(), server.getFrameTimeout());
		Integer eventLoops = server.getEventLoops();
		if (eventLoops != null && (eventLoops < 1 || eventLoops > MAX_EVENT_LOOPS)) {
			reject("server.event-loops", "iouring.server.event-loops must be between 1 and " + MAX_EVENT_LOOPS
					+ " but was " + eventLoops);
		}
		validateWriteBuffer(server.getWriteBuffer());
		for (Map.Entry<String, Listener> entry : server.getListeners().entrySet()) {
			Listener listener = entry.getValue();
			validateListenerValues("server.listeners[" + entry.getKey() + "]",
					"iouring.server.listeners." + entry.getKey(), listener.getPort(), listener.getBacklog(),
					listener.getMaxConnections(), listener.getIdleTimeout(), listener.getFrameTimeout());
		}
		validateDistinctPorts(server);
	}

	private void validateListenerValues(String path, String property, @Nullable Integer port,
			@Nullable Integer backlog, @Nullable Integer maxConnections, @Nullable Duration idleTimeout,
			@Nullable Duration frameTimeout) {
		if (port != null && (port < 0 || port > MAX_PORT)) {
			reject(path + ".port", property + ".port must be between 0 and " + MAX_PORT
					+ " (0 for a port chosen by the system) but was " + port);
		}
		if (backlog != null && backlog < 1) {
			reject(path + ".backlog", property + ".backlog must be positive but was " + backlog);
		}
		if (maxConnections != null && maxConnections < 1) {
			reject(path + ".max-connections",
					property + ".max-connections must be positive but was " + maxConnections);
		}
		if (idleTimeout != null && idleTimeout.isNegative()) {
			reject(path + ".idle-timeout",
					property + ".idle-timeout must be zero (never) or positive but was " + idleTimeout);
		}
		if (frameTimeout != null && frameTimeout.isNegative()) {
			reject(path + ".frame-timeout",
					property + ".frame-timeout must be zero (no limit) or positive but was " + frameTimeout);
		}
	}

	private void validateWriteBuffer(IoUringProperties.WriteBuffer writeBuffer) {
		DataSize high = writeBuffer.getHighWaterMark();
		DataSize low = writeBuffer.getLowWaterMark();
		if (high.isNegative() || high.toBytes() > Integer.MAX_VALUE) {
			reject("server.write-buffer.high-water-mark",
					"iouring.server.write-buffer.high-water-mark must be between 0B and " + Integer.MAX_VALUE
							+ "B but was " + high);
		}
		else if (low.isNegative() || low.compareTo(high) > 0) {
			reject("server.write-buffer.low-water-mark",
					"iouring.server.write-buffer.low-water-mark must be between 0B and "
							+ "iouring.server.write-buffer.high-water-mark (" + high + ") but was " + low);
		}
		else if (writeBuffer.getLimit().compareTo(high) < 0) {
			reject("server.write-buffer.limit", "iouring.server.write-buffer.limit must be at least "
					+ "iouring.server.write-buffer.high-water-mark (" + high + ") but was " + writeBuffer.getLimit());
		}
	}

	/**
	 * Two listeners on the same address and port would both bind it (each loop's socket sets
	 * SO_REUSEPORT), and the kernel would then spread connections between two handlers. Port 0 is
	 * exempt: the system gives each socket a port of its own.
	 */
	private void validateDistinctPorts(Server server) {
		Map<String, String> listenerByEndpoint = new HashMap<>();
		for (Map.Entry<String, Listener> entry : server.getListeners().entrySet()) {
			Listener listener = entry.getValue();
			int port = Objects.requireNonNullElse(listener.getPort(), server.getPort());
			if (port == 0) {
				continue;
			}
			InetAddress address = (listener.getAddress() != null) ? listener.getAddress() : server.getAddress();
			String endpoint = ((address != null) ? address.getHostAddress() : "*") + ":" + port;
			String other = listenerByEndpoint.putIfAbsent(endpoint, entry.getKey());
			if (other != null) {
				reject("server.listeners[" + entry.getKey() + "].port",
						"iouring.server.listeners." + entry.getKey() + ".port resolves to " + endpoint
								+ ", which listener '" + other + "' already uses; give each listener its own "
								+ "port (unset listener ports fall back to iouring.server.port)");
			}
		}
	}

	private static boolean isPowerOfTwoInRange(int value, int max) {
		return value >= 1 && value <= max && Integer.bitCount(value) == 1;
	}

	private void reject(String field, String message) {
		this.errors.rejectValue(field, CODE, message);
	}

}
