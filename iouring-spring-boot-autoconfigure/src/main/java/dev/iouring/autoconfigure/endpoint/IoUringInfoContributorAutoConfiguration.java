package dev.iouring.autoconfigure.endpoint;

import org.springframework.boot.actuate.autoconfigure.info.ConditionalOnEnabledInfoContributor;
import org.springframework.boot.actuate.autoconfigure.info.InfoContributorAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.info.InfoContributorFallback;
import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.annotation.Order;

import dev.iouring.autoconfigure.IoUringServerAutoConfiguration;
import dev.iouring.server.TcpServer;

/**
 * Auto-configuration of the {@code iouring} info contributor. Opt-in, like Boot's {@code os} and
 * {@code process} contributors: set {@code management.info.iouring.enabled=true}.
 */
@AutoConfiguration(after = IoUringServerAutoConfiguration.class)
@ConditionalOnClass(InfoContributor.class)
public final class IoUringInfoContributorAutoConfiguration {

	@Bean
	@ConditionalOnEnabledInfoContributor(value = "iouring", fallback = InfoContributorFallback.DISABLE)
	@ConditionalOnBean(TcpServer.class)
	@ConditionalOnMissingBean
	@Order(InfoContributorAutoConfiguration.DEFAULT_ORDER)
	IoUringInfoContributor ioUringInfoContributor(TcpServer server) {
		return new IoUringInfoContributor(server);
	}

}
