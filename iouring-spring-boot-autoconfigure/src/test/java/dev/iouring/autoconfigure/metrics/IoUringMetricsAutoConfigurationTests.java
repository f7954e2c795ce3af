package dev.iouring.autoconfigure.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.iouring.autoconfigure.IoUringServerAutoConfiguration;
import dev.iouring.server.Connection;
import dev.iouring.server.TcpHandler;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When the meters are configured and when they back off. The server's lifecycle beans are replaced by
 * name, so no socket is bound and the server never starts.
 */
class IoUringMetricsAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(
				AutoConfigurations.of(IoUringServerAutoConfiguration.class, IoUringMetricsAutoConfiguration.class))
		.withBean("echo", TcpHandler.class, () -> Connection::write)
		.withBean("ioUringServerStartStopLifecycle", Object.class, Object::new)
		.withBean("ioUringServerGracefulShutdownLifecycle", Object.class, Object::new);

	@Test
	void binderIsConfiguredWhenARegistryAndTheServerArePresent() {
		this.contextRunner.withBean(SimpleMeterRegistry.class)
			.run((context) -> assertThat(context).hasSingleBean(IoUringMetricsBinder.class));
	}

	@Test
	void nothingIsBoundBeforeTheServerHasStarted() {
		this.contextRunner.withBean(SimpleMeterRegistry.class)
			.run((context) -> assertThat(context.getBean(MeterRegistry.class).getMeters())
				.noneMatch((meter) -> meter.getId().getName().startsWith("iouring.")));
	}

	@Test
	void backsOffWithoutAMeterRegistry() {
		this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(IoUringMetricsBinder.class));
	}

	@Test
	void backsOffWithoutMicrometer() {
		this.contextRunner.withBean(SimpleMeterRegistry.class)
			.withClassLoader(new FilteredClassLoader(MeterRegistry.class))
			.run((context) -> assertThat(context).doesNotHaveBean(IoUringMetricsBinder.class));
	}

	@Test
	void backsOffWhenTheServerIsDisabled() {
		this.contextRunner.withBean(SimpleMeterRegistry.class)
			.withPropertyValues("iouring.server.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(IoUringMetricsBinder.class));
	}

	@Test
	void backsOffWhenTheApplicationDefinesItsOwnBinder() {
		this.contextRunner.withBean(SimpleMeterRegistry.class)
			.withBean("customBinder", IoUringMetricsBinder.class, () -> new IoUringMetricsBinder(new SimpleMeterRegistry()))
			.run((context) -> assertThat(context).getBean(IoUringMetricsBinder.class).isSameAs(context.getBean("customBinder")));
	}

}
