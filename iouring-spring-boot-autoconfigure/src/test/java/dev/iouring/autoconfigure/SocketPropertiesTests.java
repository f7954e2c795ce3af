package dev.iouring.autoconfigure;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.validation.FieldError;

import dev.iouring.server.ListenerSettings;
import dev.iouring.server.ServerSettings;
import dev.iouring.server.SocketOptions;
import dev.iouring.server.TcpHandler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * {@code iouring.server.socket.*} and {@code iouring.server.listeners.<name>.socket.*}: how they bind into
 * each listener's {@link SocketOptions}, option by option, and which values fail startup. No socket is
 * bound: the server's lifecycle beans are replaced by name.
 */
class SocketPropertiesTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(IoUringServerAutoConfiguration.class))
		.withBean(IoUringServerAutoConfiguration.START_STOP_LIFECYCLE_BEAN, Object.class, Object::new)
		.withBean(IoUringServerAutoConfiguration.GRACEFUL_SHUTDOWN_LIFECYCLE_BEAN, Object.class, Object::new)
		.withBean("echo", TcpHandler.class, () -> (connection, data) -> connection.write(data));

	@Test
	void withNothingSetEveryListenerKeepsTheKernelDefaultsWithTcpNoDelay() {
		this.contextRunner.run((context) -> assertThat(listener(context, "default").socketOptions())
			.isEqualTo(SocketOptions.DEFAULTS)
			.satisfies((options) -> assertThat(options.tcpNoDelay()).isTrue()));
	}

	@Test
	void serverLevelOptionsApplyToEveryListenerAndUnitsDefaultToSecondsMillisecondsAndBytes() {
		this.contextRunner
			.withPropertyValues("iouring.server.socket.keep-alive=true", "iouring.server.socket.keep-alive-idle=60",
					"iouring.server.socket.keep-alive-interval=10s", "iouring.server.socket.keep-alive-count=5",
					"iouring.server.socket.user-timeout=1500", "iouring.server.socket.receive-buffer=64KB",
					"iouring.server.socket.send-buffer=16384", "iouring.server.socket.tcp-no-delay=false")
			.run((context) -> assertThat(listener(context, "default").socketOptions()).isEqualTo(new SocketOptions(true,
					Duration.ofSeconds(60), Duration.ofSeconds(10), 5, Duration.ofMillis(1500), 65536, 16384, false)));
	}

	@Test
	void aListenerOverridesSomeOptionsAndTakesTheRestFromTheServer() {
		this.contextRunner
			.withPropertyValues("iouring.server.socket.keep-alive=true", "iouring.server.socket.keep-alive-idle=120s",
					"iouring.server.socket.receive-buffer=32KB", "iouring.server.listeners.edge.port=0",
					"iouring.server.listeners.edge.socket.keep-alive-idle=30s",
					"iouring.server.listeners.edge.socket.user-timeout=20s", "iouring.server.listeners.inner.port=0")
			.run((context) -> {
				assertThat(listener(context, "edge").socketOptions())
					.isEqualTo(SocketOptions.builder()
						.keepAlive(true)
						.keepAliveIdle(Duration.ofSeconds(30))
						.userTimeout(Duration.ofSeconds(20))
						.receiveBuffer(32 * 1024)
						.build());
				assertThat(listener(context, "inner").socketOptions()).isEqualTo(SocketOptions.builder()
					.keepAlive(true)
					.keepAliveIdle(Duration.ofSeconds(120))
					.receiveBuffer(32 * 1024)
					.build());
			});
	}

	@Test
	void outOfRangeValuesFailStartupNamingThePropertyAndTheFix() {
		this.contextRunner
			.withPropertyValues("iouring.server.socket.keep-alive-idle=0s", "iouring.server.socket.keep-alive-count=128",
					"iouring.server.socket.receive-buffer=-1", "iouring.server.listeners.edge.port=0",
					"iouring.server.listeners.edge.socket.keep-alive-interval=1500ms",
					"iouring.server.listeners.edge.socket.user-timeout=-5ms",
					"iouring.server.listeners.edge.socket.send-buffer=1GB",
					"iouring.server.listeners.edge.socket.keep-alive-idle=40000s")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(rejected(context.getStartupFailure())).containsExactlyInAnyOrder(
						"server.socket.keepAliveIdle: must be a whole number of seconds between 1s and 32767s (the "
								+ "kernel's limit); leave it unset for net.ipv4.tcp_keepalive_time",
						"server.socket.keepAliveCount: must be between 1 and 127 (the kernel's limit); leave it unset "
								+ "for net.ipv4.tcp_keepalive_probes",
						"server.socket.receiveBuffer: must be between 1KB and 512MB; leave it unset for the kernel's "
								+ "default and auto-tuning (net.ipv4.tcp_rmem)",
						"server.listeners[edge].socket.keepAliveInterval: must be a whole number of seconds between 1s "
								+ "and 32767s (the kernel's limit); leave it unset for net.ipv4.tcp_keepalive_intvl",
						"server.listeners[edge].socket.userTimeout: must be a whole number of milliseconds between 1ms "
								+ "and 2147483647ms; leave it unset for the kernel's retransmission limit",
						"server.listeners[edge].socket.sendBuffer: must be between 1KB and 512MB; leave it unset for "
								+ "the kernel's default and auto-tuning (net.ipv4.tcp_wmem)",
						"server.listeners[edge].socket.keepAliveIdle: must be a whole number of seconds between 1s "
								+ "and 32767s (the kernel's limit); leave it unset for net.ipv4.tcp_keepalive_time");
				assertThat(new InvalidIoUringPropertiesFailureAnalyzer().analyze(context.getStartupFailure())
					.getDescription()).contains("Property: iouring.server.listeners.edge.socket.keep-alive-interval")
					.contains("Value: \"1500ms\"");
			});
	}

	@Test
	void theEngineRefusesTheSameValuesWithItsOwnMessage() {
		assertThat(catchThrowable(
				() -> SocketOptions.builder().keepAliveIdle(Duration.ofMillis(1500)).build()))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessage("keep-alive-idle must be zero (kernel default) or a whole number of seconds up to 32767s but "
					+ "was PT1.5S");
		assertThat(catchThrowable(
				() -> SocketOptions.builder().keepAliveCount(128).build()))
			.hasMessage("keep-alive-count must be between 0 (kernel default) and 127 but was 128");
		assertThat(catchThrowable(
				() -> SocketOptions.builder().receiveBuffer(-1).build()))
			.hasMessage("receive-buffer must be between 0 (kernel default) and 536870912 bytes but was -1");
	}

	private static ListenerSettings listener(ApplicationContext context, String name) {
		return context.getBean(ServerSettings.class)
			.listeners()
			.stream()
			.filter((listener) -> listener.name().equals(name))
			.findFirst()
			.orElseThrow();
	}

	private static List<String> rejected(Throwable failure) {
		Throwable cause = failure;
		while (cause != null && !(cause instanceof BindValidationException)) {
			cause = cause.getCause();
		}
		assertThat(cause).as("a BindValidationException in %s", failure).isNotNull();
		return ((BindValidationException) cause).getValidationErrors()
			.getAllErrors()
			.stream()
			.map((error) -> ((FieldError) error).getField() + ": " + error.getDefaultMessage())
			.toList();
	}

}
