package dev.iouring.autoconfigure.metrics;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import dev.iouring.autoconfigure.IoUringServerAutoConfiguration;
import dev.iouring.server.TcpServer;

/**
 * Auto-configuration of the io_uring server's Micrometer meters. Needs Micrometer, a
 * {@link MeterRegistry} and the server; backs off when the application binds {@link IoUringMetrics}
 * itself. {@code management.metrics.enable.iouring=false} filters every meter out.
 */
@AutoConfiguration(after = IoUringServerAutoConfiguration.class,
		afterName = "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration")
@ConditionalOnClass(MeterRegistry.class)
public final class IoUringMetricsAutoConfiguration {

	@Bean
	@ConditionalOnBean({ MeterRegistry.class, TcpServer.class })
	@ConditionalOnMissingBean({ IoUringMetrics.class, IoUringMetricsBinder.class })
	IoUringMetricsBinder ioUringMetricsBinder(MeterRegistry meterRegistry) {
		return new IoUringMetricsBinder(meterRegistry);
	}

}
