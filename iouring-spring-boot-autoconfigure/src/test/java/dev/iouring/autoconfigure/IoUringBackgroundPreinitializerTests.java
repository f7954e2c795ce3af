package dev.iouring.autoconfigure;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.iouring.autoconfigure.baseline.JavaVersionCheck;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.io.support.SpringFactoriesLoader;

import static org.assertj.core.api.Assertions.assertThat;

@SuppressWarnings("deprecation")
class IoUringBackgroundPreinitializerTests {

	@Test
	void isStartedByTheJavaVersionCheckOnceTheEnvironmentIsReady() {
		ClassLoader classLoader = getClass().getClassLoader();
		assertThat(SpringFactoriesLoader.loadFactoryNames(EnvironmentPostProcessor.class, classLoader))
			.contains(JavaVersionCheck.class.getName());
		assertThat(SpringFactoriesLoader.loadFactoryNames(ApplicationListener.class, classLoader))
			.as("no listener of the starter, which would be built for Java 25")
			.noneMatch((name) -> name.startsWith("dev.iouring"));
		new JavaVersionCheck().postProcessEnvironment(environment(Map.of()), new SpringApplication());
		assertThat(IoUringBackgroundPreinitializer.wasStarted()).isTrue();
	}

	@Test
	void probesByDefaultAndForEitherIoUringTransport() {
		assertThat(IoUringBackgroundPreinitializer.wanted(environment(Map.of()))).isTrue();
		assertThat(IoUringBackgroundPreinitializer.wanted(environment(Map.of("iouring.server.transport", "io-uring"))))
			.isTrue();
		assertThat(IoUringBackgroundPreinitializer.wanted(environment(Map.of("iouring.server.transport", "AUTO"))))
			.isTrue();
	}

	@Test
	void leavesIoUringAloneWhenTheServerIsOffOrUsesNio() {
		assertThat(IoUringBackgroundPreinitializer.wanted(environment(Map.of("iouring.server.enabled", "false"))))
			.isFalse();
		assertThat(IoUringBackgroundPreinitializer.wanted(environment(Map.of("iouring.server.enabled", " FALSE "))))
			.isFalse();
		assertThat(IoUringBackgroundPreinitializer.wanted(environment(Map.of("iouring.server.transport", "NIO"))))
			.isFalse();
	}

	@Test
	void warmsUpTlsOnlyWhenSomeServerOrListenerSslPropertyIsSet() {
		assertThat(TlsWarmUp.wanted(environment(Map.of()))).isFalse();
		assertThat(TlsWarmUp.wanted(environment(Map.of("spring.ssl.bundle.pem.web.keystore.certificate", "x",
				"iouring.server.listeners.echo.port", "7000"))))
			.isFalse();
		assertThat(TlsWarmUp.wanted(environment(Map.of("iouring.server.listeners.echo.ssl.bundle", "web")))).isTrue();
		assertThat(TlsWarmUp.wanted(environment(Map.of("iouring.server.ssl.bundle", "web")))).isTrue();
		StandardEnvironment fromVariables = new StandardEnvironment();
		fromVariables.getPropertySources()
			.addFirst(new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
					Map.of("IOURING_SERVER_LISTENERS_EDGE_SSL_BUNDLE", "web")));
		assertThat(TlsWarmUp.wanted(fromVariables)).isTrue();
	}

	@Test
	void theTlsWarmUpHoldsTheCaCertificatesUntilReleased() {
		TlsWarmUp.run();
		try {
			assertThat(TlsWarmUp.holding()).isTrue();
		}
		finally {
			TlsWarmUp.release();
		}
		assertThat(TlsWarmUp.holding()).isFalse();
	}

	private static StandardEnvironment environment(Map<String, Object> properties) {
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources().addFirst(new MapPropertySource("test", properties));
		return environment;
	}

}
