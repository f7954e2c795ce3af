package dev.iouring.autoconfigure;

import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import org.springframework.util.unit.DataSize;
import org.springframework.util.unit.DataUnit;
import org.springframework.validation.Errors;

import dev.iouring.autoconfigure.IoUringProperties.Server;
import dev.iouring.ring.RingOptions;
import dev.iouring.server.SocketOptions;
import dev.iouring.server.UnixSocket;
import dev.iouring.server.codec.FramingSpec;

/**
 * Checks {@link IoUringProperties} against the limits of the kernel and of the server, so that a bad
 * value fails startup on its own {@code iouring.*} property rather than with an error from deep inside
 * the engine.
 *
 * <p>The limits are the ones {@link RingOptions}, {@link dev.iouring.server.ServerSettings} and the
 * codecs ({@link dev.iouring.server.codec.FramingSpec}) enforce. Each error is rejected on its property's
 * path with a reason that leaves the value out: {@link InvalidIoUringPropertiesFailureAnalyzer} shows the
 * value as the configuration wrote it ({@code 128KB}, where the bound {@link DataSize} would print
 * {@code 131072B}) and where it was written, next to the reason.
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

	/** The framing options, each named as its property under {@code framing}. */
	private static final List<String> FRAMING_OPTIONS = List.of(FramingSpec.MAX_FRAME_SIZE,
			FramingSpec.STRIP_DELIMITER, FramingSpec.DELIMITER, FramingSpec.LENGTH_FIELD_LENGTH,
			FramingSpec.LENGTH_FIELD_OFFSET, FramingSpec.LENGTH_ADJUSTMENT, FramingSpec.STRIP_HEADER,
			FramingSpec.BYTE_ORDER, FramingSpec.FRAME_LENGTH);

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

	/**
	 * A listener's address, as {@link ServerSettingsMapper} reads it: its own or the server's, with its
	 * own or the server's socket permissions. Invalid permissions are reported on their own property, so
	 * the address is read here with the default ones.
	 * @return the address, or {@code null} when it is invalid (and rejected once, on the property that
	 * sets it)
	 */
	private @Nullable ListenerAddress address(Server server, @Nullable ListenerProperties listener) {
		String own = (listener != null) ? listener.getAddress() : null;
		try {
			return ListenerAddress.of((own != null) ? own : server.getAddress(), "rw-rw----");
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

	/**
	 * The address and the Unix socket settings of one level, server or listener: a Unix socket takes no
	 * port and no SO_REUSEPORT, an abstract name has no file to give permissions, and a TCP listener none
	 * either. The server-level permissions always have a value, so they are checked, not weighed.
	 */
	private void validateAddress(String path, @Nullable String address, @Nullable String permissions,
			@Nullable Integer ownPort, @Nullable Boolean ownReusePort, boolean serverLevel) {
		ListenerAddress parsed;
		try {
			parsed = ListenerAddress.of(address, "rw-rw----");
		}
		catch (IllegalArgumentException ex) {
			reject(path + ".address", ex.getMessage());
			return;
		}
		if (permissions != null) {
			try {
				UnixSocket.parsePermissions(permissions);
			}
			catch (IllegalArgumentException ex) {
				reject(path + ".unix-socket-permissions", ex.getMessage());
			}
		}
		UnixSocket unix = parsed.unix();
		if (unix == null) {
			if (permissions != null && !serverLevel) {
				reject(path + ".unix-socket-permissions", "has no meaning for a listener on TCP (its address is an IP "
						+ "address); remove it, or set a Unix socket address (unix:/run/app.sock)");
			}
			return;
		}
		if (ownPort != null) {
			reject(path + ".port", "has no meaning for a listener on the Unix socket " + unix + "; remove it, or set an "
					+ "IP address to listen on TCP");
		}
		if (Boolean.TRUE.equals(ownReusePort)) {
			reject(path + ".reuse-port", "has no meaning for a listener on the Unix socket " + unix + " (a socket file "
					+ "belongs to one process); remove it");
		}
		if (unix.abstractNamespace() && permissions != null && !serverLevel) {
			reject(path + ".unix-socket-permissions", "has no meaning for " + unix + ": an abstract socket has no file; "
					+ "remove it, or use a path (unix:/run/app.sock)");
		}
	}

	private void validateRing(RingProperties ring) {
		int entries = ring.getEntries();
		if (!isPowerOfTwoInRange(entries, RingOptions.MAX_ENTRIES)) {
			reject("ring.entries", "must be a power of two between 1 and " + RingOptions.MAX_ENTRIES);
		}
		int cqEntries = ring.getCqEntries();
		if (!isPowerOfTwoInRange(cqEntries, RingOptions.MAX_CQ_ENTRIES) || cqEntries < entries) {
			reject("ring.cq-entries", "must be a power of two between iouring.ring.entries (" + entries + ") and "
					+ RingOptions.MAX_CQ_ENTRIES);
		}
		Duration idle = ring.getSqpollIdle();
		if (idle.isNegative() || idle.toMillis() > Integer.MAX_VALUE) {
			reject("ring.sqpoll-idle", "must be between 0 and " + Integer.MAX_VALUE + "ms");
		}
		Integer cpu = ring.getSqpollCpu();
		if (cpu != null && cpu < 0) {
			reject("ring.sqpoll-cpu", "must be a CPU number (0 or more), or unset to let the kernel choose");
		}
	}

	private void validateBuffers(BufferProperties buffers) {
		int count = buffers.getCount();
		if (!isPowerOfTwoInRange(count, MAX_BUFFER_COUNT)) {
			reject("buffers.count", "must be a power of two between 1 and " + MAX_BUFFER_COUNT);
		}
		DataSize size = buffers.getSize();
		if (size.compareTo(MIN_BUFFER_SIZE) < 0 || size.compareTo(MAX_BUFFER_SIZE) > 0) {
			reject("buffers.size", "must be between " + PropertyFailures.format(MIN_BUFFER_SIZE) + " and " + PropertyFailures.format(MAX_BUFFER_SIZE));
		}
	}

	private void validateServer(Server server) {
		validateListenerValues("server", server.getPort(), server.getBacklog(), server.getMaxConnections(),
				server.getIdleTimeout(), server.getFrameTimeout());
		validateProxyProtocolTimeout("server", server.getProxyProtocolTimeout());
		validateAddress("server", server.getAddress(), server.getUnixSocketPermissions(), null, null, true);
		Integer eventLoops = server.getEventLoops();
		if (eventLoops != null && (eventLoops < 1 || eventLoops > MAX_EVENT_LOOPS)) {
			reject("server.event-loops", "must be between 1 and " + MAX_EVENT_LOOPS);
		}
		validateWriteBuffer(server.getWriteBuffer());
		validateFraming("server.framing", server.getFraming());
		SocketPropertiesValidator.validate("server.socket", server.getSocket(), this::reject);
		validateSsl("server.ssl", server.getSsl());
		for (Map.Entry<String, ListenerProperties> entry : server.getListeners().entrySet()) {
			ListenerProperties listener = entry.getValue();
			String path = listenerPath(entry.getKey());
			validateListenerValues(path, listener.getPort(), listener.getBacklog(), listener.getMaxConnections(),
					listener.getIdleTimeout(), listener.getFrameTimeout());
			validateProxyProtocolTimeout(path, listener.getProxyProtocolTimeout());
			validateSsl(path + ".ssl", listener.getSsl());
			if (listener.getAddress() != null) {
				validateAddress(path, listener.getAddress(), listener.getUnixSocketPermissions(), listener.getPort(),
						listener.getReusePort(), false);
			}
			else {
				validateInheritedAddress(path, server, listener);
			}
			if (listener.getFraming() != null) {
				validateFraming(path + ".framing", listener.getFraming());
			}
			if (listener.getSocket() != null) {
				SocketPropertiesValidator.validate(path + ".socket", listener.getSocket(), this::reject);
			}
		}
		validateDistinctPorts(server);
	}

	/** A listener without an address of its own inherits the server's, with the same rules. */
	private void validateInheritedAddress(String path, Server server, ListenerProperties listener) {
		ListenerAddress address = address(server, listener);
		if (address == null) {
			return;
		}
		if (listener.getUnixSocketPermissions() != null) {
			try {
				UnixSocket.parsePermissions(listener.getUnixSocketPermissions());
			}
			catch (IllegalArgumentException ex) {
				reject(path + ".unix-socket-permissions", ex.getMessage());
				return;
			}
			if (!address.isUnix() || address.unix().abstractNamespace()) {
				reject(path + ".unix-socket-permissions", "has no meaning for a listener that is not on a Unix socket "
						+ "file (its address is " + ((address.isUnix()) ? address.unix() : "an IP address") + "); remove it");
			}
		}
		if (address.isUnix() && listener.getPort() != null) {
			reject(path + ".port", "has no meaning for a listener on the Unix socket " + address.unix() + " (from "
					+ "iouring.server.address); remove it, or set the listener's own address");
		}
	}

	private void validateListenerValues(String path, @Nullable Integer port, @Nullable Integer backlog,
			@Nullable Integer maxConnections, @Nullable Duration idleTimeout, @Nullable Duration frameTimeout) {
		if (port != null && (port < 0 || port > MAX_PORT)) {
			reject(path + ".port", "must be between 0 and " + MAX_PORT + " (0 for a port chosen by the system)");
		}
		if (backlog != null && backlog < 1) {
			reject(path + ".backlog", "must be positive");
		}
		if (maxConnections != null && maxConnections < 1) {
			reject(path + ".max-connections", "must be positive");
		}
		if (idleTimeout != null && idleTimeout.isNegative()) {
			reject(path + ".idle-timeout", "must be zero (never) or positive");
		}
		if (frameTimeout != null && frameTimeout.isNegative()) {
			reject(path + ".frame-timeout", "must be zero (no limit) or positive");
		}
	}

	/**
	 * Zero is not "no limit" here, unlike the other timeouts: a peer that never sends its header would
	 * hold the connection for good, and the specification asks receivers to give up after a few seconds.
	 */
	private void validateProxyProtocolTimeout(String path, @Nullable Duration timeout) {
		if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
			reject(path + ".proxy-protocol-timeout", "must be positive (a few seconds: the load balancer sends the "
					+ "header as soon as it connects)");
		}
	}

	/**
	 * The codec checks its own options when its spec is built; each of its messages starts with the
	 * option it is about, which picks the property the error belongs to.
	 */
	private void validateFraming(String path, FramingProperties framing) {
		try {
			framing.toSpec();
		}
		catch (IllegalArgumentException ex) {
			String message = String.valueOf(ex.getMessage());
			String option = FRAMING_OPTIONS.stream()
				.filter((candidate) -> message.startsWith(candidate + " "))
				.findFirst()
				.orElse("kind");
			reject(path + "." + option, message);
		}
		catch (ArithmeticException ex) {
			reject(path + "." + FramingSpec.MAX_FRAME_SIZE, "must be less than 2GB");
		}
	}

	/** Bundles are checked when they are resolved, against the SSL bundles the context holds. */
	private void validateSsl(String path, ListenerSslProperties ssl) {
		Duration timeout = ssl.getHandshakeTimeout();
		if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
			reject(path + ".handshake-timeout", "must be positive: a handshake that may last forever lets stalled "
					+ "peers hold connections");
		}
		String bundle = ssl.getBundle();
		if (bundle != null && bundle.isBlank()) {
			reject(path + ".bundle", "must name a spring.ssl.bundle.jks.* or spring.ssl.bundle.pem.* bundle");
		}
	}

	private void validateWriteBuffer(WriteBufferProperties writeBuffer) {
		DataSize high = writeBuffer.getHighWaterMark();
		DataSize low = writeBuffer.getLowWaterMark();
		if (high.isNegative() || high.toBytes() > Integer.MAX_VALUE) {
			reject("server.write-buffer.high-water-mark", "must be between 0B and " + Integer.MAX_VALUE + "B");
		}
		else if (low.isNegative() || low.compareTo(high) > 0) {
			reject("server.write-buffer.low-water-mark",
					"must be between 0B and iouring.server.write-buffer.high-water-mark (" + PropertyFailures.format(high) + ")");
		}
		else if (writeBuffer.getLimit().compareTo(high) < 0) {
			reject("server.write-buffer.limit",
					"must be at least iouring.server.write-buffer.high-water-mark (" + PropertyFailures.format(high) + ")");
		}
	}

	/**
	 * Two listeners on the same address and port would both bind it (each loop's socket sets
	 * SO_REUSEPORT), and the kernel would then spread connections between two handlers. Port 0 is
	 * exempt: the system gives each socket a port of its own.
	 */
	private void validateDistinctPorts(Server server) {
		Map<String, String> listenerByEndpoint = new HashMap<>();
		for (Map.Entry<String, ListenerProperties> entry : server.getListeners().entrySet()) {
			ListenerProperties listener = entry.getValue();
			ListenerAddress parsed = address(server, listener);
			if (parsed == null) {
				continue;
			}
			if (parsed.isUnix()) {
				String other = listenerByEndpoint.putIfAbsent(parsed.unix().toString(), entry.getKey());
				if (other != null) {
					reject(listenerPath(entry.getKey()) + ".address", "resolves to " + parsed.unix() + ", which listener '"
							+ other + "' already uses; give each listener its own socket (an unset listener address "
							+ "falls back to iouring.server.address)");
				}
				continue;
			}
			int port = Objects.requireNonNullElse(listener.getPort(), server.getPort());
			if (port == 0) {
				continue;
			}
			InetAddress address = parsed.inet();
			String endpoint = ((address != null) ? address.getHostAddress() : "*") + ":" + port;
			String other = listenerByEndpoint.putIfAbsent(endpoint, entry.getKey());
			if (other != null) {
				reject(listenerPath(entry.getKey()) + ".port", "resolves to " + endpoint + ", which listener '" + other
						+ "' already uses; give each listener its own port (unset listener ports fall back to "
						+ "iouring.server.port)");
			}
		}
	}

	private static String listenerPath(String name) {
		return "server.listeners[" + name + "]";
	}

	private static boolean isPowerOfTwoInRange(int value, int max) {
		return value >= 1 && value <= max && Integer.bitCount(value) == 1;
	}

	/**
	 * Rejects a property, named by its path below {@code iouring} in the binder's dashed form.
	 * {@link Errors} reads the rejected value through the JavaBean path, so the error is filed under
	 * that: {@code server.writeBuffer.lowWaterMark} for {@code server.write-buffer.low-water-mark}, the
	 * map keys in brackets kept as written.
	 */
	private void reject(String property, String message) {
		this.errors.rejectValue(beanPath(property), CODE, message);
	}

	private static String beanPath(String property) {
		StringBuilder path = new StringBuilder(property.length());
		boolean inIndex = false;
		boolean upper = false;
		for (char ch : property.toCharArray()) {
			if (inIndex) {
				path.append(ch);
				inIndex = ch != ']';
			}
			else if (ch == '[') {
				inIndex = true;
				path.append(ch);
			}
			else if (ch == '-') {
				upper = true;
			}
			else {
				path.append(upper ? Character.toUpperCase(ch) : ch);
				upper = false;
			}
		}
		return path.toString();
	}

}
