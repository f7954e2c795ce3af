package dev.iouring.server;

/**
 * What carries a {@link TcpServer}: the property {@code iouring.server.transport}.
 */
public enum Transport {

	/** io_uring where this process can use it, else NIO (with a warning that says why). */
	AUTO,

	/** io_uring only: starting fails, with the cause, where it cannot be used. */
	IO_URING,

	/** NIO selectors, everywhere; also where io_uring would work. */
	NIO

}
