package dev.iouring.autoconfigure;

import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import org.springframework.context.SmartLifecycle;
import org.springframework.context.support.StaticApplicationContext;

import dev.iouring.autoconfigure.IoUringProperties.Shutdown;
import dev.iouring.server.Connection;
import dev.iouring.server.IoUringServer;
import dev.iouring.server.ListenerSettings;
import dev.iouring.server.ServerSettings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The lifecycle contract of {@link IoUringServerGracefulShutdownLifecycle} and
 * {@link IoUringServerStartStopLifecycle}, without starting a server.
 */
class IoUringServerGracefulShutdownLifecycleTests {

	private final IoUringServer server = new IoUringServer(
			ServerSettings.builder().eventLoops(1).listener(ListenerSettings.of("default", 0, Connection::write)).build());

	@Test
	void drainRunsBeforeTheHardStopAndBothBeforeOrdinaryBeans() {
		assertThat(IoUringServerGracefulShutdownLifecycle.PHASE).isEqualTo(SmartLifecycle.DEFAULT_PHASE - 1024);
		assertThat(IoUringServerStartStopLifecycle.PHASE).isEqualTo(SmartLifecycle.DEFAULT_PHASE - 2048);
	}

	@Test
	void immediateShutdownCallsBackAtOnceWithoutDraining() {
		IoUringServerGracefulShutdownLifecycle lifecycle = new IoUringServerGracefulShutdownLifecycle(this.server,
				Shutdown.IMMEDIATE);
		lifecycle.start();
		AtomicBoolean calledBack = new AtomicBoolean();
		lifecycle.stop(() -> calledBack.set(true));
		assertThat(calledBack).isTrue();
		assertThat(lifecycle.isRunning()).isFalse();
	}

	@Test
	void directStopIsRefused() {
		IoUringServerGracefulShutdownLifecycle lifecycle = new IoUringServerGracefulShutdownLifecycle(this.server,
				Shutdown.GRACEFUL);
		assertThatExceptionOfType(UnsupportedOperationException.class).isThrownBy(lifecycle::stop);
	}

	@Test
	void neitherLifecycleCanBePaused() {
		assertThat(new IoUringServerGracefulShutdownLifecycle(this.server, Shutdown.GRACEFUL).isPauseable()).isFalse();
		assertThat(new IoUringServerStartStopLifecycle(this.server, new StaticApplicationContext())
			.isPauseable()).isFalse();
	}

}
