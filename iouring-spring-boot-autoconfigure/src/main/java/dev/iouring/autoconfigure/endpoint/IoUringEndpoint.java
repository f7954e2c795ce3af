package dev.iouring.autoconfigure.endpoint;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

import dev.iouring.ring.IoUring;
import dev.iouring.server.CloseReason;
import dev.iouring.server.ListenerSettings;
import dev.iouring.server.ListenerStats;
import dev.iouring.server.LoopStats;
import dev.iouring.server.SocketOptions;
import dev.iouring.server.TcpServer;
import dev.iouring.server.UnixSocket;

/**
 * {@code /actuator/iouring}: what the server runs on and how it is doing. The transport and why it was
 * chosen, the kernel and what the io_uring probe found, the features the server uses, each loop's ring
 * sizes and counters, and each listener's connection and byte counts summed over the loops, its socket
 * options and, for a TLS listener, its bundles, protocols, cipher suites and handshakes. Read-only;
 * on a transport without a ring, the ring figures are zero.
 */
@Endpoint(id = "iouring")
public class IoUringEndpoint {

	private final TcpServer server;

	private final @Nullable String configuredTransport;

	/**
	 * Creates the endpoint.
	 * @param server the server to describe
	 * @param configuredTransport the {@code iouring.server.transport} setting, if any, to explain the
	 * transport
	 */
	public IoUringEndpoint(TcpServer server, @Nullable String configuredTransport) {
		this.server = server;
		this.configuredTransport = configuredTransport;
	}

	@ReadOperation
	public IoUringDescriptor iouring() {
		IoUring.Availability availability = IoUring.availability();
		List<LoopStats> loops = this.server.loopStats();
		return new IoUringDescriptor(this.server.transport(), transportReason(availability), this.server.isRunning(),
				this.server.isDraining(), KernelDescriptor.of(availability),
				IoUringFeatures.of(availability, this.server), loops.stream().map(LoopDescriptor::of).toList(),
				ListenerDescriptor.of(this.server));
	}

	private String transportReason(IoUring.Availability availability) {
		if (IoUringFeatures.IO_URING.equals(this.server.transport())) {
			return "io_uring is available on kernel " + availability.kernelRelease();
		}
		if (!availability.available()) {
			return "io_uring is not available: " + availability.cause();
		}
		if (this.configuredTransport != null) {
			return "io_uring is available, and iouring.server.transport is " + this.configuredTransport;
		}
		return "io_uring is available, and the application provides its own " + this.server.transport()
				+ " server";
	}

	/**
	 * The endpoint's answer.
	 * @param transport {@code io_uring} or {@code nio}
	 * @param transportReason why this transport serves
	 * @param running whether the server serves
	 * @param draining whether a graceful shutdown is under way
	 * @param kernel the kernel and what the io_uring probe found
	 * @param features io_uring features: offered by the kernel, used by the server
	 * @param loops one entry per event loop
	 * @param listeners one entry per listener
	 */
	public record IoUringDescriptor(String transport, String transportReason, boolean running, boolean draining,
			KernelDescriptor kernel, Map<String, FeatureDescriptor> features, List<LoopDescriptor> loops,
			List<ListenerDescriptor> listeners) {
	}

	/**
	 * One io_uring feature.
	 * @param supported whether this kernel offers it
	 * @param used whether the running server uses it, or {@code null} when that cannot be seen from
	 * outside the event loops
	 * @param basis how {@code supported} and {@code used} were worked out
	 */
	public record FeatureDescriptor(boolean supported, @Nullable Boolean used, String basis) {
	}

	/**
	 * The kernel, as probed once per process.
	 * @param release the kernel release
	 * @param ioUringAvailable whether io_uring works in this process
	 * @param unavailableCause why not (empty when it works)
	 * @param setupFlags the setup flags a small probe ring was granted
	 * @param features the kernel's IORING_FEAT_* bits
	 * @param supportedOpcodeCount how many opcodes the kernel supports
	 * @param supportedOpcodes every supported opcode by name (without {@code IORING_OP_}), as many as
	 * {@code supportedOpcodeCount}; one newer than this project is listed as {@code OP_} and its number
	 */
	public record KernelDescriptor(String release, boolean ioUringAvailable, String unavailableCause,
			List<String> setupFlags, List<String> features, int supportedOpcodeCount, List<String> supportedOpcodes) {

		static KernelDescriptor of(IoUring.Availability availability) {
			List<String> named = availability.supportedOpcodes().stream().map(OpcodeNames::of).toList();
			return new KernelDescriptor(availability.kernelRelease(), availability.available(), availability.cause(),
					availability.setupFlags(), availability.features(), availability.supportedOpcodes().size(), named);
		}

	}

	/**
	 * One event loop: its ring as set up and its counters.
	 * @param loop the loop index ({@code loop} tag of the meters)
	 * @param setupFlags the setup flags the loop's ring was granted
	 * @param sqEntries submission queue size
	 * @param cqEntries completion queue size
	 * @param bufferCount provided receive buffers
	 * @param bufferSize bytes per provided buffer
	 * @param enters io_uring_enter calls
	 * @param submissions SQEs submitted
	 * @param completions CQEs reaped
	 * @param sqPending SQEs prepared but not submitted at the end of the last turn
	 * @param cqOverflow completions lost to a full completion queue
	 * @param buffersAvailable provided buffers the kernel may fill
	 * @param buffersExhausted receives that found no free buffer
	 * @param errors unexpected failures by "op/error"
	 */
	public record LoopDescriptor(int loop, List<String> setupFlags, int sqEntries, int cqEntries, int bufferCount,
			int bufferSize, long enters, long submissions, long completions, long sqPending, long cqOverflow,
			long buffersAvailable, long buffersExhausted, Map<String, Long> errors) {

		static LoopDescriptor of(LoopStats stats) {
			return new LoopDescriptor(stats.loop(), stats.setupFlagNames(), stats.sqEntries(), stats.cqEntries(),
					stats.bufferCount(), stats.bufferSize(), stats.enters(), stats.submissions(), stats.completions(),
					stats.sqPending(), stats.cqOverflow(), stats.buffersAvailable(), stats.buffersExhausted(),
					stats.errors());
		}

	}

	/**
	 * One listener, summed over the loops.
	 * @param name the listener name
	 * @param port the bound port (-1 when not running, and for a Unix listener)
	 * @param unixSocket a Unix listener's socket ({@code unix:/path} or {@code unix:@name}), or
	 * {@code null} for TCP
	 * @param activeConnections connections open now
	 * @param acceptedConnections connections accepted
	 * @param rejectedConnections connections refused at max-connections
	 * @param bytesReceived bytes received
	 * @param bytesSent bytes sent
	 * @param framesReceived frames delivered to the handler
	 * @param closedConnections closed connections by reason
	 * @param socket the TCP options set on each accepted connection, or {@code null} for a listener the
	 * settings do not name
	 * @param tls the listener's TLS, or {@code null} for a plaintext listener
	 */
	public record ListenerDescriptor(String name, int port, @Nullable String unixSocket, long activeConnections,
			long acceptedConnections, long rejectedConnections, long bytesReceived, long bytesSent,
			long framesReceived, Map<String, Long> closedConnections, @Nullable SocketDescriptor socket,
			@Nullable TlsDescriptor tls) {

		static List<ListenerDescriptor> of(TcpServer server) {
			Map<String, List<ListenerStats>> byListener = new LinkedHashMap<>();
			server.ports().keySet().forEach((name) -> byListener.put(name, new ArrayList<>()));
			for (ListenerStats stats : server.listenerStats()) {
				byListener.computeIfAbsent(stats.listener(), (name) -> new ArrayList<>()).add(stats);
			}
			List<ListenerDescriptor> listeners = new ArrayList<>();
			Map<String, ListenerSettings> settings = new LinkedHashMap<>();
			for (ListenerSettings listener : server.settings().listeners()) {
				settings.put(listener.name(), listener);
			}
			byListener.forEach((name, perLoop) -> listeners
				.add(of(name, server.port(name), perLoop, settings.get(name), server.transport())));
			return listeners;
		}

		private static ListenerDescriptor of(String name, int port, List<ListenerStats> perLoop,
				@Nullable ListenerSettings settings, String transport) {
			long active = 0;
			long accepted = 0;
			long rejected = 0;
			long received = 0;
			long sent = 0;
			long frames = 0;
			Map<String, Long> closed = new LinkedHashMap<>();
			for (CloseReason reason : CloseReason.values()) {
				closed.put(reason.tag(), 0L);
			}
			for (ListenerStats stats : perLoop) {
				active += stats.active();
				accepted += stats.accepted();
				rejected += stats.rejected();
				received += stats.bytesReceived();
				sent += stats.bytesSent();
				frames += stats.framesReceived();
				for (CloseReason reason : CloseReason.values()) {
					closed.merge(reason.tag(), stats.closed(reason), Long::sum);
				}
			}
			SocketDescriptor socket = (settings != null) ? SocketDescriptor.of(settings.socketOptions(), transport)
					: null;
			TlsDescriptor tls = (settings != null) ? TlsDescriptor.of(settings.tls(), perLoop) : null;
			UnixSocket unix = (settings != null) ? settings.unixSocket() : null;
			return new ListenerDescriptor(name, port, (unix != null) ? unix.toString() : null, active, accepted,
					rejected, received, sent, frames, closed, socket, tls);
		}

	}

	/**
	 * The TCP options a listener sets on each connection it accepts, as the transport applies them; an
	 * option shown as {@code null} is not set, which leaves the kernel's default (keep-alive timings only
	 * apply with keep-alive on).
	 * @param tcpNoDelay TCP_NODELAY
	 * @param keepAlive SO_KEEPALIVE
	 * @param keepAliveIdleSeconds TCP_KEEPIDLE
	 * @param keepAliveIntervalSeconds TCP_KEEPINTVL
	 * @param keepAliveCount TCP_KEEPCNT
	 * @param userTimeoutMillis TCP_USER_TIMEOUT
	 * @param receiveBufferBytes SO_RCVBUF as set (the kernel reports twice as much, capped by
	 * net.core.rmem_max)
	 * @param sendBufferBytes SO_SNDBUF as set (the kernel reports twice as much, capped by
	 * net.core.wmem_max)
	 * @param notApplied options configured but not applied on this transport, with the reason
	 */
	public record SocketDescriptor(boolean tcpNoDelay, boolean keepAlive, @Nullable Long keepAliveIdleSeconds,
			@Nullable Long keepAliveIntervalSeconds, @Nullable Integer keepAliveCount, @Nullable Long userTimeoutMillis,
			@Nullable Integer receiveBufferBytes, @Nullable Integer sendBufferBytes, Map<String, String> notApplied) {

		static SocketDescriptor of(SocketOptions options, String transport) {
			boolean keepAlive = options.keepAlive();
			Long userTimeout = options.userTimeout().isZero() ? null : options.userTimeout().toMillis();
			Map<String, String> notApplied = new LinkedHashMap<>();
			if (userTimeout != null && !IoUringFeatures.IO_URING.equals(transport)) {
				notApplied.put("userTimeout", "the JDK has no TCP_USER_TIMEOUT option for the " + transport
						+ " transport");
				userTimeout = null;
			}
			return new SocketDescriptor(options.tcpNoDelay(), keepAlive,
					(keepAlive && !options.keepAliveIdle().isZero()) ? options.keepAliveIdle().toSeconds() : null,
					(keepAlive && !options.keepAliveInterval().isZero()) ? options.keepAliveInterval().toSeconds() : null,
					(keepAlive && options.keepAliveCount() > 0) ? options.keepAliveCount() : null, userTimeout,
					(options.receiveBuffer() > 0) ? options.receiveBuffer() : null,
					(options.sendBuffer() > 0) ? options.sendBuffer() : null, notApplied);
		}

	}

}
