package dev.iouring.autoconfigure.health;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.iouring.autoconfigure.IoUringServerAutoConfiguration;
import dev.iouring.server.Connection;
import dev.iouring.server.TcpHandler;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When the {@code iouring} health contributor is configured and when it backs off. No socket is bound:
 * the server's lifecycle beans are replaced by name.
 */
class IoUringHealthContributorAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(IoUringServerAutoConfiguration.class,
				IoUringHealthContributorAutoConfiguration.class))
		.withBean("echo", TcpHandler.class, () -> Connection::write)
		.withBean("ioUringServerStartStopLifecycle", Object.class, Object::new)
		.withBean("ioUringServerGracefulShutdownLifecycle", Object.class, Object::new);

	@Test
	void contributorIsNamedIouring() {
		this.contextRunner.run((context) -> assertThat(context).hasSingleBean(IoUringHealthIndicator.class)
			.hasBean("iouringHealthIndicator"));
	}

	@Test
	void backsOffWhenTheIndicatorIsDisabled() {
		this.contextRunner.withPropertyValues("management.health.iouring.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(IoUringHealthIndicator.class));
	}

	@Test
	void backsOffWhenAllDefaultIndicatorsAreDisabled() {
		this.contextRunner.withPropertyValues("management.health.defaults.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(IoUringHealthIndicator.class));
	}

	@Test
	void backsOffWithoutSpringBootHealth() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(Health.class))
			.run((context) -> assertThat(context).doesNotHaveBean(IoUringHealthIndicator.class));
	}

	@Test
	void backsOffWhenTheServerIsDisabled() {
		this.contextRunner.withPropertyValues("iouring.server.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(IoUringHealthIndicator.class));
	}

	@Test
	void backsOffWhenTheApplicationDefinesAnIndicatorOfTheSameName() {
		this.contextRunner.withBean("iouringHealthIndicator", Object.class, Object::new)
			.run((context) -> assertThat(context).doesNotHaveBean(IoUringHealthIndicator.class));
	}

}
