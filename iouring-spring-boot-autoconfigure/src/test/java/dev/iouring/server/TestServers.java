package dev.iouring.server;

import dev.iouring.ring.IoUringAssumptions;
import dev.iouring.ring.RingOptions;

/**
 * Creates the servers of tests that run on each transport.
 */
public final class TestServers {

	private TestServers() {
	}

	/**
	 * Skips the calling test where a transport cannot run here, for tests that start their server some
	 * other way (a Spring context, a child JVM). Where the environment variable
	 * {@value IoUringAssumptions#REQUIRED} is {@code true} a missing io_uring fails the test instead.
	 * @param transport {@link Transport#IO_URING} or {@link Transport#NIO}
	 */
	public static void assumeAvailable(Transport transport) {
		if (transport == Transport.IO_URING) {
			IoUringAssumptions.assumeIoUring();
		}
	}

	/**
	 * Creates a server on a transport, skipping the test where that transport cannot run here (or failing
	 * it, as {@link #assumeAvailable(Transport)} says).
	 * @param transport {@link Transport#IO_URING} or {@link Transport#NIO}
	 * @param settings the settings
	 * @return the server, not started
	 */
	public static TcpServer create(Transport transport, ServerSettings settings) {
		assumeAvailable(transport);
		TcpServer server = TcpServers.create(settings, transport);
		if (!server.transport().equals((transport == Transport.NIO) ? "nio" : "io_uring")) {
			throw new IllegalStateException("asked for " + transport + " but got " + server.transport());
		}
		return server;
	}

	/**
	 * Starts a small one-loop server with one TLS listener named {@code tls} on a free port, skipping the
	 * test where the transport cannot run here (as {@link #create} does).
	 * @param transport {@link Transport#IO_URING} or {@link Transport#NIO}
	 * @param tls the listener's TLS
	 * @param handler the listener's handler
	 * @return the started server
	 */
	public static TcpServer startTls(Transport transport, TlsSettings tls, TcpHandler handler) {
		TcpServer server = create(transport, ServerSettings.builder()
			.ring(RingOptions.of(256, 1024))
			.buffers(256, 4096)
			.eventLoops(1)
			.listener(ListenerSettings.of("tls", 0, handler).withTls(tls))
			.build());
		server.start();
		return server;
	}

}
