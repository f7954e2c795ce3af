package dev.iouring.autoconfigure;

import java.net.InetAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import dev.iouring.server.HandlerExecution;
import dev.iouring.server.Transport;
import dev.iouring.server.codec.FieldByteOrder;
import dev.iouring.server.codec.FramingKind;
import dev.iouring.server.codec.FramingSpec;

import org.springframework.boot.context.properties.ConfigurationProperties;
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

	private final Ring ring = new Ring();

	private final Buffers buffers = new Buffers();

	private final Server server = new Server();

	public Ring getRing() {
		return this.ring;
	}

	public Buffers getBuffers() {
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
	 * How each event loop's ring is set up. Large rings need locked memory: on kernels before 5.12 the
	 * ring counts against RLIMIT_MEMLOCK, so raise {@code ulimit -l} if setup fails with ENOMEM.
	 */
	public static class Ring {

		/**
		 * Size of the submission queue of each ring. Must be a power of two.
		 */
		private int entries = 4096;

		/**
		 * Size of the completion queue of each ring. Must be a power of two, at least the submission
		 * queue size.
		 */
		private int cqEntries = 16384;

		/**
		 * Whether a kernel thread polls the submission queue, which saves submit system calls at the cost
		 * of a busy CPU.
		 */
		private boolean sqpoll;

		/**
		 * How long the submission polling thread spins without work before it sleeps.
		 */
		private Duration sqpollIdle = Duration.ofSeconds(1);

		/**
		 * CPU to pin the submission polling thread to. When not set, the kernel chooses.
		 */
		private @Nullable Integer sqpollCpu;

		public int getEntries() {
			return this.entries;
		}

		public void setEntries(int entries) {
			this.entries = entries;
		}

		public int getCqEntries() {
			return this.cqEntries;
		}

		public void setCqEntries(int cqEntries) {
			this.cqEntries = cqEntries;
		}

		public boolean isSqpoll() {
			return this.sqpoll;
		}

		public void setSqpoll(boolean sqpoll) {
			this.sqpoll = sqpoll;
		}

		public Duration getSqpollIdle() {
			return this.sqpollIdle;
		}

		public void setSqpollIdle(Duration sqpollIdle) {
			this.sqpollIdle = sqpollIdle;
		}

		public @Nullable Integer getSqpollCpu() {
			return this.sqpollCpu;
		}

		public void setSqpollCpu(@Nullable Integer sqpollCpu) {
			this.sqpollCpu = sqpollCpu;
		}

	}

	/**
	 * The provided buffers each event loop receives into.
	 */
	public static class Buffers {

		/**
		 * Number of receive buffers per event loop. Must be a power of two.
		 */
		private int count = 1024;

		/**
		 * Size of each receive buffer. If a data size suffix is not specified, bytes will be used.
		 */
		private DataSize size = DataSize.ofKilobytes(16);

		public int getCount() {
			return this.count;
		}

		public void setCount(int count) {
			this.count = count;
		}

		public DataSize getSize() {
			return this.size;
		}

		public void setSize(DataSize size) {
			this.size = size;
		}

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
		 * Network address to bind. When not set, the server listens on all interfaces.
		 */
		private @Nullable InetAddress address;

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
		 * Where handler callbacks run: 'event-loop' (fastest; callbacks must not block) or
		 * 'virtual-threads' (each connection's callbacks in order on virtual threads; they may block).
		 * When not set, 'virtual-threads' if spring.threads.virtual.enabled is true, else 'event-loop'.
		 */
		private @Nullable HandlerExecution handlerExecution;

		/**
		 * How received bytes are cut into frames for the handler; raw by default.
		 */
		private final Framing framing = new Framing();

		/**
		 * Type of shutdown the server does when the application context closes.
		 */
		private Shutdown shutdown = Shutdown.GRACEFUL;

		private final WriteBuffer writeBuffer = new WriteBuffer();

		/**
		 * Listeners by name. When empty, one listener named 'default' serves the server-level port.
		 */
		private final Map<String, Listener> listeners = new LinkedHashMap<>();

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

		public @Nullable InetAddress getAddress() {
			return this.address;
		}

		public void setAddress(@Nullable InetAddress address) {
			this.address = address;
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

		public Framing getFraming() {
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

		public Shutdown getShutdown() {
			return this.shutdown;
		}

		public void setShutdown(Shutdown shutdown) {
			this.shutdown = shutdown;
		}

		public WriteBuffer getWriteBuffer() {
			return this.writeBuffer;
		}

		public Map<String, Listener> getListeners() {
			return this.listeners;
		}

	}

	/**
	 * Bounds on the bytes queued for sending on one connection.
	 */
	public static class WriteBuffer {

		/**
		 * Queued outbound bytes per connection above which the server stops reading from it. If a data
		 * size suffix is not specified, bytes will be used.
		 */
		private DataSize highWaterMark = DataSize.ofKilobytes(64);

		/**
		 * Queued outbound bytes per connection below which reading resumes. If a data size suffix is not
		 * specified, bytes will be used.
		 */
		private DataSize lowWaterMark = DataSize.ofKilobytes(32);

		/**
		 * Hard limit on queued outbound bytes per connection: a connection whose queue would grow past it
		 * is closed, and its queued bytes discarded, whatever the handler does. It bounds what a peer
		 * that never reads can make the server hold. If a data size suffix is not specified, bytes will
		 * be used.
		 */
		private DataSize limit = DataSize.ofMegabytes(4);

		public DataSize getLimit() {
			return this.limit;
		}

		public void setLimit(DataSize limit) {
			this.limit = limit;
		}

		public DataSize getHighWaterMark() {
			return this.highWaterMark;
		}

		public void setHighWaterMark(DataSize highWaterMark) {
			this.highWaterMark = highWaterMark;
		}

		public DataSize getLowWaterMark() {
			return this.lowWaterMark;
		}

		public void setLowWaterMark(DataSize lowWaterMark) {
			this.lowWaterMark = lowWaterMark;
		}

	}

	/**
	 * One named listener. Every value left unset falls back to the server-level one.
	 */
	public static class Listener {

		/**
		 * Port to listen on. Use 0 for a port chosen by the system.
		 */
		private @Nullable Integer port;

		/**
		 * Network address to bind.
		 */
		private @Nullable InetAddress address;

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
		 * Where this listener's handler callbacks run.
		 */
		private @Nullable HandlerExecution handlerExecution;

		/**
		 * How this listener cuts received bytes into frames. When not set, the server-level framing.
		 */
		private @Nullable Framing framing;

		public @Nullable HandlerExecution getHandlerExecution() {
			return this.handlerExecution;
		}

		public void setHandlerExecution(@Nullable HandlerExecution handlerExecution) {
			this.handlerExecution = handlerExecution;
		}

		public @Nullable Framing getFraming() {
			return this.framing;
		}

		public void setFraming(@Nullable Framing framing) {
			this.framing = framing;
		}

		public @Nullable Integer getPort() {
			return this.port;
		}

		public void setPort(@Nullable Integer port) {
			this.port = port;
		}

		public @Nullable InetAddress getAddress() {
			return this.address;
		}

		public void setAddress(@Nullable InetAddress address) {
			this.address = address;
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

	/**
	 * Framing of a listener: which codec cuts the byte stream into frames, and its options. Options a
	 * codec does not take are rejected.
	 */
	public static class Framing {

		/**
		 * Codec: 'raw' (bytes as they arrive), 'line' (LF or CRLF), 'delimiter', 'length-field' or
		 * 'fixed'.
		 */
		private FramingKind kind = FramingKind.RAW;

		/**
		 * Largest frame accepted; a larger one closes the connection with reason frame-too-large. When
		 * not set, 64KB.
		 */
		private @Nullable DataSize maxFrameSize;

		/**
		 * Whether line and delimiter codecs remove the delimiter from the frame (default true).
		 */
		private @Nullable Boolean stripDelimiter;

		/**
		 * Delimiter of the 'delimiter' codec, as text (sent as its UTF-8 bytes).
		 */
		private @Nullable String delimiter;

		/**
		 * Size in bytes of the length field of the 'length-field' codec: 1, 2, 4 or 8 (default 4).
		 */
		private @Nullable Integer lengthFieldLength;

		/**
		 * Bytes before the length field (default 0).
		 */
		private @Nullable Integer lengthFieldOffset;

		/**
		 * Added to the length field's value to get the number of bytes that follow the field (default 0).
		 */
		private @Nullable Integer lengthAdjustment;

		/**
		 * Whether the length-field codec removes the header (offset and field) from the frame (default
		 * true).
		 */
		private @Nullable Boolean stripHeader;

		/**
		 * Byte order of the length field: 'big-endian' (default) or 'little-endian'.
		 */
		private @Nullable FieldByteOrder byteOrder;

		/**
		 * Frame size of the 'fixed' codec.
		 */
		private @Nullable Integer frameLength;

		public FramingKind getKind() {
			return this.kind;
		}

		public void setKind(FramingKind kind) {
			this.kind = kind;
		}

		public @Nullable DataSize getMaxFrameSize() {
			return this.maxFrameSize;
		}

		public void setMaxFrameSize(@Nullable DataSize maxFrameSize) {
			this.maxFrameSize = maxFrameSize;
		}

		public @Nullable Boolean getStripDelimiter() {
			return this.stripDelimiter;
		}

		public void setStripDelimiter(@Nullable Boolean stripDelimiter) {
			this.stripDelimiter = stripDelimiter;
		}

		public @Nullable String getDelimiter() {
			return this.delimiter;
		}

		public void setDelimiter(@Nullable String delimiter) {
			this.delimiter = delimiter;
		}

		public @Nullable Integer getLengthFieldLength() {
			return this.lengthFieldLength;
		}

		public void setLengthFieldLength(@Nullable Integer lengthFieldLength) {
			this.lengthFieldLength = lengthFieldLength;
		}

		public @Nullable Integer getLengthFieldOffset() {
			return this.lengthFieldOffset;
		}

		public void setLengthFieldOffset(@Nullable Integer lengthFieldOffset) {
			this.lengthFieldOffset = lengthFieldOffset;
		}

		public @Nullable Integer getLengthAdjustment() {
			return this.lengthAdjustment;
		}

		public void setLengthAdjustment(@Nullable Integer lengthAdjustment) {
			this.lengthAdjustment = lengthAdjustment;
		}

		public @Nullable Boolean getStripHeader() {
			return this.stripHeader;
		}

		public void setStripHeader(@Nullable Boolean stripHeader) {
			this.stripHeader = stripHeader;
		}

		public @Nullable FieldByteOrder getByteOrder() {
			return this.byteOrder;
		}

		public void setByteOrder(@Nullable FieldByteOrder byteOrder) {
			this.byteOrder = byteOrder;
		}

		public @Nullable Integer getFrameLength() {
			return this.frameLength;
		}

		public void setFrameLength(@Nullable Integer frameLength) {
			this.frameLength = frameLength;
		}

		/**
		 * Returns the codec described, checked.
		 * @return the spec
		 * @throws IllegalArgumentException naming the option that is wrong
		 */
		FramingSpec toSpec() {
			Integer maxFrameSize = (this.maxFrameSize != null) ? Math.toIntExact(this.maxFrameSize.toBytes()) : null;
			return new FramingSpec(this.kind, maxFrameSize, this.stripDelimiter, this.delimiter,
					this.lengthFieldLength, this.lengthFieldOffset, this.lengthAdjustment, this.stripHeader,
					this.byteOrder, this.frameLength);
		}

	}

}
