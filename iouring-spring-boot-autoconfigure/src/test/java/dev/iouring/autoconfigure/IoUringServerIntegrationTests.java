package dev.iouring.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationListener;
import org.springframework.context.support.StaticApplicationContext;
import org.springframework.core.env.Environment;

import dev.iouring.ring.IoUringAssumptions;
import dev.iouring.server.Connection;
import dev.iouring.server.EachTransport;
import dev.iouring.server.PortInUseException;
import dev.iouring.server.TcpHandler;
import dev.iouring.server.TcpServer;
import dev.iouring.server.Transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The auto-configured server for real, on each transport: a context with an echo handler binds loopback
 * sockets on ports the system chooses, serves clients, publishes its ports and stops with the context.
 * The io_uring run is skipped when the kernel does not let this process use io_uring.
 */
@EachTransport
class IoUringServerIntegrationTests {

	private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

	@Parameter
	Transport transport;

	private ApplicationContextRunner contextRunner;

	@BeforeEach
	void contextRunner() {
		if (this.transport == Transport.IO_URING) {
			IoUringAssumptions.assumeIoUring();
		}
		this.contextRunner = new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(IoUringServerAutoConfiguration.class))
			.withBean("echo", TcpHandler.class, () -> Connection::write)
			.withPropertyValues("iouring.server.transport=" + this.transport.name(), "iouring.server.port=0",
					"iouring.server.event-loops=1", "iouring.ring.entries=64", "iouring.ring.cq-entries=256",
					"iouring.buffers.count=64", "iouring.buffers.size=4KB");
	}

	@Test
	void theServerRunsOnTheTransportAskedFor() {
		this.contextRunner.run((context) -> assertThat(context.getBean(TcpServer.class).transport())
			.isEqualTo((this.transport == Transport.IO_URING) ? "io_uring" : "nio"));
	}

	@Test
	void clientGetsItsBytesEchoed() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasNotFailed();
			int port = context.getBean(TcpServer.class).port();
			try (Socket client = connect(port)) {
				byte[] message = ("hello, " + this.transport + "\n").getBytes(StandardCharsets.UTF_8);
				client.getOutputStream().write(message);
				client.getOutputStream().flush();
				assertThat(client.getInputStream().readNBytes(message.length)).isEqualTo(message);
			}
		});
	}

	@Test
	void boundPortIsPublishedAsLocalIoUringServerPort() {
		this.contextRunner.run((context) -> {
			int port = context.getBean(TcpServer.class).port();
			assertThat(port).isPositive();
			Environment environment = context.getEnvironment();
			assertThat(environment.getProperty("local.iouring.server.port", Integer.class)).isEqualTo(port);
			assertThat(environment.getProperty("local.iouring.server.default.port", Integer.class)).isEqualTo(port);
		});
	}

	@Test
	void everyListenerPortIsPublishedInTheContextAndItsParent() {
		StaticApplicationContext parent = new StaticApplicationContext();
		parent.refresh();
		this.contextRunner.withParent(parent)
			.withPropertyValues("iouring.server.listeners.first.backlog=16", "iouring.server.listeners.second.backlog=16")
			.run((context) -> {
				TcpServer server = context.getBean(TcpServer.class);
				for (Environment environment : List.of(context.getEnvironment(), parent.getEnvironment())) {
					assertThat(environment.getProperty("local.iouring.server.port", Integer.class))
						.isEqualTo(server.port("first"));
					assertThat(environment.getProperty("local.iouring.server.first.port", Integer.class))
						.isEqualTo(server.port("first"));
					assertThat(environment.getProperty("local.iouring.server.second.port", Integer.class))
						.isEqualTo(server.port("second"));
				}
				assertThat(server.port("first")).isNotEqualTo(server.port("second"));
			});
		parent.close();
	}

	@Test
	void initializedEventCarriesTheServerAndItsPorts() {
		this.contextRunner.withBean(EventRecorder.class).run((context) -> {
			TcpServer server = context.getBean(TcpServer.class);
			assertThat(context.getBean(EventRecorder.class).events).singleElement().satisfies((event) -> {
				assertThat(event.getServer()).isSameAs(server);
				assertThat(event.getApplicationContext()).isSameAs(context.getSourceApplicationContext());
				assertThat(event.getPort()).isEqualTo(server.port());
				assertThat(event.getPorts()).containsExactlyEntriesOf(Map.of("default", server.port()));
			});
		});
	}

	@Test
	void closingTheContextStopsTheServer() {
		int[] port = new int[1];
		this.contextRunner.run((context) -> {
			TcpServer server = context.getBean(TcpServer.class);
			port[0] = server.port();
			assertThat(server.isRunning()).isTrue();
			context.close();
			assertThat(server.isRunning()).isFalse();
		});
		assertThatExceptionOfType(ConnectException.class).isThrownBy(() -> connect(port[0]).close());
	}

	@Test
	void gracefulShutdownClosesOpenConnections() {
		this.contextRunner.run((context) -> {
			TcpServer server = context.getBean(TcpServer.class);
			try (Socket client = connect(server.port())) {
				// A connection still in the listen backlog is reset when the listening socket closes; only
				// accepted ones are drained.
				await().atMost(Duration.ofSeconds(5)).until(server::activeConnections, (count) -> count == 1);
				context.close();
				InputStream in = client.getInputStream();
				assertThat(in.read()).as("end of stream once the server drained").isEqualTo(-1);
			}
		});
	}

	@Test
	void portInUseFailsStartupNamingTheListenerAndPort() throws IOException {
		try (ServerSocket taken = new ServerSocket(0)) {
			int port = taken.getLocalPort();
			this.contextRunner.withPropertyValues("iouring.server.port=" + port).run((context) -> {
				assertThat(context).hasFailed();
				Throwable failure = context.getStartupFailure();
				while (failure != null && !(failure instanceof PortInUseException)) {
					failure = failure.getCause();
				}
				assertThat(failure).isInstanceOfSatisfying(PortInUseException.class, (inUse) -> {
					assertThat(inUse.port()).isEqualTo(port);
					assertThat(inUse.listenerName()).isEqualTo("default");
				});
			});
		}
	}

	private static Socket connect(int port) throws IOException {
		Socket socket = new Socket(LOOPBACK, port);
		socket.setSoTimeout(5_000);
		return socket;
	}

	static class EventRecorder implements ApplicationListener<IoUringServerInitializedEvent> {

		final List<IoUringServerInitializedEvent> events = new CopyOnWriteArrayList<>();

		@Override
		public void onApplicationEvent(IoUringServerInitializedEvent event) {
			this.events.add(event);
		}

	}

}
