package dev.iouring.autoconfigure;

import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.context.ApplicationListener;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.support.SpringFactoriesLoader;

import static org.assertj.core.api.Assertions.assertThat;

class IoUringBackgroundPreinitializerTests {

	@Test
	void isRegisteredAsAnApplicationListener() {
		assertThat(SpringFactoriesLoader.loadFactories(ApplicationListener.class, getClass().getClassLoader()))
			.anyMatch(IoUringBackgroundPreinitializer.class::isInstance);
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

	private static StandardEnvironment environment(Map<String, Object> properties) {
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources().addFirst(new MapPropertySource("test", properties));
		return environment;
	}

}
