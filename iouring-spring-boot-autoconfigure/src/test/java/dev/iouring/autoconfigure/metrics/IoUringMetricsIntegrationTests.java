package dev.iouring.autoconfigure.metrics;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.iouring.autoconfigure.IoUringServerAutoConfiguration;
import dev.iouring.server.CloseReason;
import dev.iouring.server.Connection;
import dev.iouring.server.EachTransport;
import dev.iouring.server.ListenerStats;
import dev.iouring.server.LoopStats;
import dev.iouring.server.TcpHandler;
import dev.iouring.server.TcpServer;
import dev.iouring.server.TestServers;
import dev.iouring.server.Transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The meters against a real server, on each transport: known traffic goes through loopback sockets, and
 * each meter, read from the application's {@link MeterRegistry}, must show exactly that traffic. Two
 * loops, so the meters tagged by listener only must sum over loops. The {@code iouring.ring.*} meters
 * read each ring's figures on io_uring and are registered but stay at zero on NIO, which has no ring.
 */
@EachTransport
class IoUringMetricsIntegrationTests {

	private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

	private static final int LOOPS = 2;

	private static final int BUFFERS = 64;

	/** A read that waits longer than this means the server stalled: the test fails instead of hanging. */
	private static final int READ_TIMEOUT_MILLIS = 30_000;

	private static final Duration DEADLINE = Duration.ofSeconds(30);

	/** Every {@code iouring.ring.*} meter, one of each per loop. */
	private static final List<String> RING_METERS = List.of("iouring.ring.submissions", "iouring.ring.completions",
			"iouring.ring.enters", "iouring.ring.sq.pending", "iouring.ring.cq.overflow",
			"iouring.ring.buffers.available", "iouring.ring.buffers.exhausted");

	@Parameter
	Transport transport;

	private ApplicationContextRunner contextRunner;

	@BeforeEach
	void transportIsAvailable() {
		TestServers.assumeAvailable(this.transport);
		this.contextRunner = new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(IoUringServerAutoConfiguration.class, IoUringMetricsAutoConfiguration.class))
			.withBean(SimpleMeterRegistry.class)
			.withBean("echo", TcpHandler.class, () -> Connection::write)
			.withBean("faulty", TcpHandler.class, () -> (connection, data) -> {
				throw new IllegalStateException("handler failure for the errors meter");
			})
			.withPropertyValues("iouring.server.transport=" + this.transport.name(),
					"iouring.server.event-loops=" + LOOPS, "iouring.ring.entries=64", "iouring.ring.cq-entries=256",
					"iouring.buffers.count=" + BUFFERS, "iouring.buffers.size=4KB",
					"iouring.server.listeners.echo.port=0", "iouring.server.listeners.echo.handler=echo",
					"iouring.server.listeners.lines.port=0", "iouring.server.listeners.lines.handler=echo",
					"iouring.server.listeners.lines.framing.kind=line",
					"iouring.server.listeners.lines.framing.max-frame-size=64B",
					"iouring.server.listeners.single.port=0", "iouring.server.listeners.single.handler=echo",
					"iouring.server.listeners.single.max-connections=1", "iouring.server.listeners.faulty.port=0",
					"iouring.server.listeners.faulty.handler=faulty");
	}

	@Test
	void echoedBytesAndConnectionsAreCountedPerListenerAndLoop() {
		int connections = 3;
		int bytesPerConnection = 1000;
		this.contextRunner.run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			int port = server(context).port("echo");
			byte[] message = new byte[bytesPerConnection];
			Arrays.fill(message, (byte) 'x');
			List<Socket> clients = new ArrayList<>();
			for (int i = 0; i < connections; i++) {
				Socket client = connect(port);
				clients.add(client);
				client.getOutputStream().write(message);
				assertThat(client.getInputStream().readNBytes(bytesPerConnection)).isEqualTo(message);
			}
			await().atMost(DEADLINE).untilAsserted(() -> {
				assertThat(gauges(registry, "iouring.server.connections.active", "echo")).isEqualTo(connections);
				assertThat(counters(registry, "iouring.server.connections.accepted", "echo")).isEqualTo(connections);
				assertThat(counters(registry, "iouring.server.bytes.received", "echo"))
					.isEqualTo(connections * bytesPerConnection);
				assertThat(counters(registry, "iouring.server.bytes.sent", "echo"))
					.isEqualTo(connections * bytesPerConnection);
			});
			for (Socket client : clients) {
				client.close();
			}
			await().atMost(DEADLINE).untilAsserted(() -> {
				assertThat(gauges(registry, "iouring.server.connections.active", "echo")).isZero();
				assertThat(closed(registry, "echo", CloseReason.PEER_CLOSED)).isEqualTo(connections);
			});
			assertThat(registry.find("iouring.server.connections.active").tag("listener", "echo").gauges())
				.extracting((gauge) -> gauge.getId().getTag("loop"))
				.containsExactlyInAnyOrder("0", "1");
			for (ListenerStats stats : server(context).listenerStats()) {
				assertThat(registry.get("iouring.server.bytes.received")
					.tags("listener", stats.listener(), "loop", Integer.toString(stats.loop()))
					.functionCounter()
					.count()).isEqualTo(stats.bytesReceived());
			}
		});
	}

	@Test
	void framesOfALineFramedListenerAreCountedOncePerLine() {
		int lines = 5;
		this.contextRunner.run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			try (Socket client = connect(server(context).port("lines"))) {
				StringBuilder text = new StringBuilder();
				for (int i = 0; i < lines; i++) {
					text.append("line ").append(i).append('\n');
				}
				client.getOutputStream().write(text.toString().getBytes(StandardCharsets.UTF_8));
				// The echo handler writes each frame back without its delimiter.
				String expected = text.toString().replace("\n", "");
				assertThat(new String(client.getInputStream().readNBytes(expected.length()), StandardCharsets.UTF_8))
					.isEqualTo(expected);
				await().atMost(DEADLINE).untilAsserted(() -> assertThat(counters(registry, "iouring.server.frames.received", "lines"))
					.isEqualTo(lines));
			}
		});
	}

	@Test
	void aConnectionBeyondMaxConnectionsIsCountedAsRejected() {
		this.contextRunner.run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			int port = server(context).port("single");
			try (Socket first = connect(port)) {
				await().atMost(DEADLINE).untilAsserted(
						() -> assertThat(gauges(registry, "iouring.server.connections.active", "single")).isEqualTo(1));
				try (Socket second = connect(port)) {
					assertThat(second.getInputStream().read()).as("the rejected connection is closed").isEqualTo(-1);
				}
				await().atMost(DEADLINE).untilAsserted(() -> assertThat(registry.get("iouring.server.connections.rejected")
					.tags("listener", "single", "reason", "max-connections")
					.functionCounter()
					.count()).isEqualTo(1));
				assertThat(counters(registry, "iouring.server.connections.accepted", "single")).isEqualTo(1);
			}
		});
	}

	@Test
	void anOversizedFrameClosesTheConnectionWithReasonFrameTooLarge() {
		this.contextRunner.run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			try (Socket client = connect(server(context).port("lines"))) {
				byte[] tooLarge = new byte[100];
				Arrays.fill(tooLarge, (byte) 'y');
				client.getOutputStream().write(tooLarge);
				assertThat(drain(client.getInputStream())).as("nothing is echoed before the close").isZero();
			}
			await().atMost(DEADLINE).untilAsserted(
					() -> assertThat(closed(registry, "lines", CloseReason.FRAME_TOO_LARGE)).isEqualTo(1));
			assertThat(counters(registry, "iouring.server.bytes.received", "lines")).isEqualTo(100);
			assertThat(counters(registry, "iouring.server.frames.received", "lines")).isZero();
		});
	}

	@Test
	void anErrorThatFirstHappensAtRunTimeGetsItsOwnMeter() {
		this.contextRunner.run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			assertThat(registry.find("iouring.server.errors").meters()).isEmpty();
			try (Socket client = connect(server(context).port("faulty"))) {
				client.getOutputStream().write("boom".getBytes(StandardCharsets.UTF_8));
				assertThat(drain(client.getInputStream())).isZero();
			}
			await().atMost(DEADLINE).untilAsserted(() -> assertThat(registry.find("iouring.server.errors")
				.tags("op", "handler", "error", "IllegalStateException")
				.functionCounter()).isNotNull().extracting(FunctionCounter::count).isEqualTo(1.0));
			await().atMost(DEADLINE).untilAsserted(
					() -> assertThat(closed(registry, "faulty", CloseReason.HANDLER_ERROR)).isEqualTo(1));
		});
	}

	@Test
	void ringMetersReadEachLoopsLiveFiguresOnIoUringAndZeroOnNio() {
		this.contextRunner.run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			assertThat(server(context).transport()).isEqualTo((this.transport == Transport.NIO) ? "nio" : "io_uring");
			double entersAtStart = ring(registry, "iouring.ring.enters");
			try (Socket client = connect(server(context).port("echo"))) {
				client.getOutputStream().write("ping".getBytes(StandardCharsets.UTF_8));
				assertThat(client.getInputStream().readNBytes(4)).hasSize(4);
			}
			if (this.transport == Transport.NIO) {
				assertRingMetersAtZero(registry, server(context));
				return;
			}
			await().atMost(DEADLINE)
				.untilAsserted(() -> assertThat(ring(registry, "iouring.ring.enters")).isGreaterThan(entersAtStart));
			// A loop publishes its ring figures after each turn, so an idle loop may still show zero.
			assertThat(ring(registry, "iouring.ring.submissions")).isPositive();
			assertThat(ring(registry, "iouring.ring.completions")).isPositive();
			assertThat(ring(registry, "iouring.ring.cq.overflow")).isZero();
			assertThat(ring(registry, "iouring.ring.buffers.exhausted")).isZero();
			assertThat(ring(registry, "iouring.ring.sq.pending")).isZero();
			for (LoopStats loop : server(context).loopStats()) {
				String tag = Integer.toString(loop.loop());
				assertThat(registry.get("iouring.ring.enters").tag("loop", tag).functionCounter().count())
					.isEqualTo(loop.enters());
				assertThat(registry.get("iouring.ring.submissions").tag("loop", tag).functionCounter().count())
					.isEqualTo(loop.submissions());
				assertThat(registry.get("iouring.ring.completions").tag("loop", tag).functionCounter().count())
					.isEqualTo(loop.completions());
			}
			// A loop publishes its figures at the end of a turn, and a loop that has served nobody may not
			// have finished one. queuedBytes() runs a task on every loop, so each turns at least once.
			server(context).queuedBytes();
			await().atMost(DEADLINE)
				.untilAsserted(
						() -> assertThat(ring(registry, "iouring.ring.buffers.available")).isEqualTo(LOOPS * BUFFERS));
		});
	}

	/**
	 * NIO has no ring: each loop still has every ring meter, so dashboards and alerts work on both
	 * transports, and each reads zero after traffic went through that loop.
	 */
	private static void assertRingMetersAtZero(MeterRegistry registry, TcpServer server) {
		// queuedBytes() runs a task on every loop: any figure a loop would publish at the end of a turn is out.
		server.queuedBytes();
		for (String name : RING_METERS) {
			assertThat(registry.find(name).meters()).as(name)
				.extracting((meter) -> meter.getId().getTag("loop"))
				.containsExactlyInAnyOrder("0", "1");
			assertThat(ring(registry, name)).as(name).isZero();
		}
	}

	@Test
	void everyMeterHasADescriptionAndABaseUnitAndOnlyBoundedTags() {
		this.contextRunner.run((context) -> {
			List<Meter> meters = context.getBean(MeterRegistry.class)
				.getMeters()
				.stream()
				.filter((meter) -> meter.getId().getName().startsWith("iouring."))
				.toList();
			assertThat(meters).extracting((meter) -> meter.getId().getName())
				.contains("iouring.server.connections.active", "iouring.server.connections.accepted",
						"iouring.server.connections.rejected", "iouring.server.connections.closed",
						"iouring.server.bytes.received", "iouring.server.bytes.sent", "iouring.server.frames.received")
				.containsAll(RING_METERS);
			for (Meter meter : meters) {
				assertThat(meter.getId().getDescription()).as(meter.getId().getName()).isNotBlank();
				assertThat(meter.getId().getBaseUnit()).as(meter.getId().getName()).isNotBlank();
				assertThat(meter.getId().getTags()).extracting((tag) -> tag.getKey())
					.isSubsetOf("listener", "loop", "reason", "op", "error");
			}
			// 4 listeners x 2 loops, 4 meters each; 4 listeners x (rejected + frames + one per close reason);
			// 2 loops x 7 ring meters, on NIO too.
			assertThat(meters)
				.hasSize(4 * LOOPS * 4 + 4 * (2 + CloseReason.values().length) + LOOPS * RING_METERS.size());
		});
	}

	private static Socket connect(int port) throws IOException {
		Socket socket = new Socket(LOOPBACK, port);
		socket.setSoTimeout(READ_TIMEOUT_MILLIS);
		return socket;
	}

	private static TcpServer server(AssertableApplicationContext context) {
		return context.getBean(TcpServer.class);
	}

	private static double counters(MeterRegistry registry, String name, String listener) {
		return registry.find(name).tag("listener", listener).functionCounters().stream()
			.mapToDouble(FunctionCounter::count)
			.sum();
	}

	private static double gauges(MeterRegistry registry, String name, String listener) {
		return registry.find(name).tag("listener", listener).gauges().stream().mapToDouble(Gauge::value).sum();
	}

	private static double closed(MeterRegistry registry, String listener, CloseReason reason) {
		return registry.get("iouring.server.connections.closed")
			.tags("listener", listener, "reason", reason.tag())
			.functionCounter()
			.count();
	}

	private static double ring(MeterRegistry registry, String name) {
		return registry.find(name).meters().stream().mapToDouble((meter) -> {
			if (meter instanceof Gauge gauge) {
				return gauge.value();
			}
			return ((FunctionCounter) meter).count();
		}).sum();
	}

	/** Reads until the server closes the connection; returns how many bytes came. */
	private static int drain(InputStream in) throws IOException {
		return in.readAllBytes().length;
	}

}
