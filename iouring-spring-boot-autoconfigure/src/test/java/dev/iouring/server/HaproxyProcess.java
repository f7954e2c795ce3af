package dev.iouring.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;

/**
 * A real HAProxy ({@code haproxy -f cfg -db}, Debian package {@code haproxy}, which {@code .ci/run}
 * installs) relaying a loopback frontend port to a backend port in TCP mode and prepending a PROXY
 * protocol header to each connection, for tests that check what the server makes of what HAProxy
 * actually sends. Health checks are off, so every backend connection is a relayed client.
 *
 * <p>A second frontend that refuses every connection tells when HAProxy is up: it binds all its
 * listeners before serving, so once that port accepts, the relaying one does too, and probing it sends
 * nothing to the backend. {@link #close()} stops the process and waits for it.
 */
final class HaproxyProcess implements AutoCloseable {

	/** What HAProxy sends the backend ahead of each connection, as its {@code server} line says it. */
	enum Sender {

		/** The v1 text line: {@code send-proxy}. */
		V1("send-proxy"),

		/** The v2 binary block with addresses only: {@code send-proxy-v2}. */
		V2("send-proxy-v2"),

		/**
		 * The v2 block with TLVs: the TLS details ({@code send-proxy-v2-ssl}; a plain client gets an
		 * SSL TLV saying so), a CRC32c checksum and the unique id of the frontend's
		 * {@code unique-id-format}.
		 */
		V2_WITH_TLVS("send-proxy-v2-ssl proxy-v2-options crc32c,unique-id");

		private final String serverOptions;

		Sender(String serverOptions) {
			this.serverOptions = serverOptions;
		}

	}

	/** The frontend's unique id: client endpoint, then a fixed marker the tests look for. */
	static final String UNIQUE_ID_PREFIX = "iouring-test-";

	private static final List<Path> LOCATIONS = List.of(Path.of("/usr/sbin/haproxy"), Path.of("/usr/bin/haproxy"),
			Path.of("/usr/local/sbin/haproxy"), Path.of("/usr/local/bin/haproxy"));

	private static final Duration STARTUP = Duration.ofSeconds(20);

	private static final int START_ATTEMPTS = 3;

	private final Process process;

	private final int port;

	private final Path log;

	private HaproxyProcess(Process process, int port, Path log) {
		this.process = process;
		this.port = port;
		this.log = log;
	}

	/**
	 * Finds the haproxy binary, skipping the calling test (a JUnit assumption) when there is none.
	 * @return the binary
	 */
	static Path binary() {
		Optional<Path> found = Stream
			.concat(Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
				.filter((dir) -> !dir.isEmpty())
				.map((dir) -> Path.of(dir, "haproxy")), LOCATIONS.stream())
			.filter(Files::isExecutable)
			.findFirst();
		Assumptions.assumeTrue(found.isPresent(),
				"haproxy is not installed (apt-get install haproxy; .ci/run installs it)");
		return found.get();
	}

	/**
	 * Starts HAProxy in front of a backend.
	 * @param dir a directory for the configuration and the log (a {@code @TempDir})
	 * @param backendPort the loopback port HAProxy relays to
	 * @param sender the header it sends
	 * @return the running process, its frontend accepting
	 * @throws IOException if HAProxy does not come up; the message holds its output
	 */
	static HaproxyProcess start(Path dir, int backendPort, Sender sender) throws IOException, InterruptedException {
		Path binary = binary();
		IOException failure = null;
		// A port found free may be taken before HAProxy binds it; another pair is tried then.
		for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
			int port = freePort();
			int readyPort = freePort();
			Path config = dir.resolve("haproxy-" + attempt + ".cfg");
			Files.writeString(config, config(port, readyPort, backendPort, sender), StandardCharsets.US_ASCII);
			Path log = dir.resolve("haproxy-" + attempt + ".log");
			Process process = new ProcessBuilder(binary.toString(), "-f", config.toString(), "-db")
				.redirectErrorStream(true)
				.redirectOutput(log.toFile())
				.start();
			HaproxyProcess haproxy = new HaproxyProcess(process, port, log);
			if (haproxy.awaitAccepting(readyPort)) {
				return haproxy;
			}
			haproxy.close();
			failure = new IOException("haproxy did not accept on 127.0.0.1:" + readyPort + " within " + STARTUP
					+ " (attempt " + attempt + "); its output: " + Files.readString(log));
		}
		throw failure;
	}

	/**
	 * Returns the frontend port clients connect to.
	 * @return the port on 127.0.0.1
	 */
	int port() {
		return this.port;
	}

	/**
	 * Returns what HAProxy printed so far, for assertion messages.
	 * @return its output
	 */
	String output() throws IOException {
		return Files.readString(this.log);
	}

	@Override
	public void close() throws InterruptedException {
		this.process.destroy();
		if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
			this.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
		}
	}

	private static String config(int port, int readyPort, int backendPort, Sender sender) {
		return String.join("\n", "global", "  maxconn 256", "defaults", "  mode tcp", "  timeout connect 5s",
				"  timeout client 30s", "  timeout server 30s", "frontend relay", "  bind 127.0.0.1:" + port,
				"  unique-id-format " + UNIQUE_ID_PREFIX + "%ci:%cp", "  default_backend app", "frontend ready",
				"  bind 127.0.0.1:" + readyPort, "  tcp-request connection reject", "backend app",
				"  server app 127.0.0.1:" + backendPort + " " + sender.serverOptions, "");
	}

	private boolean awaitAccepting(int readyPort) throws InterruptedException {
		long deadline = System.nanoTime() + STARTUP.toNanos();
		while (System.nanoTime() < deadline && this.process.isAlive()) {
			try (Socket probe = new Socket()) {
				probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), readyPort), 1000);
				return true;
			}
			catch (IOException notYet) {
				this.process.waitFor(50, TimeUnit.MILLISECONDS);
			}
		}
		return false;
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

}
