package dev.iouring.autoconfigure;

import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import dev.iouring.server.BoundedReads;
import dev.iouring.server.Connection;
import dev.iouring.server.ListenerSettings;
import dev.iouring.server.ServerSettings;
import dev.iouring.server.TcpHandler;
import dev.iouring.server.TcpServer;
import dev.iouring.server.UnixSocket;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code address: unix:...} and {@code unix-socket-permissions} properties: what they map to, the
 * combinations that fail startup naming the property and the fix, and a real start on a socket file.
 */
class UnixSocketPropertiesTests {

	private static final TcpHandler ECHO = Connection::write;

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(IoUringServerAutoConfiguration.class))
		.withBean("echo", TcpHandler.class, () -> ECHO);

	private final ApplicationContextRunner notStarted = this.contextRunner
		.withBean(IoUringServerAutoConfiguration.START_STOP_LIFECYCLE_BEAN, Object.class, Object::new)
		.withBean(IoUringServerAutoConfiguration.GRACEFUL_SHUTDOWN_LIFECYCLE_BEAN, Object.class, Object::new);

	@TempDir
	Path dir;

	@Test
	void aUnixAddressMapsToAListenerWithoutPortOrReusePort() {
		String path = this.dir.resolve("app.sock").toString();
		this.notStarted
			.withPropertyValues("iouring.server.reuse-port=true", "iouring.server.listeners.local.address=unix:" + path,
					"iouring.server.listeners.local.unix-socket-permissions=0600",
					"iouring.server.listeners.tcp.port=0")
			.run((context) -> {
				ServerSettings settings = context.getBean(ServerSettings.class);
				ListenerSettings local = settings.listener("local");
				assertThat(local.unixSocket()).isEqualTo(new UnixSocket(path, false,
						PosixFilePermissions.fromString("rw-------")));
				assertThat(local.port()).isZero();
				assertThat(local.reusePort()).isFalse();
				assertThat(local.address()).isNull();
				assertThat(settings.listener("tcp").unixSocket()).isNull();
				assertThat(settings.listener("tcp").reusePort()).isTrue();
			});
	}

	@Test
	void theServerLevelAddressMayNameAnAbstractSocketWithTheDefaultPermissions() {
		this.notStarted.withPropertyValues("iouring.server.address=unix:@my-app").run((context) -> {
			UnixSocket unix = context.getBean(ServerSettings.class).listener("default").unixSocket();
			assertThat(unix.abstractNamespace()).isTrue();
			assertThat(unix.name()).isEqualTo("my-app");
			assertThat(unix.toString()).isEqualTo("unix:@my-app");
		});
	}

	@Test
	void anIpAddressStillMapsAsBefore() {
		this.notStarted.withPropertyValues("iouring.server.address=127.0.0.1").run((context) -> {
			ListenerSettings listener = context.getBean(ServerSettings.class).listener("default");
			assertThat(listener.address().getHostAddress()).isEqualTo("127.0.0.1");
			assertThat(listener.unixSocket()).isNull();
		});
	}

	@Test
	void aPortOnAUnixListenerFailsStartupNamingIt() {
		this.notStarted
			.withPropertyValues("iouring.server.listeners.local.address=unix:/run/app.sock",
					"iouring.server.listeners.local.port=7000")
			.run((context) -> assertThat(report(context)).contains("Property: iouring.server.listeners.local.port")
				.contains("has no meaning for a listener on the Unix socket unix:/run/app.sock; remove it"));
	}

	@Test
	void reusePortOnAUnixListenerFailsStartupNamingIt() {
		this.notStarted
			.withPropertyValues("iouring.server.listeners.local.address=unix:/run/app.sock",
					"iouring.server.listeners.local.reuse-port=true")
			.run((context) -> assertThat(report(context)).contains("Property: iouring.server.listeners.local.reuse-port")
				.contains("remove it"));
	}

	@Test
	void badPermissionsFailStartupNamingTheProperty() {
		this.notStarted
			.withPropertyValues("iouring.server.listeners.local.address=unix:/run/app.sock",
					"iouring.server.listeners.local.unix-socket-permissions=rwxrwxrwt")
			.run((context) -> assertThat(report(context))
				.contains("Property: iouring.server.listeners.local.unix-socket-permissions")
				.contains("Value: \"rwxrwxrwt\"")
				.contains("permissions must be written like 'rw-rw----' or in octal like '0660'"));
	}

	@Test
	void permissionsOnAnAbstractOrTcpListenerFailStartup() {
		this.notStarted
			.withPropertyValues("iouring.server.listeners.hidden.address=unix:@hidden",
					"iouring.server.listeners.hidden.unix-socket-permissions=0600",
					"iouring.server.listeners.tcp.port=0", "iouring.server.listeners.tcp.unix-socket-permissions=0600")
			.run((context) -> assertThat(report(context))
				.contains("Property: iouring.server.listeners.hidden.unix-socket-permissions")
				.contains("an abstract socket has no file")
				.contains("Property: iouring.server.listeners.tcp.unix-socket-permissions")
				.contains("has no meaning for a listener that is not on a Unix socket file"));
	}

	@Test
	void twoListenersOnOneSocketOrATooLongPathFailStartup() {
		String longPath = "unix:/" + "x".repeat(120);
		this.notStarted
			.withPropertyValues("iouring.server.listeners.a.address=unix:/run/app.sock",
					"iouring.server.listeners.b.address=unix:/run/app.sock",
					"iouring.server.listeners.c.address=" + longPath, "iouring.server.listeners.d.address=unix:")
			.run((context) -> assertThat(report(context)).contains("Property: iouring.server.listeners.b.address")
				.contains("resolves to unix:/run/app.sock, which listener 'a' already uses")
				.contains("Property: iouring.server.listeners.c.address")
				.contains("takes at most 107 bytes")
				.contains("Property: iouring.server.listeners.d.address")
				.contains("a Unix socket needs a path after 'unix:'"));
	}

	@Test
	void anUnresolvableHostFailsStartupNamingTheAddressProperty() {
		this.notStarted.withPropertyValues("iouring.server.address=no-such-host.invalid")
			.run((context) -> assertThat(report(context)).contains("Property: iouring.server.address")
				.contains("is neither an IP address nor a host name this machine resolves"));
	}

	@Test
	void aStartedServerServesTheSocketFileAndPublishesItInsteadOfAPort() throws Exception {
		Path socket = this.dir.resolve("started.sock");
		this.contextRunner.withPropertyValues("iouring.server.event-loops=1", "iouring.server.listeners.tcp.port=0",
				"iouring.server.listeners.local.address=unix:" + socket)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getEnvironment().getProperty("local.iouring.server.local.unix-socket"))
					.isEqualTo("unix:" + socket);
				assertThat(context.getEnvironment().getProperty("local.iouring.server.local.port")).isNull();
				assertThat(context.getEnvironment().getProperty("local.iouring.server.port", Integer.class))
					.isEqualTo(context.getBean(TcpServer.class).port("tcp"));
				assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-rw----");
				try (SocketChannel client = SocketChannel.open(java.net.UnixDomainSocketAddress.of(socket))) {
					client.write(ByteBuffer.wrap("ping".getBytes(StandardCharsets.US_ASCII)));
					ByteBuffer echoed = ByteBuffer.allocate(4);
					BoundedReads.readFully(client, echoed);
					assertThat(new String(echoed.array(), StandardCharsets.US_ASCII)).isEqualTo("ping");
				}
			});
		assertThat(socket).as("removed when the context closed").doesNotExist();
	}

	private static String report(AssertableApplicationContext context) {
		assertThat(context).hasFailed();
		FailureAnalysis analysis = new InvalidIoUringPropertiesFailureAnalyzer().analyze(context.getStartupFailure());
		assertThat(analysis).as("a property report for %s", context.getStartupFailure()).isNotNull();
		return analysis.getDescription();
	}

}
