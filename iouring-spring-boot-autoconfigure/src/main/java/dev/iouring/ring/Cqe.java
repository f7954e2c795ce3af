package dev.iouring.ring;

/**
 * Completion queue entry flags ({@code IORING_CQE_F_*} in {@code include/uapi/linux/io_uring.h}) and
 * helpers to read them.
 */
public final class Cqe {

	/** The upper 16 bits of {@code flags} hold a provided buffer's id. */
	public static final int F_BUFFER = 1;

	/** The request stays armed (multishot): more completions will follow. */
	public static final int F_MORE = 1 << 1;

	/** The socket had more data after this receive. */
	public static final int F_SOCK_NONEMPTY = 1 << 2;

	/** A zero-copy send notification, not a send result. */
	public static final int F_NOTIF = 1 << 3;

	/** Incrementally consumed buffer: the kernel keeps using the same buffer. */
	public static final int F_BUF_MORE = 1 << 4;

	/** {@code IORING_CQE_BUFFER_SHIFT}. */
	public static final int BUFFER_SHIFT = 16;

	private Cqe() {
	}

	/**
	 * Returns whether the completion carries a provided buffer.
	 * @param flags CQE flags
	 * @return whether {@link #F_BUFFER} is set
	 */
	public static boolean hasBuffer(int flags) {
		return (flags & F_BUFFER) != 0;
	}

	/**
	 * Returns whether a multishot request stays armed.
	 * @param flags CQE flags
	 * @return whether {@link #F_MORE} is set
	 */
	public static boolean hasMore(int flags) {
		return (flags & F_MORE) != 0;
	}

	/**
	 * Returns the provided buffer id of a completion that has one.
	 * @param flags CQE flags
	 * @return the buffer id
	 */
	public static int bufferId(int flags) {
		return flags >>> BUFFER_SHIFT;
	}

}
