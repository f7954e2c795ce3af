package dev.iouring.autoconfigure.health;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.context.annotation.Bean;

import dev.iouring.autoconfigure.IoUringServerAutoConfiguration;
import dev.iouring.server.TcpServer;

/**
 * Auto-configuration of the {@code iouring} health contributor. The bean name, minus its
 * {@code HealthIndicator} suffix, is the contributor's name, so it shows at
 * {@code /actuator/health/iouring}; {@code management.health.iouring.enabled=false} turns it off.
 */
@AutoConfiguration(before = HealthContributorAutoConfiguration.class, after = IoUringServerAutoConfiguration.class)
@ConditionalOnClass(Health.class)
@ConditionalOnEnabledHealthIndicator("iouring")
public final class IoUringHealthContributorAutoConfiguration {

	@Bean
	@ConditionalOnBean(TcpServer.class)
	@ConditionalOnMissingBean(name = "iouringHealthIndicator")
	IoUringHealthIndicator iouringHealthIndicator(TcpServer server) {
		return new IoUringHealthIndicator(server);
	}

}
