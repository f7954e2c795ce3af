package dev.iouring.autoconfigure.endpoint;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

import dev.iouring.autoconfigure.IoUringServerAutoConfiguration;
import dev.iouring.server.TcpServer;

/**
 * Auto-configuration of the {@code iouring} Actuator endpoint, when Actuator is present, the server
 * runs and the endpoint is available (accessible and exposed, e.g.
 * {@code management.endpoints.web.exposure.include=iouring}).
 */
@AutoConfiguration(after = IoUringServerAutoConfiguration.class)
@ConditionalOnClass(Endpoint.class)
public final class IoUringEndpointAutoConfiguration {

	@Bean
	@ConditionalOnAvailableEndpoint
	@ConditionalOnBean(TcpServer.class)
	@ConditionalOnMissingBean
	IoUringEndpoint ioUringEndpoint(TcpServer server, Environment environment) {
		return new IoUringEndpoint(server, environment.getProperty("iouring.server.transport"));
	}

}
