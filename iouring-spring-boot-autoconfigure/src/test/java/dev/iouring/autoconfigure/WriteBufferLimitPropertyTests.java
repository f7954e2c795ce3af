package dev.iouring.autoconfigure;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.iouring.server.Connection;
import dev.iouring.server.ServerSettings;
import dev.iouring.server.TcpHandler;
import dev.iouring.server.TcpServer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code iouring.server.write-buffer.limit}, the hard per-connection outbound limit, reaches the engine
 * through the auto-configuration: the server closes a connection with {@code outbound-overflow} at the
 * limit its {@link ServerSettings} carry. The lifecycle beans are replaced, so no test opens a socket.
 */
class WriteBufferLimitPropertyTests {

	private static final TcpHandler ECHO = Connection::write;

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(IoUringServerAutoConfiguration.class))
		.withBean(IoUringServerAutoConfiguration.START_STOP_LIFECYCLE_BEAN, Object.class, Object::new)
		.withBean(IoUringServerAutoConfiguration.GRACEFUL_SHUTDOWN_LIFECYCLE_BEAN, Object.class, Object::new)
		.withBean("echo", TcpHandler.class, () -> ECHO);

	@Test
	void writeLimitDefaultsToTheEngineDefault() {
		this.contextRunner.run((context) -> assertThat(context.getBean(TcpServer.class).settings().writeLimit())
			.isEqualTo(ServerSettings.DEFAULT_WRITE_LIMIT));
	}

	@Test
	void writeLimitPropertyReachesTheServer() {
		this.contextRunner.withPropertyValues("iouring.server.write-buffer.limit=12MB").run((context) -> {
			assertThat(context.getBean(ServerSettings.class).writeLimit()).isEqualTo(12L * 1024 * 1024);
			assertThat(context.getBean(TcpServer.class).settings().writeLimit()).isEqualTo(12L * 1024 * 1024);
		});
	}

	@Test
	void writeLimitWithoutUnitIsInBytes() {
		this.contextRunner.withPropertyValues("iouring.server.write-buffer.limit=100000")
			.run((context) -> assertThat(context.getBean(TcpServer.class).settings().writeLimit()).isEqualTo(100_000));
	}

	@Test
	void writeLimitBelowTheHighWaterMarkFailsNamingBothProperties() {
		this.contextRunner.withPropertyValues("iouring.server.write-buffer.limit=32KB").run((context) -> {
			assertThat(context).hasFailed();
			FailureAnalysis analysis = new InvalidIoUringPropertiesFailureAnalyzer()
				.analyze(context.getStartupFailure());
			assertThat(analysis).as("failure analysis of %s", context.getStartupFailure()).isNotNull();
			assertThat(analysis.getDescription()).contains("Property: iouring.server.write-buffer.limit")
				.contains("Value: \"32KB\"")
				.contains("Reason: must be at least iouring.server.write-buffer.high-water-mark (64KB)");
		});
	}

}
