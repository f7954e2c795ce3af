/**
 * The NIO fallback transport: the same handler API, codecs, limits and statistics as the io_uring
 * transport, carried by {@link java.nio.channels.Selector} loops instead of rings. It serves where
 * io_uring is missing or blocked (other operating systems, old kernels, containers whose seccomp profile
 * refuses io_uring) and is chosen by {@link dev.iouring.server.TcpServers} when io_uring is unavailable.
 *
 * <p>{@link dev.iouring.server.nio.NioServer} owns the loops; each {@code NioEventLoop} owns one selector,
 * its listening channels and its connections; {@code HandlerDispatcher} calls the application's handler;
 * {@code SendQueue} holds one connection's unsent bytes in buffers from the loop's
 * {@code SendBufferPool}.
 */
@NullMarked
package dev.iouring.server.nio;

import org.jspecify.annotations.NullMarked;
