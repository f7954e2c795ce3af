package dev.iouring.autoconfigure;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

import org.springframework.beans.BeanUtils;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.test.context.ConfigDataApplicationContextInitializer;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.core.annotation.Order;

import dev.iouring.autoconfigure.IoUringProperties.Shutdown;
import dev.iouring.ring.RingOptions;
import dev.iouring.server.Bytes;
import dev.iouring.server.Connection;
import dev.iouring.server.IoUringServer;
import dev.iouring.server.HandlerExecution;
import dev.iouring.server.ListenerSettings;
import dev.iouring.server.ProxyProtocolMode;
import dev.iouring.server.ServerSettings;
import dev.iouring.server.TcpHandler;
import dev.iouring.server.TcpServer;
import dev.iouring.server.codec.FrameDecoderFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * Conditions, back-off, property mapping and handler resolution of {@link IoUringServerAutoConfiguration}.
 * The lifecycle beans are replaced (they back off by name), so no test here opens a socket or a ring.
 */
class IoUringServerAutoConfigurationTests {

	private static final TcpHandler ECHO = Connection::write;

	private static final TcpHandler DISCARD = (connection, data) -> {
	};

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(IoUringServerAutoConfiguration.class))
		.withBean(IoUringServerAutoConfiguration.START_STOP_LIFECYCLE_BEAN, Object.class, Object::new)
		.withBean(IoUringServerAutoConfiguration.GRACEFUL_SHUTDOWN_LIFECYCLE_BEAN, Object.class, Object::new);

	private final ApplicationContextRunner withEchoHandler = this.contextRunner.withBean("echo", TcpHandler.class,
			() -> ECHO);

	@Test
	void defaultsGiveOneListenerOnPort7000WithTheOnlyHandlerBean() {
		this.withEchoHandler.run((context) -> {
			ServerSettings settings = context.getBean(ServerSettings.class);
			assertThat(settings.ring()).isEqualTo(new RingOptions(4096, 16384, false, Duration.ofSeconds(1), -1));
			assertThat(settings.bufferCount()).isEqualTo(1024);
			assertThat(settings.bufferSize()).isEqualTo(16 * 1024);
			assertThat(settings.eventLoops()).isEqualTo(Runtime.getRuntime().availableProcessors());
			assertThat(settings.writeHighWaterMark()).isEqualTo(64 * 1024);
			assertThat(settings.writeLowWaterMark()).isEqualTo(32 * 1024);
			assertThat(settings.listeners()).containsExactly(
					new ListenerSettings("default", null, 7000, 1024, ECHO, null, 10_000, Duration.ZERO, HandlerExecution.EVENT_LOOP));
			assertThat(context.getBean(IoUringProperties.class).getServer().getShutdown())
				.isEqualTo(Shutdown.GRACEFUL);
		});
	}

	@Test
	void defaultsMatchTheEngineDefaults() {
		this.withEchoHandler.run((context) -> {
			ServerSettings settings = context.getBean(ServerSettings.class);
			ListenerSettings listener = settings.listeners().getFirst();
			assertThat(settings.bufferCount()).isEqualTo(ServerSettings.DEFAULT_BUFFER_COUNT);
			assertThat(settings.bufferSize()).isEqualTo(ServerSettings.DEFAULT_BUFFER_SIZE);
			assertThat(settings.writeHighWaterMark()).isEqualTo(ServerSettings.DEFAULT_HIGH_WATER_MARK);
			assertThat(settings.writeLowWaterMark()).isEqualTo(ServerSettings.DEFAULT_LOW_WATER_MARK);
			assertThat(listener.backlog()).isEqualTo(ListenerSettings.DEFAULT_BACKLOG);
			assertThat(listener.maxConnections()).isEqualTo(ListenerSettings.DEFAULT_MAX_CONNECTIONS);
		});
	}

	@Test
	void serverIsCreatedFromTheSettingsBean() {
		this.withEchoHandler.run((context) -> assertThat(context.getBean(TcpServer.class).settings())
			.isSameAs(context.getBean(ServerSettings.class)));
	}

	@Test
	void ringAndBufferPropertiesAreApplied() {
		this.withEchoHandler
			.withPropertyValues("iouring.ring.entries=256", "iouring.ring.cq-entries=1024", "iouring.ring.sqpoll=true",
					"iouring.ring.sqpoll-idle=250ms", "iouring.ring.sqpoll-cpu=1", "iouring.buffers.count=512",
					"iouring.buffers.size=4KB")
			.run((context) -> {
				ServerSettings settings = context.getBean(ServerSettings.class);
				assertThat(settings.ring()).isEqualTo(new RingOptions(256, 1024, true, Duration.ofMillis(250), 1));
				assertThat(settings.bufferCount()).isEqualTo(512);
				assertThat(settings.bufferSize()).isEqualTo(4096);
			});
	}

	@Test
	void serverPropertiesAreApplied() {
		this.contextRunner.withBean("echo", TcpHandler.class, () -> ECHO)
			.withBean("discard", TcpHandler.class, () -> DISCARD)
			.withPropertyValues("iouring.server.port=7100", "iouring.server.address=127.0.0.1",
					"iouring.server.backlog=64", "iouring.server.event-loops=3", "iouring.server.handler=discard",
					"iouring.server.max-connections=50", "iouring.server.idle-timeout=30s",
					"iouring.server.write-buffer.high-water-mark=1MB",
					"iouring.server.write-buffer.low-water-mark=256KB", "iouring.server.shutdown=immediate")
			.run((context) -> {
				ServerSettings settings = context.getBean(ServerSettings.class);
				assertThat(settings.eventLoops()).isEqualTo(3);
				assertThat(settings.writeHighWaterMark()).isEqualTo(1024 * 1024);
				assertThat(settings.writeLowWaterMark()).isEqualTo(256 * 1024);
				assertThat(settings.listeners()).containsExactly(new ListenerSettings("default",
						InetAddress.getByName("127.0.0.1"), 7100, 64, DISCARD, null, 50, Duration.ofSeconds(30), HandlerExecution.EVENT_LOOP));
				assertThat(context.getBean(IoUringProperties.class).getServer().getShutdown())
					.isEqualTo(Shutdown.IMMEDIATE);
			});
	}

	@Test
	void namedListenersTakeUnsetValuesFromTheServerLevel() {
		this.contextRunner.withBean("echo", TcpHandler.class, () -> ECHO)
			.withBean("discard", TcpHandler.class, () -> DISCARD)
			.withPropertyValues("iouring.server.port=7200", "iouring.server.handler=echo",
					"iouring.server.backlog=128", "iouring.server.max-connections=99",
					"iouring.server.idle-timeout=5s", "iouring.server.listeners.echo.backlog=16",
					"iouring.server.listeners.sink.port=7201", "iouring.server.listeners.sink.address=127.0.0.1",
					"iouring.server.listeners.sink.handler=discard", "iouring.server.listeners.sink.max-connections=7",
					"iouring.server.listeners.sink.idle-timeout=0")
			.run((context) -> assertThat(context.getBean(ServerSettings.class).listeners()).containsExactly(
					new ListenerSettings("echo", null, 7200, 16, ECHO, null, 99, Duration.ofSeconds(5), HandlerExecution.EVENT_LOOP),
					new ListenerSettings("sink", InetAddress.getByName("127.0.0.1"), 7201, 128, DISCARD, null, 7,
							Duration.ZERO, HandlerExecution.EVENT_LOOP)));
	}

	@Test
	void virtualThreadsEnabledForTheApplicationMakeThemTheDefaultHandlerExecution() {
		this.withEchoHandler
			.withPropertyValues("spring.threads.virtual.enabled=true", "iouring.server.listeners.a.port=7401",
					"iouring.server.listeners.b.port=7402", "iouring.server.listeners.b.handler-execution=event-loop")
			.run((context) -> assertThat(context.getBean(ServerSettings.class).listeners())
				.extracting(ListenerSettings::name, ListenerSettings::handlerExecution)
				.containsExactly(tuple("a", HandlerExecution.VIRTUAL_THREADS), tuple("b", HandlerExecution.EVENT_LOOP)));
	}

	@Test
	void anExplicitServerHandlerExecutionWinsOverVirtualThreadsEnabled() {
		this.withEchoHandler
			.withPropertyValues("spring.threads.virtual.enabled=true", "iouring.server.handler-execution=event-loop")
			.run((context) -> assertThat(context.getBean(ServerSettings.class).listeners())
				.extracting(ListenerSettings::handlerExecution)
				.containsExactly(HandlerExecution.EVENT_LOOP));
	}

	@Test
	void virtualThreadsDisabledLeaveTheEventLoopTheDefault() {
		this.withEchoHandler.withPropertyValues("spring.threads.virtual.enabled=false")
			.run((context) -> assertThat(context.getBean(ServerSettings.class).listeners())
				.extracting(ListenerSettings::handlerExecution)
				.containsExactly(HandlerExecution.EVENT_LOOP));
	}

	@Test
	void customizersRunInOrderAfterTheProperties() {
		this.withEchoHandler.withPropertyValues("iouring.server.event-loops=2")
			.withUserConfiguration(CustomizerConfiguration.class)
			.run((context) -> assertThat(context.getBean(ServerSettings.class).eventLoops()).isEqualTo(2 * 10 + 1));
	}

	@Test
	void framingCustomizerSetsTheFramingOfOneListener() {
		FrameDecoderFactory framing = () -> {
			throw new UnsupportedOperationException("never called in this test");
		};
		this.contextRunner.withBean("echo", TcpHandler.class, () -> ECHO)
			.withPropertyValues("iouring.server.listeners.plain.port=7301", "iouring.server.listeners.framed.port=7302")
			.withBean(IoUringServerCustomizer.class, () -> IoUringServerCustomizer.framing("framed", framing))
			.run((context) -> {
				ServerSettings settings = context.getBean(ServerSettings.class);
				assertThat(settings.listener("framed").framing()).isSameAs(framing);
				assertThat(settings.listener("plain").framing()).isNull();
			});
	}

	@Test
	void serverSettingsBackOffWhenTheUserDefinesThem() {
		ServerSettings own = ServerSettings.builder().eventLoops(1).listener(ListenerSettings.of("own", 0, ECHO)).build();
		this.contextRunner.withBean(ServerSettings.class, () -> own)
			.run((context) -> assertThat(context.getBean(TcpServer.class).settings()).isSameAs(own));
	}

	@Test
	void theTlsWarmUpIsReleasedAlsoWhenTheUserDefinesTheSettings() {
		ServerSettings own = ServerSettings.builder().eventLoops(1).listener(ListenerSettings.of("own", 0, ECHO)).build();
		TlsWarmUp.run();
		assertThat(TlsWarmUp.holding()).isTrue();
		this.contextRunner.withBean(ServerSettings.class, () -> own).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(TlsWarmUp.holding()).as("the warmed CA certificates are let go").isFalse();
		});
	}

	@Test
	void serverBacksOffWhenTheUserDefinesOne() {
		IoUringServer own = new IoUringServer(
				ServerSettings.builder().eventLoops(1).listener(ListenerSettings.of("own", 0, ECHO)).build());
		this.contextRunner.withBean(IoUringServer.class, () -> own).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).getBean(IoUringServer.class).isSameAs(own);
			assertThat(context).doesNotHaveBean("ioUringServerSettings");
		});
	}

	@Test
	void disablingTheServerCreatesNoBeans() {
		this.withEchoHandler.withPropertyValues("iouring.server.enabled=false").run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(IoUringServer.class);
			assertThat(context).doesNotHaveBean(ServerSettings.class);
			assertThat(context).doesNotHaveBean(IoUringProperties.class);
			assertThat(context).doesNotHaveBean(IoUringServerPortInfoListener.class);
		});
	}

	@Test
	void ringEntriesThatAreNotAPowerOfTwoFailNamingTheProperty() {
		assertFailsWith("iouring.ring.entries", "1000", "must be a power of two between 1 and 32768",
				"iouring.ring.entries=1000");
	}

	@Test
	void completionQueueSmallerThanTheSubmissionQueueFailsNamingTheProperty() {
		assertFailsWith("iouring.ring.cq-entries", "2048",
				"must be a power of two between iouring.ring.entries (4096) and 65536", "iouring.ring.cq-entries=2048");
	}

	@Test
	void negativePortFailsNamingTheProperty() {
		assertFailsWith("iouring.server.port", "-1", "must be between 0 and 65535 (0 for a port chosen by the system)",
				"iouring.server.port=-1");
	}

	@Test
	void negativeListenerPortFailsNamingTheListenerProperty() {
		assertFailsWith("iouring.server.listeners.echo.port", "70000",
				"must be between 0 and 65535 (0 for a port chosen by the system)",
				"iouring.server.listeners.echo.port=70000");
	}

	@Test
	void lowWaterMarkAboveTheHighOneFailsNamingBothProperties() {
		assertFailsWith("iouring.server.write-buffer.low-water-mark", "32KB\" (not set: the default)",
				"must be between 0B and iouring.server.write-buffer.high-water-mark (16KB)",
				"iouring.server.write-buffer.high-water-mark=16KB");
	}

	@Test
	void otherOutOfRangeValuesFailNamingTheirProperties() {
		assertFailsWith("iouring.buffers.count", "1000", "must be a power of two between 1 and 32768",
				"iouring.buffers.count=1000");
		assertFailsWith("iouring.buffers.size", "16B", "must be between 64B and 16MB", "iouring.buffers.size=16B");
		assertFailsWith("iouring.ring.sqpoll-cpu", "-1", "must be a CPU number", "iouring.ring.sqpoll-cpu=-1");
		assertFailsWith("iouring.ring.sqpoll-idle", "-1s", "must be between 0", "iouring.ring.sqpoll-idle=-1s");
		assertFailsWith("iouring.server.event-loops", "0", "must be between 1 and 1024", "iouring.server.event-loops=0");
		assertFailsWith("iouring.server.backlog", "0", "must be positive", "iouring.server.backlog=0");
		assertFailsWith("iouring.server.max-connections", "0", "must be positive", "iouring.server.max-connections=0");
		assertFailsWith("iouring.server.idle-timeout", "-5s", "must be zero (never) or positive",
				"iouring.server.idle-timeout=-5s");
		assertFailsWith("iouring.server.listeners.a.backlog", "-3", "must be positive",
				"iouring.server.listeners.a.backlog=-3");
	}

	@Test
	void listenersReadNoProxyHeaderByDefault() {
		this.withEchoHandler.run((context) -> {
			ListenerSettings listener = context.getBean(ServerSettings.class).listeners().getFirst();
			assertThat(listener.proxyProtocol()).isEqualTo(ProxyProtocolMode.OFF);
			assertThat(listener.proxyProtocolTimeout()).isEqualTo(ListenerSettings.DEFAULT_PROXY_PROTOCOL_TIMEOUT)
				.isEqualTo(Duration.ofSeconds(5));
		});
	}

	@Test
	void proxyProtocolIsSetForTheServerAndOverriddenPerListener() {
		this.withEchoHandler
			.withPropertyValues("iouring.server.port=0", "iouring.server.proxy-protocol=on",
					"iouring.server.proxy-protocol-timeout=3s", "iouring.server.listeners.edge.backlog=8",
					"iouring.server.listeners.direct.proxy-protocol=off",
					"iouring.server.listeners.migrating.proxy-protocol=OPTIONAL",
					"iouring.server.listeners.migrating.proxy-protocol-timeout=500ms")
			.run((context) -> assertThat(proxyProtocolByListener(context)).containsExactly(
						tuple("edge", ProxyProtocolMode.ON, Duration.ofSeconds(3)),
						tuple("direct", ProxyProtocolMode.OFF, Duration.ofSeconds(3)),
						tuple("migrating", ProxyProtocolMode.OPTIONAL, Duration.ofMillis(500))));
	}

	@Test
	void proxyProtocolOnAndOffUnquotedInYamlAreModesNotBooleans() {
		this.withEchoHandler.withInitializer(new ConfigDataApplicationContextInitializer())
			.withPropertyValues("spring.config.name=iouring-proxy-protocol")
			.run((context) -> assertThat(proxyProtocolByListener(context)).containsExactly(
						tuple("edge", ProxyProtocolMode.ON, Duration.ofSeconds(5)),
						tuple("direct", ProxyProtocolMode.OFF, Duration.ofSeconds(5)),
						tuple("migrating", ProxyProtocolMode.OPTIONAL, Duration.ofSeconds(2))));
	}

	@Test
	void anUnknownProxyProtocolModeFailsNamingThePropertyAndTheModes() {
		this.withEchoHandler.withPropertyValues("iouring.server.listeners.edge.proxy-protocol=sometimes")
			.run((context) -> {
				assertThat(context).hasFailed();
				FailureAnalyzer boots = (FailureAnalyzer) BeanUtils.instantiateClass(
						Class.forName("org.springframework.boot.diagnostics.analyzer.BindFailureAnalyzer"));
				FailureAnalysis analysis = boots.analyze(context.getStartupFailure());
				assertThat(analysis).isNotNull();
				assertThat(analysis.getDescription())
					.contains("Property: iouring.server.listeners.edge.proxy-protocol")
					.contains("Value: \"sometimes\"")
					.contains(ProxyProtocolMode.class.getName());
				assertThat(analysis.getAction()).contains("OFF").contains("ON").contains("OPTIONAL");
			});
	}

	@Test
	void aProxyProtocolTimeoutThatIsNotPositiveFailsNamingTheProperty() {
		String reason = "must be positive (a few seconds: the load balancer sends the header as soon as it connects)";
		assertFailsWith("iouring.server.proxy-protocol-timeout", "0s", reason,
				"iouring.server.proxy-protocol-timeout=0s");
		assertFailsWith("iouring.server.listeners.edge.proxy-protocol-timeout", "-1s", reason,
				"iouring.server.listeners.edge.proxy-protocol-timeout=-1s");
	}

	@Test
	void framingOptionsTheCodecRefusesFailOnTheirOwnProperty() {
		assertFailsWith("iouring.server.listeners.a.framing.length-field-length", "3",
				"length-field-length must be 1, 2, 4 or 8 but was 3", "iouring.server.listeners.a.framing.kind=length-field",
				"iouring.server.listeners.a.framing.length-field-length=3");
		assertFailsWith("iouring.server.framing.frame-length", "16",
				"frame-length does not apply to the line codec", "iouring.server.framing.kind=line",
				"iouring.server.framing.frame-length=16");
		assertFailsWith("iouring.server.framing.delimiter", null, "delimiter is required by the delimiter codec",
				"iouring.server.framing.kind=delimiter");
	}

	@Test
	void twoListenersOnTheSamePortFail() {
		assertFailsWith("iouring.server.listeners[b].port", null,
				"resolves to *:7000, which listener 'a' already uses", "iouring.server.listeners.a.backlog=8",
				"iouring.server.listeners.b.backlog=8");
	}

	@Test
	void severalListenersMayAskForPortZero() {
		this.withEchoHandler.withPropertyValues("iouring.server.port=0", "iouring.server.listeners.a.backlog=8",
				"iouring.server.listeners.b.backlog=8")
			.run((context) -> assertThat(context.getBean(ServerSettings.class).listeners())
				.extracting(ListenerSettings::port)
				.containsExactly(0, 0));
	}

	@Test
	void noHandlerBeanFailsSayingWhatToDefine() {
		this.contextRunner.run((context) -> {
			TcpHandlerResolutionException failure = handlerFailure(context);
			assertThat(failure.getCandidates()).isEmpty();
			assertThat(failure.getListenerName()).isEqualTo("default");
			assertThat(failure).hasMessageContaining("Listener 'default' has no handler")
				.hasMessageContaining("dev.iouring.server.TcpHandler")
				.hasMessageContaining("iouring.server.enabled=false");
		});
	}

	@Test
	void severalHandlerBeansWithoutANameFailListingTheCandidates() {
		this.contextRunner.withBean("echo", TcpHandler.class, () -> ECHO)
			.withBean("discard", TcpHandler.class, () -> DISCARD)
			.run((context) -> {
				TcpHandlerResolutionException failure = handlerFailure(context);
				assertThat(failure.getCandidates()).containsExactlyInAnyOrder("echo", "discard");
				assertThat(failure.getProperty()).isEqualTo("iouring.server.handler");
				assertThat(failure).hasMessageContaining("2 TcpHandler beans: [")
					.hasMessageContaining("Set iouring.server.handler to the name of one of them, or mark one of them "
							+ "@Primary.");
			});
	}

	@Test
	void aPrimaryHandlerAmongSeveralServesTheListenersThatNameNone() {
		this.contextRunner.withUserConfiguration(PrimaryHandlerConfiguration.class)
			.withPropertyValues("iouring.server.listeners.a.port=7301", "iouring.server.listeners.b.port=7302",
					"iouring.server.listeners.b.handler=echo")
			.run((context) -> assertThat(context.getBean(ServerSettings.class).listeners())
				.extracting(ListenerSettings::name, ListenerSettings::handler)
				.containsExactly(tuple("a", PrimaryHandlerConfiguration.PRIMARY), tuple("b", ECHO)));
	}

	@Test
	void aPrimaryHandlerServesTheDefaultListener() {
		this.contextRunner.withBean("echo", TcpHandler.class, () -> ECHO)
			.withBean("discard", TcpHandler.class, () -> DISCARD, (definition) -> definition.setPrimary(true))
			.run((context) -> assertThat(context.getBean(ServerSettings.class).listeners())
				.singleElement()
				.extracting(ListenerSettings::handler)
				.isSameAs(DISCARD));
	}

	@Test
	void listenerNamingAMissingHandlerFailsListingTheCandidates() {
		this.withEchoHandler.withPropertyValues("iouring.server.listeners.redis.handler=resp").run((context) -> {
			TcpHandlerResolutionException failure = handlerFailure(context);
			assertThat(failure.getProperty()).isEqualTo("iouring.server.listeners.redis.handler");
			assertThat(failure).hasMessageContaining(
					"Listener 'redis' is served by TcpHandler bean 'resp' (iouring.server.listeners.redis.handler), "
							+ "but the context has no TcpHandler bean of that name.")
				.hasMessageContaining("Set iouring.server.listeners.redis.handler to one of the TcpHandler beans [echo]");
		});
	}

	@Test
	void serverLevelHandlerNamingAMissingBeanFailsNamingTheServerProperty() {
		this.withEchoHandler.withPropertyValues("iouring.server.handler=nope")
			.run((context) -> assertThat(handlerFailure(context).getProperty()).isEqualTo("iouring.server.handler"));
	}

	/**
	 * Asserts that startup fails and that the failure report shows the property, the value as written
	 * ({@code null}: none shown), and a reason that starts as given.
	 */
	private void assertFailsWith(String property, String value, String reason, String... properties) {
		this.withEchoHandler.withPropertyValues(properties).run((context) -> {
			assertThat(context).hasFailed();
			FailureAnalysis analysis = new InvalidIoUringPropertiesFailureAnalyzer()
				.analyze(context.getStartupFailure());
			assertThat(analysis).as("failure analysis of %s", context.getStartupFailure()).isNotNull();
			String description = analysis.getDescription();
			String heading = String.format("%n    Property: %s%n", property);
			assertThat(description).contains(heading);
			String block = description.substring(description.indexOf(heading) + heading.length());
			block = block.substring(0, block.indexOf("Reason: ") + "Reason: ".length() + reason.length());
			if (value != null) {
				assertThat(block).startsWith("    Value: \"" + value);
			}
			else {
				assertThat(block).doesNotContain("Value:");
			}
			assertThat(block).endsWith("Reason: " + reason);
		});
	}

	private static List<Tuple> proxyProtocolByListener(AssertableApplicationContext context) {
		return context.getBean(ServerSettings.class)
			.listeners()
			.stream()
			.map((listener) -> tuple(listener.name(), listener.proxyProtocol(), listener.proxyProtocolTimeout()))
			.toList();
	}

	private static TcpHandlerResolutionException handlerFailure(AssertableApplicationContext context) {
		assertThat(context).hasFailed();
		assertThat(context.getStartupFailure()).rootCause().isInstanceOf(TcpHandlerResolutionException.class);
		Throwable failure = context.getStartupFailure();
		while (!(failure instanceof TcpHandlerResolutionException)) {
			failure = failure.getCause();
		}
		return (TcpHandlerResolutionException) failure;
	}

	@Configuration(proxyBeanMethods = false)
	static class PrimaryHandlerConfiguration {

		static final TcpHandler PRIMARY = (connection, data) -> connection.write(data);

		@Bean
		TcpHandler echo() {
			return ECHO;
		}

		@Bean
		@Primary
		TcpHandler primary() {
			return PRIMARY;
		}

		@Bean
		TcpHandler discard() {
			return DISCARD;
		}

	}

	static class CustomizerConfiguration {

		@Bean
		@Order(2)
		IoUringServerCustomizer plusOne() {
			return (settings) -> rebuild(settings, settings.eventLoops() + 1);
		}

		@Bean
		@Order(1)
		IoUringServerCustomizer timesTen() {
			return (settings) -> rebuild(settings, settings.eventLoops() * 10);
		}

		private static ServerSettings rebuild(ServerSettings settings, int eventLoops) {
			return settings.toBuilder().eventLoops(eventLoops).build();
		}

	}

}
