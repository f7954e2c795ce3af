package dev.iouring.autoconfigure;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.ConfigDataApplicationContextInitializer;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.iouring.autoconfigure.UnknownIoUringPropertiesException.UnknownProperty;
import dev.iouring.server.ServerSettings;
import dev.iouring.server.TcpHandler;
import dev.iouring.server.codec.FramingKind;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keys under a listener, its framing and the server's framing that no setting has stop startup, naming
 * the key, where it was written and the keys valid in its place, instead of being ignored.
 */
class UnknownIoUringPropertiesTests {

	private static final String LISTENER_KEYS = "a listener takes address, backlog, frame-timeout, framing, "
			+ "handler, handler-execution, idle-timeout, max-connections, port, proxy-protocol, proxy-protocol-timeout, "
			+ "reuse-port, socket, ssl, unix-socket-permissions";

	private static final String SOCKET_KEYS = "socket takes keep-alive, keep-alive-count, keep-alive-idle, "
			+ "keep-alive-interval, receive-buffer, send-buffer, tcp-no-delay, user-timeout";

	private static final String FRAMING_KEYS = "framing takes byte-order, delimiter, frame-length, kind, "
			+ "length-adjustment, length-field-length, length-field-offset, max-frame-size, strip-delimiter, "
			+ "strip-header";

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(IoUringServerAutoConfiguration.class))
		.withBean(IoUringServerAutoConfiguration.START_STOP_LIFECYCLE_BEAN, Object.class, Object::new)
		.withBean(IoUringServerAutoConfiguration.GRACEFUL_SHUTDOWN_LIFECYCLE_BEAN, Object.class, Object::new)
		.withBean("echo", TcpHandler.class, () -> (connection, data) -> connection.write(data));

	@Test
	void misspelledListenerKeysFailListingEveryOneAndTheListenerKeys() {
		this.contextRunner
			.withPropertyValues("iouring.server.listeners.echo.prot=7000", "iouring.server.listeners.echo.framming.kind=line",
					"iouring.server.listeners.chat.max-conections=5", "iouring.server.listeners.chat.port=7001")
			.run((context) -> assertThat(unknown(context).getProperties()).extracting(this::describe)
				.containsExactlyInAnyOrder(
						"iouring.server.listeners.echo.prot=7000: 'prot' is not a listener setting; " + LISTENER_KEYS,
						"iouring.server.listeners.echo.framming.kind=line: 'framming' is not a listener setting; "
								+ LISTENER_KEYS,
						"iouring.server.listeners.chat.max-conections=5: 'max-conections' is not a listener setting; "
								+ LISTENER_KEYS));
	}

	@Test
	void misspelledFramingOptionsOfAListenerFailListingTheFramingOptions() {
		this.contextRunner
			.withPropertyValues("iouring.server.listeners.echo.framing.kind=length-field",
					"iouring.server.listeners.echo.framing.length-feild-length=2")
			.run((context) -> assertThat(unknown(context).getProperties()).extracting(this::describe)
				.containsExactly("iouring.server.listeners.echo.framing.length-feild-length=2: 'length-feild-length' "
						+ "is not a framing option; " + FRAMING_KEYS));
	}

	@Test
	void misspelledServerFramingOptionsFailListingTheFramingOptions() {
		this.contextRunner.withPropertyValues("iouring.server.framing.kind=line", "iouring.server.framing.max-frame=1KB")
			.run((context) -> assertThat(unknown(context).getProperties()).extracting(this::describe)
				.containsExactly("iouring.server.framing.max-frame=1KB: 'max-frame' is not a framing option; "
						+ FRAMING_KEYS));
	}

	@Test
	void misspelledSocketOptionsOfAListenerAndOfTheServerFailListingTheSocketOptions() {
		this.contextRunner
			.withPropertyValues("iouring.server.listeners.echo.socket.keep-alive=true",
					"iouring.server.listeners.echo.socket.keepalive-idel=60s", "iouring.server.socket.nodelay=false")
			.run((context) -> assertThat(unknown(context).getProperties()).extracting(this::describe)
				.containsExactlyInAnyOrder("iouring.server.listeners.echo.socket.keepalive-idel=60s: 'keepalive-idel' "
						+ "is not a socket option; " + SOCKET_KEYS,
						"iouring.server.socket.nodelay=false: 'nodelay' is not a socket option; " + SOCKET_KEYS));
	}

	@Test
	void aValueWhereSettingsBelongFailsSayingSo() {
		this.contextRunner.withPropertyValues("iouring.server.listeners.echo.port.number=7000")
			.run((context) -> assertThat(unknown(context).getProperties()).extracting(UnknownProperty::reason)
				.containsExactly("'port' takes a value, not settings beneath it"));
	}

	@Test
	void everyRelaxedSpellingOfAKnownKeyIsAccepted() {
		this.contextRunner
			.withPropertyValues("iouring.server.listeners.echo.maxConnections=5",
					"iouring.server.listeners.echo.handler_execution=virtual-threads",
					"iouring.server.listeners[chat.v2].port=7001", "iouring.server.listeners[chat.v2].framing.kind=line",
					"iouring.server.listeners[chat.v2].framing.stripDelimiter=false", "iouring.server.framing.kind=line",
					"iouring.server.framing.max-frame-size=1KB")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(ServerSettings.class).listeners()).hasSize(2);
				assertThat(context.getBean(IoUringProperties.class).getServer().getListeners().get("chat.v2")
					.getFraming()
					.getKind()).isEqualTo(FramingKind.LINE);
			});
	}

	@Test
	void theFailureReportShowsTheKeyItsValueAndWhereItWasWritten() {
		this.contextRunner.withInitializer(new ConfigDataApplicationContextInitializer())
			.withPropertyValues("spring.config.name=iouring-unknown-keys")
			.run((context) -> {
				FailureAnalysis analysis = new UnknownIoUringPropertiesFailureAnalyzer()
					.analyze(context.getStartupFailure());
				assertThat(analysis.getDescription())
					.contains("The io_uring server has no setting for these keys, so they would be ignored:")
					.contains(String.format("%n    Property: iouring.server.listeners.echo.framming.kind"
							+ "%n    Value: \"line\""
							+ "%n    Origin: class path resource [iouring-unknown-keys.yml] - 8:17"
							+ "%n    Reason: 'framming' is not a listener setting; " + LISTENER_KEYS + "%n"));
				assertThat(analysis.getAction())
					.isEqualTo("Correct or remove these keys in your application's configuration.");
				assertThat(unknown(context)).hasMessageContaining(
						"iouring.server.listeners.echo.framming.kind (class path resource [iouring-unknown-keys.yml]");
			});
	}

	private String describe(UnknownProperty unknown) {
		return unknown.property().getName() + "=" + unknown.property().getValue() + ": " + unknown.reason();
	}

	private static UnknownIoUringPropertiesException unknown(AssertableApplicationContext context) {
		assertThat(context).hasFailed();
		assertThat(context.getStartupFailure()).rootCause().isInstanceOf(UnknownIoUringPropertiesException.class);
		Throwable failure = context.getStartupFailure();
		while (!(failure instanceof UnknownIoUringPropertiesException)) {
			failure = failure.getCause();
		}
		return (UnknownIoUringPropertiesException) failure;
	}

}
