package dev.iouring.ring;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * An eventfd used to wake an event loop from other threads: the loop keeps a read of it armed in its
 * ring, and {@link #signal()} makes that read complete.
 */
public final class EventFd implements AutoCloseable {

	/** EFD_CLOEXEC (= O_CLOEXEC, include/uapi/asm-generic/fcntl.h). */
	static final int EFD_CLOEXEC = 02000000;

	private static final ThreadLocal<MemorySegment> ONE = ThreadLocal.withInitial(() -> {
		MemorySegment one = Arena.ofAuto().allocate(ValueLayout.JAVA_LONG);
		one.set(ValueLayout.JAVA_LONG, 0, 1L);
		return one;
	});

	private final int fd;

	/** Guarded by this: signal and close exclude each other, so a signal never hits a reused fd number. */
	private boolean closed;

	private EventFd(int fd) {
		this.fd = fd;
	}

	/**
	 * Creates an eventfd with counter 0.
	 * @return the eventfd
	 */
	public static EventFd create() {
		try {
			MemorySegment capture = LibC.capture();
			int fd = (int) LibC.call(capture, LibC.SYS_EVENTFD2, 0, EFD_CLOEXEC);
			if (fd < 0) {
				throw new NativeCallException("eventfd", LibC.errno(capture), "");
			}
			return new EventFd(fd);
		}
		catch (Throwable ex) {
			throw LibC.rethrow(ex);
		}
	}

	/**
	 * Returns the descriptor (for the loop's armed read).
	 * @return the fd
	 */
	public int fd() {
		return this.fd;
	}

	/**
	 * Adds one to the counter, completing a pending read. Any thread; a signal after close is ignored.
	 * Loops signal only when they are about to block, so the lock is rarely contended.
	 */
	public synchronized void signal() {
		if (this.closed) {
			return;
		}
		try {
			long ignored = LibC.call(LibC.capture(), LibC.SYS_WRITE, this.fd, ONE.get().address(), 8L);
		}
		catch (Throwable ex) {
			throw LibC.rethrow(ex);
		}
	}

	/**
	 * Closes the descriptor. Idempotent.
	 */
	@Override
	public synchronized void close() {
		if (!this.closed) {
			this.closed = true;
			Sockets.close(this.fd);
		}
	}

}
