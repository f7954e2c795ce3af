package dev.iouring.autoconfigure;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.thread.Threading;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

import dev.iouring.server.HandlerExecution;
import dev.iouring.server.IoUringServer;
import dev.iouring.server.ServerSettings;
import dev.iouring.server.TcpServer;
import dev.iouring.server.TcpServers;

/**
 * Auto-configuration of the io_uring TCP server: settings from the {@code iouring.*} properties and
 * {@link IoUringServerCustomizer} beans, the server on the transport {@code iouring.server.transport} names
 * (an {@link IoUringServer}, or the NIO fallback), and the lifecycle beans that start it with the context,
 * drain it and stop it. {@code iouring.server.enabled=false} turns it all off. Listeners with
 * {@code ssl.bundle} read their key material from Boot's {@link SslBundles}, hence the ordering after
 * {@link SslAutoConfiguration}.
 *
 * <p>With {@code spring.threads.virtual.enabled=true}, as for Boot's web servers, handler callbacks run on
 * virtual threads unless {@code handler-execution} is set on the server or the listener.
 *
 * <p>Each bean backs off when the application defines its own: a {@link ServerSettings} bean replaces
 * the properties, an {@link IoUringServer} bean replaces the server (and makes the settings moot), and
 * the lifecycle beans back off by name, so a test can keep the server from binding.
 */
@AutoConfiguration(after = SslAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = "iouring.server.enabled", matchIfMissing = true)
@EnableConfigurationProperties(IoUringProperties.class)
public final class IoUringServerAutoConfiguration {

	/** Name of the bean that starts and stops the server. */
	static final String START_STOP_LIFECYCLE_BEAN = "ioUringServerStartStopLifecycle";

	/** Name of the bean that drains the server on shutdown. */
	static final String GRACEFUL_SHUTDOWN_LIFECYCLE_BEAN = "ioUringServerGracefulShutdownLifecycle";

	/**
	 * Lets the TLS warm-up's CA certificates go once every singleton exists, so also when the application
	 * brings its own settings or server and no listener context is built here.
	 * @return the callback that releases them
	 */
	@Bean
	static SmartInitializingSingleton ioUringTlsWarmUpRelease() {
		return TlsWarmUp::release;
	}

	@Bean
	@ConditionalOnMissingBean({ ServerSettings.class, TcpServer.class })
	ServerSettings ioUringServerSettings(IoUringProperties properties, Environment environment,
			ListableBeanFactory beanFactory, ObjectProvider<IoUringServerCustomizer> customizers,
			ObjectProvider<SslBundles> sslBundles) {
		UnknownKeysCheck.check(environment);
		HandlerExecution execution = Threading.VIRTUAL.isActive(environment) ? HandlerExecution.VIRTUAL_THREADS
				: HandlerExecution.EVENT_LOOP;
		ServerSettings settings = new ServerSettingsMapper(properties, new TcpHandlerResolver(beanFactory), execution,
				new ListenerTlsResolver(sslBundles.getIfAvailable()))
			.map();
		for (IoUringServerCustomizer customizer : customizers.orderedStream().toList()) {
			settings = customizer.customize(settings);
		}
		return settings;
	}

	@Bean
	@ConditionalOnMissingBean(TcpServer.class)
	TcpServer ioUringServer(ServerSettings settings, IoUringProperties properties) {
		return TcpServers.create(settings, properties.getServer().getTransport());
	}

	@Bean(START_STOP_LIFECYCLE_BEAN)
	@ConditionalOnMissingBean(name = START_STOP_LIFECYCLE_BEAN)
	IoUringServerStartStopLifecycle ioUringServerStartStopLifecycle(TcpServer server,
			ApplicationContext applicationContext) {
		return new IoUringServerStartStopLifecycle(server, applicationContext);
	}

	@Bean(GRACEFUL_SHUTDOWN_LIFECYCLE_BEAN)
	@ConditionalOnMissingBean(name = GRACEFUL_SHUTDOWN_LIFECYCLE_BEAN)
	IoUringServerGracefulShutdownLifecycle ioUringServerGracefulShutdownLifecycle(TcpServer server,
			IoUringProperties properties, ApplicationContext applicationContext) {
		return new IoUringServerGracefulShutdownLifecycle(server, properties.getServer().getShutdown(),
				applicationContext);
	}

	@Bean
	IoUringServerPortInfoListener ioUringServerPortInfoListener() {
		return new IoUringServerPortInfoListener();
	}

}
