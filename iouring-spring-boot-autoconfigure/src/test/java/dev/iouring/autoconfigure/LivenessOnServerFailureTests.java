package dev.iouring.autoconfigure;

import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.availability.ApplicationAvailabilityAutoConfiguration;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.iouring.autoconfigure.IoUringServerStartStopLifecycle.ServerFailure;
import dev.iouring.autoconfigure.health.IoUringHealthContributorAutoConfiguration;
import dev.iouring.autoconfigure.health.IoUringHealthIndicator;
import dev.iouring.server.EachTransport;
import dev.iouring.server.TcpHandler;
import dev.iouring.server.TcpServer;
import dev.iouring.server.TestServers;
import dev.iouring.server.Transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A whole application on each transport whose event loop dies of a fatal error (a handler throws a
 * {@link VirtualMachineError} on the loop): liveness goes from CORRECT to BROKEN, the event's source
 * carries that very error, and the {@code iouring} health contributor is DOWN with it.
 */
@EachTransport
class LivenessOnServerFailureTests {

	private static final Duration DEADLINE = Duration.ofSeconds(30);

	/** What the handler threw, for the assertions; static as the application's bean sets it. */
	private static final AtomicReference<Error> thrown = new AtomicReference<>();

	@Parameter
	Transport transport;

	private ConfigurableApplicationContext context;

	@AfterEach
	void closeContext() {
		if (this.context != null) {
			this.context.close();
		}
		thrown.set(null);
	}

	@Test
	void livenessIsBrokenWhenAnEventLoopDiesOfAFatalError() throws Exception {
		TestServers.assumeAvailable(this.transport);
		this.context = new SpringApplicationBuilder(FatalApplication.class).web(WebApplicationType.NONE)
			.properties("iouring.server.transport=" + this.transport.name(), "iouring.server.address=127.0.0.1",
					"iouring.server.port=0", "iouring.server.event-loops=2", "iouring.ring.entries=64",
					"iouring.ring.cq-entries=256", "iouring.buffers.count=64", "iouring.buffers.size=4KB")
			.run();
		TcpServer server = this.context.getBean(TcpServer.class);
		ApplicationAvailability availability = this.context.getBean(ApplicationAvailability.class);
		IoUringHealthIndicator health = this.context.getBean(IoUringHealthIndicator.class);
		assertThat(server.transport()).isEqualTo((this.transport == Transport.NIO) ? "nio" : "io_uring");
		assertThat(availability.getLivenessState()).isEqualTo(LivenessState.CORRECT);
		assertThat(health.health().getStatus()).isEqualTo(Status.UP);

		try (Socket client = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
			client.setSoTimeout((int) DEADLINE.toMillis());
			client.getOutputStream().write("fatal".getBytes(StandardCharsets.UTF_8));
			await().atMost(DEADLINE).until(() -> availability.getLivenessState() == LivenessState.BROKEN);
		}

		assertThat(thrown.get()).isNotNull();
		assertThat(server.loopFailure()).isSameAs(thrown.get());
		AvailabilityChangeEvent<LivenessState> broken = availability.getLastChangeEvent(LivenessState.class);
		assertThat(broken.getSource()).isInstanceOf(ServerFailure.class);
		assertThat(((ServerFailure) broken.getSource()).cause()).isSameAs(thrown.get());
		Health down = health.health();
		assertThat(down.getStatus()).isEqualTo(Status.DOWN);
		assertThat(down.getDetails()).containsEntry("error", "java.lang.InternalError: simulated on the event loop");
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ IoUringServerAutoConfiguration.class, IoUringHealthContributorAutoConfiguration.class,
			ApplicationAvailabilityAutoConfiguration.class })
	static class FatalApplication {

		/** Runs on the event loop and throws what may not be contained to one connection. */
		@Bean
		TcpHandler fatal() {
			return (connection, data) -> {
				InternalError fatal = new InternalError("simulated on the event loop");
				thrown.set(fatal);
				throw fatal;
			};
		}

	}

}
