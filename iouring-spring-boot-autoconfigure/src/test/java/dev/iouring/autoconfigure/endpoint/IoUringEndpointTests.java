package dev.iouring.autoconfigure.endpoint;

import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.iouring.autoconfigure.IoUringServerAutoConfiguration;
import dev.iouring.autoconfigure.endpoint.IoUringEndpoint.FeatureDescriptor;
import dev.iouring.autoconfigure.endpoint.IoUringEndpoint.IoUringDescriptor;
import dev.iouring.autoconfigure.endpoint.IoUringEndpoint.ListenerDescriptor;
import dev.iouring.autoconfigure.endpoint.IoUringEndpoint.LoopDescriptor;
import dev.iouring.ring.IoUring;
import dev.iouring.ring.IoUringAssumptions;
import dev.iouring.server.Connection;
import dev.iouring.server.TcpHandler;
import dev.iouring.server.TcpServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The {@code iouring} endpoint and info contributor: when they are configured, and what they report
 * about a real running server.
 */
class IoUringEndpointTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(IoUringServerAutoConfiguration.class,
				IoUringEndpointAutoConfiguration.class, IoUringInfoContributorAutoConfiguration.class))
		.withBean("echo", TcpHandler.class, () -> Connection::write)
		.withPropertyValues("iouring.server.port=0", "iouring.server.event-loops=1", "iouring.ring.entries=64",
				"iouring.ring.cq-entries=256", "iouring.buffers.count=64", "iouring.buffers.size=4KB");

	private final ApplicationContextRunner notStarting = this.contextRunner
		.withBean("ioUringServerStartStopLifecycle", Object.class, Object::new)
		.withBean("ioUringServerGracefulShutdownLifecycle", Object.class, Object::new);

	@Test
	void endpointIsConfiguredWhenExposed() {
		this.notStarting.withPropertyValues("management.endpoints.web.exposure.include=iouring")
			.run((context) -> assertThat(context).hasSingleBean(IoUringEndpoint.class));
	}

	@Test
	void endpointBacksOffWhenNotExposed() {
		this.notStarting.run((context) -> assertThat(context).doesNotHaveBean(IoUringEndpoint.class));
	}

	@Test
	void endpointBacksOffWhenItsAccessIsNone() {
		this.notStarting
			.withPropertyValues("management.endpoints.web.exposure.include=iouring",
					"management.endpoint.iouring.access=NONE")
			.run((context) -> assertThat(context).doesNotHaveBean(IoUringEndpoint.class));
	}

	@Test
	void infoContributorIsOptIn() {
		this.notStarting.run((context) -> assertThat(context).doesNotHaveBean(IoUringInfoContributor.class));
		this.notStarting.withPropertyValues("management.info.iouring.enabled=true")
			.run((context) -> assertThat(context).hasSingleBean(IoUringInfoContributor.class));
	}

	@Test
	void endpointDescribesTransportKernelFeaturesLoopsAndListenersOfARunningServer() {
		IoUringAssumptions.assumeIoUring();
		this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=iouring").run((context) -> {
			TcpServer server = context.getBean(TcpServer.class);
			IoUringDescriptor descriptor = afterOneEcho(server, context.getBean(IoUringEndpoint.class));
			assertThat(descriptor.transport()).isEqualTo("io_uring");
			assertThat(descriptor.transportReason()).contains(IoUring.kernelRelease());
			assertThat(descriptor.kernel().release()).isEqualTo(IoUring.kernelRelease());
			assertThat(descriptor.kernel().ioUringAvailable()).isTrue();
			assertThat(descriptor.kernel().supportedOpcodes()).contains("ACCEPT", "RECV", "SEND");
			assertThat(descriptor.kernel().supportedOpcodes()).as("one name per supported opcode")
				.hasSize(descriptor.kernel().supportedOpcodeCount())
				.doesNotHaveDuplicates();
			assertThat(descriptor.kernel().features()).as("every feature bit of this kernel has a name")
				.noneMatch((name) -> name.startsWith("BIT_"));
			assertThat(descriptor.features()).containsKeys("multishotAccept", "multishotRecv", "bufferRings",
					"incrementalBuffers", "bundles", "sendZc", "registeredRingFd", "sqpoll");
			assertThat(descriptor.features().get("multishotAccept")).extracting(FeatureDescriptor::supported,
					FeatureDescriptor::used).containsExactly(true, true);
			assertThat(descriptor.features().get("sendZc").used()).isFalse();
			assertThat(descriptor.features().get("registeredRingFd").used()).isNull();
			assertThat(descriptor.features().get("sqpoll").used()).isFalse();
			assertThat(descriptor.loops()).singleElement().satisfies((loop) -> {
				assertThat(loop.sqEntries()).isEqualTo(64);
				assertThat(loop.cqEntries()).isEqualTo(256);
				assertThat(loop.bufferCount()).isEqualTo(64);
				assertThat(loop.bufferSize()).isEqualTo(4096);
				assertThat(loop.setupFlags()).contains("SINGLE_ISSUER");
				assertThat(loop.completions()).isPositive();
			});
		});
	}

	@Test
	void endpointDescribesARunningNioServerAndWhyItIsNio() {
		this.contextRunner
			.withPropertyValues("management.endpoints.web.exposure.include=iouring", "iouring.server.transport=nio")
			.run((context) -> {
				TcpServer server = context.getBean(TcpServer.class);
				IoUringDescriptor descriptor = afterOneEcho(server, context.getBean(IoUringEndpoint.class));
				assertThat(descriptor.transport()).isEqualTo("nio");
				assertThat(descriptor.transportReason()).isEqualTo(IoUring.isAvailable()
						? "io_uring is available, and iouring.server.transport is nio"
						: "io_uring is not available: " + IoUring.availability().cause());
				assertThat(descriptor.kernel().release()).isEqualTo(IoUring.kernelRelease());
				assertThat(descriptor.features()).as("a NIO server uses no io_uring feature")
					.allSatisfy((name, feature) -> assertThat(feature.used()).isNotEqualTo(Boolean.TRUE));
				assertThat(descriptor.features().get("multishotAccept").used()).isFalse();
			});
	}

	/**
	 * Echoes one 5-byte message over a connection that then closes, and returns what the endpoint says
	 * once the server has seen the close, after checking what both transports report alike: running, one
	 * loop, and the listener's counts.
	 */
	private static IoUringDescriptor afterOneEcho(TcpServer server, IoUringEndpoint endpoint) throws Exception {
		try (Socket client = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
			client.setSoTimeout(30_000);
			client.getOutputStream().write("hello".getBytes(StandardCharsets.UTF_8));
			assertThat(client.getInputStream().readNBytes(5)).hasSize(5);
		}
		await().until(() -> server.activeConnections() == 0);
		IoUringDescriptor descriptor = endpoint.iouring();
		assertThat(descriptor.running()).isTrue();
		assertThat(descriptor.draining()).isFalse();
		assertThat(descriptor.loops()).extracting(LoopDescriptor::loop).containsExactly(0);
		assertThat(descriptor.listeners()).singleElement().satisfies((listener) -> {
			assertThat(listener.name()).isEqualTo("default");
			assertThat(listener.port()).isEqualTo(server.port());
			assertThat(listener.acceptedConnections()).isEqualTo(1);
			assertThat(listener.activeConnections()).isZero();
			assertThat(listener.bytesReceived()).isEqualTo(5);
			assertThat(listener.closedConnections()).containsEntry("peer-closed", 1L);
		});
		assertThat(descriptor.listeners()).extracting(ListenerDescriptor::bytesSent).containsExactly(5L);
		return descriptor;
	}

	@Test
	void infoContributorReportsTransportKernelAndFeatures() {
		IoUringAssumptions.assumeIoUring();
		this.contextRunner.withPropertyValues("management.info.iouring.enabled=true").run((context) -> {
			Info.Builder builder = new Info.Builder();
			context.getBean(IoUringInfoContributor.class).contribute(builder);
			assertThat(builder.build().getDetails()).extractingByKey("iouring")
				.asInstanceOf(InstanceOfAssertFactories.MAP)
				.containsEntry("transport", "io_uring")
				.containsEntry("kernel", IoUring.kernelRelease())
				.containsEntry("ioUringAvailable", true)
				.containsKeys("setupFlags", "kernelFeatures");
		});
	}

	@Test
	void kernelReleasesCompareByMajorAndMinor() {
		assertThat(IoUringFeatures.atLeast("6.12.0", 6, 12)).isTrue();
		assertThat(IoUringFeatures.atLeast("6.18.44-fc-v445", 6, 12)).isTrue();
		assertThat(IoUringFeatures.atLeast("7.0", 6, 12)).isTrue();
		assertThat(IoUringFeatures.atLeast("6.11.9", 6, 12)).isFalse();
		assertThat(IoUringFeatures.atLeast("unknown", 5, 18)).isFalse();
	}

}
