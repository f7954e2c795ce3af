package dev.iouring.autoconfigure;

import java.io.IOException;
import java.util.List;
import java.util.Locale;

import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * An application whose JVM denies native access ({@code java --illegal-native-access=deny}, what a
 * later JDK will do by default) is told so, with the flag and the manifest entry that allow it, instead
 * of a bare ExceptionInInitializerError; and it is told nothing about kernels, sysctls or seccomp,
 * which have nothing to do with it. Each test starts {@link ChildEchoServer} in a child
 * JVM, since a JVM's native access is fixed at its launch.
 */
class NativeAccessDeniedTests {

	private static final List<String> OTHER_FIXES = List.of("seccomp", "sysctl", "ulimit", "Linux 6.1");

	@BeforeEach
	void onLinux() {
		assumeTrue(System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux"),
				"elsewhere the probe stops at 'not Linux' before it needs native access");
	}

	@Test
	void withTransportAutoTheApplicationServesOverNioAndWarnsThatNativeAccessIsDenied() throws Exception {
		try (ChildApplication child = start()) {
			await().atMost(ChildApplication.STARTUP_LIMIT)
				.until(() -> child.line(ChildEchoServer.SERVING).isPresent() || !child.process().isAlive());
			String[] transportAndPort = child.after(ChildEchoServer.SERVING)
				.orElseThrow(() -> new AssertionError("the child stopped before serving:\n" + child.text()))
				.split(" ");
			assertThat(transportAndPort[0]).isEqualTo("nio");
			assertThat(ChildApplication.echo(Integer.parseInt(transportAndPort[1]), "served without native access"))
				.isEqualTo("served without native access");
			assertThat(child.output()).filteredOn((logged) -> logged.contains("WARN"))
				.singleElement(InstanceOfAssertFactories.STRING)
				.contains("io_uring is not available, so the server uses the NIO transport")
				.contains("native access is not enabled for the class path")
				.contains("java.lang.IllegalCallerException: Illegal native access")
				.contains("--enable-native-access=ALL-UNNAMED")
				.contains("Enable-Native-Access: ALL-UNNAMED")
				.doesNotContain("ExceptionInInitializerError")
				.satisfies((warning) -> assertThat(OTHER_FIXES).noneMatch(warning::contains));
		}
	}

	@Test
	void withTransportIoUringStartupFailsWithNativeAccessAsTheCauseAndItsFixAlone() throws Exception {
		try (ChildApplication child = start("--iouring.server.transport=io-uring")) {
			assertThat(child.awaitExit()).isNotZero();
			ChildApplication.FailureReport report = child.failureReport();
			assertThat(report.description())
				.contains("io_uring is not available: native access is not enabled for the class path")
				.contains("java.lang.IllegalCallerException: Illegal native access");
			assertThat(report.action()).contains("add --enable-native-access=ALL-UNNAMED to the java command")
				.contains("Enable-Native-Access: ALL-UNNAMED")
				.contains("iouring.server.transport=auto");
			assertThat(OTHER_FIXES).noneMatch((fix) -> report.description().contains(fix) || report.action().contains(fix));
		}
	}

	private static ChildApplication start(String... arguments) throws IOException {
		return ChildApplication.start(List.of("--illegal-native-access=deny"), ChildEchoServer.class,
				arguments);
	}

}
