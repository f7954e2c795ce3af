package dev.iouring.autoconfigure.health;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.availability.ApplicationAvailabilityAutoConfiguration;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.health.actuate.endpoint.CompositeHealthDescriptor;
import org.springframework.boot.health.actuate.endpoint.HealthDescriptor;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.AvailabilityProbesAutoConfiguration;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.HealthEndpointAutoConfiguration;
import org.springframework.boot.health.autoconfigure.application.AvailabilityHealthContributorAutoConfiguration;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.iouring.autoconfigure.IoUringServerAutoConfiguration;
import dev.iouring.server.Connection;
import dev.iouring.server.TcpHandler;
import dev.iouring.server.TcpServer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code iouring} contributor in Boot's readiness group, configured as the Kubernetes section of the
 * README shows: the group holds it next to {@code readinessState}, and a server that stops serving takes
 * readiness down while liveness stays up. A real server bound on a port the system chooses (NIO, so the
 * test runs wherever Java does).
 */
class IoUringReadinessGroupTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(IoUringServerAutoConfiguration.class,
				IoUringHealthContributorAutoConfiguration.class, ApplicationAvailabilityAutoConfiguration.class,
				HealthContributorRegistryAutoConfiguration.class, HealthContributorAutoConfiguration.class,
				AvailabilityHealthContributorAutoConfiguration.class, AvailabilityProbesAutoConfiguration.class,
				HealthEndpointAutoConfiguration.class))
		.withBean("echo", TcpHandler.class, () -> Connection::write)
		.withPropertyValues("iouring.server.transport=nio", "iouring.server.port=0", "iouring.server.event-loops=1",
				"management.endpoint.health.probes.enabled=true",
				"management.endpoint.health.group.readiness.include=readinessState,iouring");

	@Test
	void readinessGroupHoldsTheIouringContributorAndFollowsIt() {
		this.contextRunner.run((context) -> {
			// SpringApplication publishes these as the application starts; a context runner does not.
			AvailabilityChangeEvent.publish(context, LivenessState.CORRECT);
			AvailabilityChangeEvent.publish(context, ReadinessState.ACCEPTING_TRAFFIC);
			HealthEndpoint health = context.getBean(HealthEndpoint.class);
			CompositeHealthDescriptor readiness = (CompositeHealthDescriptor) health.healthForPath("readiness");
			assertThat(readiness.getComponents()).containsOnlyKeys("readinessState", "iouring");
			assertThat(readiness.getStatus()).isEqualTo(Status.UP);

			context.getBean(TcpServer.class).stop();
			assertThat(status(health.healthForPath("readiness", "iouring"))).isEqualTo(Status.OUT_OF_SERVICE);
			assertThat(status(health.healthForPath("readiness"))).isEqualTo(Status.OUT_OF_SERVICE);
			assertThat(status(health.healthForPath("liveness"))).isEqualTo(Status.UP);
		});
	}

	@Test
	void withoutTheIncludeTheReadinessGroupIsBootsAlone() {
		this.contextRunner.withPropertyValues("management.endpoint.health.group.readiness.include=readinessState")
			.run((context) -> {
				AvailabilityChangeEvent.publish(context, ReadinessState.ACCEPTING_TRAFFIC);
				CompositeHealthDescriptor readiness = (CompositeHealthDescriptor) context.getBean(HealthEndpoint.class)
					.healthForPath("readiness");
				assertThat(readiness.getComponents()).containsOnlyKeys("readinessState");
			});
	}

	private static Status status(HealthDescriptor descriptor) {
		return descriptor.getStatus();
	}

}
