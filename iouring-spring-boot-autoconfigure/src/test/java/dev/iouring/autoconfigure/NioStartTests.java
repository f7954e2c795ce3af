package dev.iouring.autoconfigure;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An application that asks for the NIO transport starts without probing io_uring: the probe links
 * native calls and sets up a ring, work a NIO server has no use for. The probe is cached per JVM, so
 * each start runs {@link ChildEchoServer} in a JVM of its own, and the classes it loads tell whether
 * the probe ran: the ring setup is loaded by the probe and by nothing a NIO server does.
 */
class NioStartTests {

	/** The class that sets up io_uring rings, as {@code -Xlog:class+load} names it when it is loaded. */
	private static final String RING_SETUP = "dev.iouring.ring.RingSetup source:";

	@Test
	void aNioServerStartsWithoutProbingIoUring() throws Exception {
		List<String> output = servedOutput("--iouring.server.transport=nio");
		assertThat(output).noneMatch((line) -> line.contains(RING_SETUP));
	}

	@Test
	void theDefaultTransportProbesIoUringAtStart() throws Exception {
		// The control: the same start with transport auto loads the ring setup, so the check above can fail.
		List<String> output = servedOutput("--iouring.server.transport=auto");
		assertThat(output).anyMatch((line) -> line.contains(RING_SETUP));
	}

	private static List<String> servedOutput(String transport) throws Exception {
		try (ChildApplication child = ChildApplication.start(
				List.of("--enable-native-access=ALL-UNNAMED", "-Xlog:class+load=info:stdout"), ChildEchoServer.class,
				transport)) {
			await().atMost(ChildApplication.STARTUP_LIMIT)
				.until(() -> child.line(ChildEchoServer.SERVING).isPresent() || !child.process().isAlive());
			assertThat(child.line(ChildEchoServer.SERVING)).as("the child serves:\n%s", child.text()).isPresent();
			return List.copyOf(child.output());
		}
	}

}
