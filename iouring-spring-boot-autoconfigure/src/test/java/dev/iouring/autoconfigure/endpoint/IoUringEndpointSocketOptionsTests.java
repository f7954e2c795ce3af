package dev.iouring.autoconfigure.endpoint;

import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.iouring.autoconfigure.IoUringServerAutoConfiguration;
import dev.iouring.autoconfigure.endpoint.IoUringEndpoint.ListenerDescriptor;
import dev.iouring.autoconfigure.endpoint.IoUringEndpoint.SocketDescriptor;
import dev.iouring.ring.IoUringAssumptions;
import dev.iouring.server.Connection;
import dev.iouring.server.TcpHandler;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /actuator/iouring} shows, per listener, the socket options its transport sets on each accepted
 * connection, and the ones it cannot set. The server is not started: what it applies follows from its
 * settings and transport.
 */
class IoUringEndpointSocketOptionsTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(IoUringServerAutoConfiguration.class,
				IoUringEndpointAutoConfiguration.class))
		.withBean("echo", TcpHandler.class, () -> Connection::write)
		.withBean("ioUringServerStartStopLifecycle", Object.class, Object::new)
		.withBean("ioUringServerGracefulShutdownLifecycle", Object.class, Object::new)
		.withPropertyValues("management.endpoints.web.exposure.include=iouring", "iouring.server.port=0",
				"iouring.server.event-loops=1", "iouring.server.socket.keep-alive=true",
				"iouring.server.socket.keep-alive-idle=60s", "iouring.server.socket.user-timeout=30s",
				"iouring.server.socket.receive-buffer=64KB", "iouring.server.listeners.edge.port=0",
				"iouring.server.listeners.edge.socket.keep-alive-count=3",
				"iouring.server.listeners.plain.port=0", "iouring.server.listeners.plain.socket.keep-alive=false",
				"iouring.server.listeners.plain.socket.tcp-no-delay=false");

	@Test
	void eachListenerShowsTheOptionsTheIoUringTransportSets() {
		IoUringAssumptions.assumeIoUring();
		this.contextRunner.withPropertyValues("iouring.server.transport=io-uring").run((context) -> {
			Map<String, SocketDescriptor> sockets = sockets(context.getBean(IoUringEndpoint.class));
			assertThat(sockets.get("edge"))
				.isEqualTo(new SocketDescriptor(true, true, 60L, null, 3, 30_000L, 65536, null, Map.of()));
			// Keep-alive off: its timings are not applied, whatever the server level says.
			assertThat(sockets.get("plain"))
				.isEqualTo(new SocketDescriptor(false, false, null, null, null, 30_000L, 65536, null, Map.of()));
		});
	}

	@Test
	void theNioTransportShowsTheUserTimeoutAsNotApplied() {
		this.contextRunner.withPropertyValues("iouring.server.transport=nio").run((context) -> {
			SocketDescriptor edge = sockets(context.getBean(IoUringEndpoint.class)).get("edge");
			assertThat(edge.userTimeoutMillis()).isNull();
			assertThat(edge.keepAliveIdleSeconds()).isEqualTo(60L);
			assertThat(edge.notApplied()).containsOnlyKeys("userTimeout");
			assertThat(edge.notApplied().get("userTimeout")).contains("TCP_USER_TIMEOUT").contains("nio");
		});
	}

	private static Map<String, SocketDescriptor> sockets(IoUringEndpoint endpoint) {
		Map<String, SocketDescriptor> sockets = new java.util.LinkedHashMap<>();
		for (ListenerDescriptor listener : endpoint.iouring().listeners()) {
			sockets.put(listener.name(), listener.socket());
		}
		assertThat(sockets).containsOnlyKeys("edge", "plain");
		return sockets;
	}

}
