package dev.iouring.autoconfigure;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.availability.ApplicationAvailabilityBean;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationListener;
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

	private final StaticApplicationContext context = new StaticApplicationContext();

	/** Readiness events in the order they were published, each with whether the drain had begun. */
	private final List<String> readinessEvents = new CopyOnWriteArrayList<>();

	private StaticApplicationContext refreshedContext(boolean withAvailabilityBean) {
		if (withAvailabilityBean) {
			this.context.registerSingleton("applicationAvailability", ApplicationAvailabilityBean.class);
		}
		this.context.addApplicationListener((ApplicationListener<AvailabilityChangeEvent<?>>) (event) -> this.readinessEvents
			.add(event.getState() + " from " + event.getSource().getClass().getSimpleName() + ", draining="
					+ this.server.isDraining()));
		this.context.refresh();
		return this.context;
	}

	@AfterEach
	void closeContext() {
		this.context.close();
	}

	@Test
	void drainRunsBeforeTheHardStopAndBothBeforeOrdinaryBeans() {
		assertThat(IoUringServerGracefulShutdownLifecycle.PHASE).isEqualTo(SmartLifecycle.DEFAULT_PHASE - 1024);
		assertThat(IoUringServerStartStopLifecycle.PHASE).isEqualTo(SmartLifecycle.DEFAULT_PHASE - 2048);
	}

	@Test
	void immediateShutdownCallsBackAtOnceWithoutDraining() {
		IoUringServerGracefulShutdownLifecycle lifecycle = new IoUringServerGracefulShutdownLifecycle(this.server,
				Shutdown.IMMEDIATE, refreshedContext(false));
		lifecycle.start();
		AtomicBoolean calledBack = new AtomicBoolean();
		lifecycle.stop(() -> calledBack.set(true));
		assertThat(calledBack).isTrue();
		assertThat(lifecycle.isRunning()).isFalse();
	}

	@Test
	void stopRefusesTrafficBeforeItDrains() {
		IoUringServerGracefulShutdownLifecycle lifecycle = new IoUringServerGracefulShutdownLifecycle(this.server,
				Shutdown.IMMEDIATE, refreshedContext(true));
		lifecycle.start();
		lifecycle.stop(() -> this.readinessEvents.add("called back"));
		assertThat(this.readinessEvents).containsExactly("REFUSING_TRAFFIC from IoUringServer, draining=false",
				"called back");
		assertThat(this.context.getBean(ApplicationAvailabilityBean.class).getReadinessState())
			.isEqualTo(ReadinessState.REFUSING_TRAFFIC);
	}

	@Test
	void readinessAlreadyRefusedByAWebContextIsNotPublishedAgain() {
		StaticApplicationContext context = refreshedContext(true);
		// What Boot's web server application contexts do as their close begins.
		AvailabilityChangeEvent.publish(context, ReadinessState.REFUSING_TRAFFIC);
		IoUringServerGracefulShutdownLifecycle lifecycle = new IoUringServerGracefulShutdownLifecycle(this.server,
				Shutdown.IMMEDIATE, context);
		lifecycle.start();
		lifecycle.stop(() -> {
		});
		assertThat(this.readinessEvents).containsExactly("REFUSING_TRAFFIC from StaticApplicationContext, draining=false");
	}

	@Test
	void directStopIsRefused() {
		IoUringServerGracefulShutdownLifecycle lifecycle = new IoUringServerGracefulShutdownLifecycle(this.server,
				Shutdown.GRACEFUL, this.context);
		assertThatExceptionOfType(UnsupportedOperationException.class).isThrownBy(lifecycle::stop);
	}

	@Test
	void neitherLifecycleCanBePaused() {
		assertThat(new IoUringServerGracefulShutdownLifecycle(this.server, Shutdown.GRACEFUL, this.context)
			.isPauseable()).isFalse();
		assertThat(new IoUringServerStartStopLifecycle(this.server, new StaticApplicationContext())
			.isPauseable()).isFalse();
	}

}
