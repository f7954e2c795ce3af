package dev.iouring.autoconfigure.metrics;

import java.time.Duration;
import java.util.Collections;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.ApplicationListener;

import dev.iouring.autoconfigure.IoUringServerInitializedEvent;

/**
 * Binds {@link IoUringMetrics} once the server has started (its statistics exist from then on), and
 * registers error meters as new kinds of error appear, checking every {@link #ERROR_SCAN_INTERVAL} on
 * one virtual thread until the context closes.
 *
 * <p>Binding on {@link IoUringServerInitializedEvent} rather than as a {@code MeterBinder} bean follows
 * Boot's {@code TomcatMetricsBinder}: Boot binds {@code MeterBinder} beans before lifecycle beans
 * start, when the server has nothing to read yet.
 */
public class IoUringMetricsBinder implements ApplicationListener<IoUringServerInitializedEvent>, DisposableBean {

	/** How often to look for error kinds not yet registered; errors are rare, the check is a map copy. */
	static final Duration ERROR_SCAN_INTERVAL = Duration.ofSeconds(1);

	private final MeterRegistry meterRegistry;

	private final Iterable<Tag> tags;

	private volatile @Nullable IoUringMetrics metrics;

	private volatile @Nullable ScheduledExecutorService errorScanner;

	/**
	 * Creates a binder that adds no tags of its own.
	 * @param meterRegistry where to register the meters
	 */
	public IoUringMetricsBinder(MeterRegistry meterRegistry) {
		this(meterRegistry, Collections.emptyList());
	}

	/**
	 * Creates a binder.
	 * @param meterRegistry where to register the meters
	 * @param tags tags added to every meter
	 */
	public IoUringMetricsBinder(MeterRegistry meterRegistry, Iterable<Tag> tags) {
		this.meterRegistry = meterRegistry;
		this.tags = tags;
	}

	@Override
	public synchronized void onApplicationEvent(IoUringServerInitializedEvent event) {
		if (this.metrics != null) {
			return;
		}
		IoUringMetrics metrics = new IoUringMetrics(event.getServer(), this.tags);
		metrics.bindTo(this.meterRegistry);
		this.metrics = metrics;
		ScheduledExecutorService scanner = Executors
			.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("iouring-error-meters").factory());
		long period = ERROR_SCAN_INTERVAL.toMillis();
		scanner.scheduleWithFixedDelay(metrics::bindNewErrors, period, period, TimeUnit.MILLISECONDS);
		this.errorScanner = scanner;
	}

	@Override
	public void destroy() {
		ScheduledExecutorService scanner = this.errorScanner;
		if (scanner != null) {
			scanner.shutdownNow();
		}
	}

}
