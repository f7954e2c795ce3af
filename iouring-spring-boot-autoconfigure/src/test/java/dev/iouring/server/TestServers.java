package dev.iouring.server;

import dev.iouring.ring.IoUringAssumptions;

/**
 * Creates the servers of tests that run on each transport.
 */
public final class TestServers {

	private TestServers() {
	}

	/**
	 * Creates a server on a transport, skipping the test where that transport cannot run here.
	 * @param transport {@link Transport#IO_URING} or {@link Transport#NIO}
	 * @param settings the settings
	 * @return the server, not started
	 */
	public static TcpServer create(Transport transport, ServerSettings settings) {
		if (transport == Transport.IO_URING) {
			IoUringAssumptions.assumeIoUring();
		}
		TcpServer server = TcpServers.create(settings, transport);
		if (!server.transport().equals((transport == Transport.NIO) ? "nio" : "io_uring")) {
			throw new IllegalStateException("asked for " + transport + " but got " + server.transport());
		}
		return server;
	}

}
