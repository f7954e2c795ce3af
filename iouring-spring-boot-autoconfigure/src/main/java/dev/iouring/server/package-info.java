/**
 * The TCP server: what an application writes against, and the engine behind it.
 *
 * <p>An application implements {@link dev.iouring.server.TcpHandler}, reads what arrives through
 * {@link dev.iouring.server.Bytes} views and answers through its {@link dev.iouring.server.Connection};
 * {@link dev.iouring.server.TcpServers} creates a {@link dev.iouring.server.TcpServer} from
 * {@link dev.iouring.server.ServerSettings} on io_uring where the kernel allows it and on NIO elsewhere.
 * Framing lives in {@code dev.iouring.server.codec}.
 *
 * <p>Only what an application touches is public. The engine behind it is package-private: the
 * {@code ConnectionCore} decides what every connection does (opening, dispatch to the handler, the close
 * state machine with lingering, backpressure, deadlines, statistics), written once; two transports only
 * move bytes for it, io_uring ({@code UringEventLoop}, {@code UringSocket}) and NIO
 * ({@code NioEventLoop}, {@code NioSocket}), each through the {@code ConnectionIo} interface. Plain Java:
 * no Spring, no Micrometer.
 */
@NullMarked
package dev.iouring.server;

import org.jspecify.annotations.NullMarked;
