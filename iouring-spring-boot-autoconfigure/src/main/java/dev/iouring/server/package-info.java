/**
 * The TCP server: what an application writes against, and the engine behind it.
 *
 * <p>An application implements {@link dev.iouring.server.TcpHandler}, reads what arrives through
 * {@link dev.iouring.server.Bytes} views and answers through its {@link dev.iouring.server.Connection};
 * {@link dev.iouring.server.TcpServers} creates a {@link dev.iouring.server.TcpServer} from
 * {@link dev.iouring.server.ServerSettings} on io_uring where the kernel allows it and on NIO elsewhere.
 * Framing lives in {@code dev.iouring.server.codec}, the NIO transport in {@code dev.iouring.server.nio}.
 *
 * <p>Some classes here are public only because the NIO transport, in its own package, shares them with
 * the io_uring one (their documentation says so): the loops, the connections' common half, the
 * statistics and timers. They are not an application API. Plain Java: no Spring, no Micrometer.
 */
@NullMarked
package dev.iouring.server;

import org.jspecify.annotations.NullMarked;
