package dev.iouring.autoconfigure.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;

import dev.iouring.server.CloseReason;
import dev.iouring.server.ListenerSettings;
import dev.iouring.server.ListenerStats;
import dev.iouring.server.LoopStats;
import dev.iouring.server.TcpServer;

/**
 * The meters of a started {@link TcpServer}, as the README lists them. Every meter is a {@link Gauge} or a
 * {@link FunctionCounter} that reads a figure the event loops already keep, so the loops do no extra
 * work for metrics: no atomic read-modify-write and no allocation on their side.
 *
 * <p>The statistics objects exist once the server has started (and outlive its stop), so bind this
 * after {@link TcpServer#start()}; binding earlier binds nothing. Tags are bounded: {@code listener}
 * (configured names), {@code loop} (the loop index), {@code reason} (the {@link CloseReason} tags and
 * {@code max-connections}), {@code result} ({@code success}, {@code failed}, {@code timeout}) for the
 * TLS handshakes of listeners that speak TLS, and {@code op}/{@code error} for errors.
 *
 * <p>Errors are counted by the loops under "op/ERRNO" keys that only exist once such an error has
 * happened. {@link #bindTo(MeterRegistry)} registers the keys seen so far; {@link #bindNewErrors()}
 * registers the ones that appeared since, and should be called now and then (the auto-configured
 * {@link IoUringMetricsBinder} does). The set is bounded by the few operations times the errno names.
 */
public class IoUringMetrics implements MeterBinder {

	/** Value of the {@code reason} tag of {@code iouring.server.connections.rejected}. */
	static final String REJECTED_REASON = "max-connections";

	private static final String FRAMES = "frames";

	private static final String CALLS = "calls";

	private static final String ERRORS = "errors";

	private static final String HANDSHAKES = "handshakes";

	private final TcpServer server;

	private final Tags tags;

	private final Set<MeterRegistry> registries = new CopyOnWriteArraySet<>();

	/** Strong references: a meter only holds its state object weakly. */
	private final List<ListenerTotals> listenerTotals = new ArrayList<>();

	private final Set<String> boundErrors = ConcurrentHashMap.newKeySet();

	private volatile List<LoopStats> loops = List.of();

	/**
	 * Creates the meters of a server.
	 * @param server the server, started before {@link #bindTo(MeterRegistry)} is called
	 * @param tags tags added to every meter
	 */
	public IoUringMetrics(TcpServer server, Iterable<Tag> tags) {
		this.server = server;
		this.tags = Tags.of(tags);
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		this.registries.add(registry);
		List<ListenerStats> listenerStats = this.server.listenerStats();
		for (ListenerStats stats : listenerStats) {
			bindListenerLoop(registry, stats);
		}
		synchronized (this.listenerTotals) {
			if (this.listenerTotals.isEmpty()) {
				this.listenerTotals.addAll(sumByListener(listenerStats));
			}
			Set<String> tlsListeners = tlsListeners();
			for (ListenerTotals totals : this.listenerTotals) {
				bindListener(registry, totals);
				if (tlsListeners.contains(totals.listener())) {
					bindTlsListener(registry, totals);
				}
			}
		}
		this.loops = this.server.loopStats();
		for (LoopStats stats : this.loops) {
			bindLoop(registry, stats);
		}
		for (String key : errorKeys()) {
			this.boundErrors.add(key);
			bindError(registry, key);
		}
	}

	/**
	 * Registers an {@code iouring.server.errors} meter for each "op/ERRNO" key that appeared since the
	 * last call, in every registry this was bound to. Cheap when nothing is new; never on a loop thread.
	 */
	public void bindNewErrors() {
		for (String key : errorKeys()) {
			if (this.boundErrors.add(key)) {
				for (MeterRegistry registry : this.registries) {
					bindError(registry, key);
				}
			}
		}
	}

	private Set<String> errorKeys() {
		Set<String> keys = new TreeSet<>();
		for (LoopStats stats : this.loops) {
			keys.addAll(stats.errors().keySet());
		}
		return keys;
	}

	private void bindListenerLoop(MeterRegistry registry, ListenerStats stats) {
		Tags tags = this.tags.and("listener", stats.listener(), "loop", Integer.toString(stats.loop()));
		gauge(registry, "iouring.server.connections.active", stats, ListenerStats::active,
				"Connections open on a listener, on one event loop", BaseUnits.CONNECTIONS, tags);
		counter(registry, "iouring.server.connections.accepted", stats, ListenerStats::accepted,
				"Connections accepted and served (rejected ones are not counted here)", BaseUnits.CONNECTIONS, tags);
		counter(registry, "iouring.server.bytes.received", stats, ListenerStats::bytesReceived,
				"Bytes received from clients", BaseUnits.BYTES, tags);
		counter(registry, "iouring.server.bytes.sent", stats, ListenerStats::bytesSent,
				"Bytes sent to clients (as completed by the kernel)", BaseUnits.BYTES, tags);
	}

	private void bindListener(MeterRegistry registry, ListenerTotals totals) {
		Tags tags = this.tags.and("listener", totals.listener());
		counter(registry, "iouring.server.connections.rejected", totals, ListenerTotals::rejected,
				"Connections closed right after accept because the listener had max-connections open",
				BaseUnits.CONNECTIONS, tags.and("reason", REJECTED_REASON));
		counter(registry, "iouring.server.frames.received", totals, ListenerTotals::framesReceived,
				"Frames the listener's codec delivered to the handler (chunks, for a raw listener)", FRAMES, tags);
		for (CloseReason reason : CloseReason.values()) {
			counter(registry, "iouring.server.connections.closed", totals, (t) -> t.closed(reason),
					"Connections closed, by reason", BaseUnits.CONNECTIONS, tags.and("reason", reason.tag()));
		}
	}

	private Set<String> tlsListeners() {
		Set<String> names = new TreeSet<>();
		for (ListenerSettings listener : this.server.settings().listeners()) {
			if (listener.tls() != null) {
				names.add(listener.name());
			}
		}
		return names;
	}

	private void bindTlsListener(MeterRegistry registry, ListenerTotals totals) {
		Tags tags = this.tags.and("listener", totals.listener());
		String description = "TLS handshakes, by result: success, failed (the client began one that did not "
				+ "finish), timeout (cut by the handshake timeout)";
		String name = "iouring.server.tls.handshakes";
		counter(registry, name, totals, ListenerTotals::handshakesSucceeded, description, HANDSHAKES,
				tags.and("result", "success"));
		counter(registry, name, totals, ListenerTotals::handshakesFailed, description, HANDSHAKES,
				tags.and("result", "failed"));
		counter(registry, name, totals, ListenerTotals::handshakesTimedOut, description, HANDSHAKES,
				tags.and("result", "timeout"));
		FunctionTimer
			.builder("iouring.server.tls.handshake.duration", totals, ListenerTotals::handshakesSucceeded,
					ListenerTotals::handshakeNanos, TimeUnit.NANOSECONDS)
			.description("Time of the TLS handshakes that succeeded, from their first byte to their end")
			.tags(tags)
			.register(registry);
	}

	private void bindLoop(MeterRegistry registry, LoopStats stats) {
		Tags tags = this.tags.and("loop", Integer.toString(stats.loop()));
		counter(registry, "iouring.ring.submissions", stats, LoopStats::submissions,
				"Submission queue entries handed to the kernel", BaseUnits.OPERATIONS, tags);
		counter(registry, "iouring.ring.completions", stats, LoopStats::completions, "Completion queue entries reaped",
				BaseUnits.EVENTS, tags);
		counter(registry, "iouring.ring.enters", stats, LoopStats::enters,
				"io_uring_enter system calls; completions per enter shows how well the loop batches", CALLS, tags);
		gauge(registry, "iouring.ring.sq.pending", stats, LoopStats::sqPending,
				"Submission queue entries prepared but not yet submitted at the end of a loop turn",
				BaseUnits.OPERATIONS, tags);
		counter(registry, "iouring.ring.cq.overflow", stats, LoopStats::cqOverflow,
				"Completions the kernel could not post because the completion queue was full", BaseUnits.EVENTS, tags);
		gauge(registry, "iouring.ring.buffers.available", stats, LoopStats::buffersAvailable,
				"Provided receive buffers the kernel may fill", BaseUnits.BUFFERS, tags);
		counter(registry, "iouring.ring.buffers.exhausted", stats, LoopStats::buffersExhausted,
				"Receives that stopped because no provided buffer was free (ENOBUFS)", BaseUnits.EVENTS, tags);
	}

	private void bindError(MeterRegistry registry, String key) {
		int slash = key.indexOf('/');
		String op = (slash >= 0) ? key.substring(0, slash) : key;
		String error = (slash >= 0) ? key.substring(slash + 1) : "unknown";
		counter(registry, "iouring.server.errors", this, (metrics) -> metrics.errorCount(key),
				"Operations that failed unexpectedly, by operation and error (errno name or exception)", ERRORS,
				this.tags.and("op", op, "error", error));
	}

	private static <T> void counter(MeterRegistry registry, String name, T state, ToDoubleFunction<T> value,
			String description, String unit, Tags tags) {
		FunctionCounter.builder(name, state, value)
			.description(description)
			.baseUnit(unit)
			.tags(tags)
			.register(registry);
	}

	private static <T> void gauge(MeterRegistry registry, String name, T state, ToDoubleFunction<T> value,
			String description, String unit, Tags tags) {
		Gauge.builder(name, state, value).description(description).baseUnit(unit).tags(tags).register(registry);
	}

	private double errorCount(String key) {
		long sum = 0;
		for (LoopStats stats : this.loops) {
			sum += stats.errorCount(key);
		}
		return sum;
	}

	private static List<ListenerTotals> sumByListener(List<ListenerStats> listenerStats) {
		Map<String, List<ListenerStats>> byListener = new LinkedHashMap<>();
		for (ListenerStats stats : listenerStats) {
			byListener.computeIfAbsent(stats.listener(), (name) -> new ArrayList<>()).add(stats);
		}
		return byListener.entrySet()
			.stream()
			.map((entry) -> new ListenerTotals(entry.getKey(), entry.getValue()))
			.toList();
	}

}
