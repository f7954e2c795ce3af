package dev.iouring.server;

import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.iouring.ring.IoUring;
import dev.iouring.ring.IoUringUnavailableException;

/**
 * Creates the {@link TcpServer} of a {@link Transport}. Where {@link Transport#AUTO} falls back to NIO it
 * logs one warning with the probe's cause and that cause's fix ({@link IoUringFixes}).
 */
public final class TcpServers {

	private static final Logger logger = LoggerFactory.getLogger(TcpServers.class);

	private TcpServers() {
	}

	/**
	 * Creates a server on the given transport; nothing is opened until it starts.
	 * @param settings the server settings
	 * @param transport the transport, {@link Transport#AUTO} to use io_uring where it works
	 * @return the server
	 * @throws IoUringUnavailableException if {@link Transport#IO_URING} is asked for and cannot be used
	 */
	public static TcpServer create(ServerSettings settings, Transport transport) {
		return create(settings, transport, IoUring::availability);
	}

	/**
	 * Creates a server as {@link #create(ServerSettings, Transport)} does, asking the io_uring probe only
	 * when the transport depends on it: probing links native calls and sets up a ring, work a NIO server
	 * has no use for. Tests pass the result of a probe that failed.
	 */
	static TcpServer create(ServerSettings settings, Transport transport, Supplier<IoUring.Availability> probe) {
		return switch (transport) {
			case NIO -> new NioServer(settings);
			case IO_URING -> {
				IoUring.Availability ioUring = probe.get();
				if (!ioUring.available()) {
					throw new IoUringUnavailableException(ioUring.reason(),
							"io_uring is not available: " + ioUring.cause());
				}
				yield new IoUringServer(settings);
			}
			case AUTO -> {
				IoUring.Availability ioUring = probe.get();
				if (ioUring.available()) {
					yield new IoUringServer(settings);
				}
				String fix = IoUringFixes.fix(ioUring.reason());
				logger.warn("io_uring is not available, so the server uses the NIO transport: {}.{}", ioUring.cause(),
						fix.isEmpty() ? "" : " To use io_uring, " + fix);
				yield new NioServer(settings);
			}
		};
	}

}
