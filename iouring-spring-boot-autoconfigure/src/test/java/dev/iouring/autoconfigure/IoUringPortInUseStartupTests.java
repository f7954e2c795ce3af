package dev.iouring.autoconfigure;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.core.annotation.AnnotationAwareOrderComparator;
import org.springframework.core.env.Environment;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.core.io.support.SpringFactoriesLoader.ArgumentResolver;
import org.springframework.mock.env.MockEnvironment;

import dev.iouring.ring.IoUringAssumptions;
import dev.iouring.server.OpenDescriptors;
import dev.iouring.server.TcpHandler;
import dev.iouring.server.TcpServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An application whose port another process already listens on, also through SO_REUSEPORT, fails to
 * start, and Boot explains it with {@link IoUringPortInUseFailureAnalyzer}; with reuse-port it starts
 * and shares the port. On each transport; the other process is a plain JDK channel that sets
 * SO_REUSEPORT.
 */
class IoUringPortInUseStartupTests {

	private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

	private static final TcpHandler ECHO = (connection, data) -> connection.write(data);

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(IoUringServerAutoConfiguration.class))
		.withBean("echo", TcpHandler.class, () -> ECHO)
		.withPropertyValues("iouring.server.address=" + LOOPBACK.getHostAddress(), "iouring.server.event-loops=2",
				"iouring.ring.entries=64", "iouring.ring.cq-entries=256", "iouring.buffers.count=64",
				"iouring.buffers.size=4KB");

	private ServerSocketChannel foreign;

	private int port;

	private long socketsBefore;

	@BeforeEach
	void anotherProcessListensWithReusePort() throws IOException {
		this.socketsBefore = OpenDescriptors.socketCount();
		this.foreign = ServerSocketChannel.open();
		this.foreign.setOption(StandardSocketOptions.SO_REUSEPORT, true);
		this.foreign.bind(new InetSocketAddress(LOOPBACK, 0));
		this.port = ((InetSocketAddress) this.foreign.getLocalAddress()).getPort();
	}

	@AfterEach
	void closeTheOtherProcessAndCheckNothingIsLeft() throws IOException {
		this.foreign.close();
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(OpenDescriptors.socketCount()).isLessThanOrEqualTo(this.socketsBefore));
	}

	@ParameterizedTest
	@ValueSource(strings = { "io-uring", "nio" })
	void startupFailsAndTheAnalyzerNamesThePortAndReusePort(String transport) {
		String[] properties = { "iouring.server.port=" + this.port };
		runner(transport).withPropertyValues(properties).run((context) -> {
			assertThat(context).hasFailed();
			Analysis analysis = analyze(context, properties);
			assertThat(analysis.analyzer()).isInstanceOf(IoUringPortInUseFailureAnalyzer.class);
			assertThat(analysis.result().getDescription()).contains("listener 'default'")
				.contains("port " + this.port + " is already in use")
				.contains("reuse-port");
			assertThat(analysis.result().getAction()).contains("iouring.server.port")
				.endsWith("set iouring.server.reuse-port to true.");
		});
		assertThat(OpenDescriptors.socketCount()).as("only the other process's socket is left")
			.isEqualTo(this.socketsBefore + 1);
	}

	@ParameterizedTest
	@ValueSource(strings = { "io-uring", "nio" })
	void withReusePortTheApplicationStartsAndSharesThePort(String transport) {
		runner(transport).withPropertyValues("iouring.server.port=" + this.port, "iouring.server.reuse-port=true")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(TcpServer.class).port()).isEqualTo(this.port);
			});
	}

	@ParameterizedTest
	@ValueSource(strings = { "io-uring", "nio" })
	void listenerReusePortOverridesTheServerDefault(String transport) {
		ApplicationContextRunner runner = runner(transport)
			.withPropertyValues("iouring.server.listeners.echo.port=" + this.port);
		String[] properties = { "iouring.server.listeners.echo.port=" + this.port, "iouring.server.reuse-port=true",
				"iouring.server.listeners.echo.reuse-port=false" };
		runner.withPropertyValues(properties)
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(analyze(context, properties).result().getAction())
					.endsWith("set iouring.server.listeners.echo.reuse-port to true.")
					.contains("by setting iouring.server.listeners.echo.port (0 lets");
			});
		runner.withPropertyValues("iouring.server.listeners.echo.reuse-port=true")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	private ApplicationContextRunner runner(String transport) {
		if (transport.equals("io-uring")) {
			IoUringAssumptions.assumeIoUring();
		}
		return this.contextRunner.withPropertyValues("iouring.server.transport=" + transport);
	}

	/**
	 * Analyzes the startup failure as Boot does: every registered analyzer in order, the first answer wins.
	 * A failed context no longer gives out its environment, so the analyzers get one with the same
	 * properties.
	 */
	private static Analysis analyze(AssertableApplicationContext context, String... properties) {
		Throwable failure = context.getStartupFailure();
		MockEnvironment environment = new MockEnvironment();
		TestPropertyValues.of(properties).applyTo(environment);
		ArgumentResolver arguments = ArgumentResolver.of(Environment.class, environment)
			.and(BeanFactory.class, new DefaultListableBeanFactory());
		List<FailureAnalyzer> analyzers = SpringFactoriesLoader
			.forDefaultResourceLocation(IoUringPortInUseStartupTests.class.getClassLoader())
			.load(FailureAnalyzer.class, arguments, (type, name, ex) -> {
				// Some of Boot's own analyzers need classes this module does not have.
			});
		AnnotationAwareOrderComparator.sort(analyzers);
		for (FailureAnalyzer analyzer : analyzers) {
			FailureAnalysis result = analyzer.analyze(failure);
			if (result != null) {
				return new Analysis(analyzer, result);
			}
		}
		throw new AssertionError("no failure analyzer explains " + failure);
	}

	private record Analysis(FailureAnalyzer analyzer, FailureAnalysis result) {
	}

}
