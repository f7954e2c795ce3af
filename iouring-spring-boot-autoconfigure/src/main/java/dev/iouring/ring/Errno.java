package dev.iouring.ring;

/**
 * Linux errno values (from {@code include/uapi/asm-generic/errno-base.h} and {@code errno.h}, identical on
 * x86_64 and aarch64) and their symbolic names, so every error message can say {@code EPERM} rather
 * than {@code -1}.
 */
public final class Errno {

	public static final int EPERM = 1;
	public static final int ENOENT = 2;
	public static final int EINTR = 4;
	public static final int EIO = 5;
	public static final int EBADF = 9;
	public static final int EAGAIN = 11;
	public static final int ENOMEM = 12;
	public static final int EACCES = 13;
	public static final int EFAULT = 14;
	public static final int EBUSY = 16;
	public static final int EEXIST = 17;
	public static final int EINVAL = 22;
	public static final int ENFILE = 23;
	public static final int EMFILE = 24;
	public static final int EPIPE = 32;
	public static final int ENOSYS = 38;
	public static final int ETIME = 62;
	public static final int EOVERFLOW = 75;
	public static final int ENOTSOCK = 88;
	public static final int EOPNOTSUPP = 95;
	public static final int EAFNOSUPPORT = 97;
	public static final int EADDRINUSE = 98;
	public static final int EADDRNOTAVAIL = 99;
	public static final int ECONNABORTED = 103;
	public static final int ECONNRESET = 104;
	public static final int ENOBUFS = 105;
	public static final int ENOTCONN = 107;
	public static final int ETIMEDOUT = 110;
	public static final int ECONNREFUSED = 111;
	public static final int EALREADY = 114;
	public static final int ECANCELED = 125;

	private static final String[] NAMES = new String[134];

	static {
		name(EPERM, "EPERM");
		name(ENOENT, "ENOENT");
		name(EINTR, "EINTR");
		name(EIO, "EIO");
		name(EBADF, "EBADF");
		name(EAGAIN, "EAGAIN");
		name(ENOMEM, "ENOMEM");
		name(EACCES, "EACCES");
		name(EFAULT, "EFAULT");
		name(EBUSY, "EBUSY");
		name(EEXIST, "EEXIST");
		name(EINVAL, "EINVAL");
		name(ENFILE, "ENFILE");
		name(EMFILE, "EMFILE");
		name(EPIPE, "EPIPE");
		name(ENOSYS, "ENOSYS");
		name(ETIME, "ETIME");
		name(EOVERFLOW, "EOVERFLOW");
		name(ENOTSOCK, "ENOTSOCK");
		name(EOPNOTSUPP, "EOPNOTSUPP");
		name(EAFNOSUPPORT, "EAFNOSUPPORT");
		name(EADDRINUSE, "EADDRINUSE");
		name(EADDRNOTAVAIL, "EADDRNOTAVAIL");
		name(ECONNABORTED, "ECONNABORTED");
		name(ECONNRESET, "ECONNRESET");
		name(ENOBUFS, "ENOBUFS");
		name(ENOTCONN, "ENOTCONN");
		name(ETIMEDOUT, "ETIMEDOUT");
		name(ECONNREFUSED, "ECONNREFUSED");
		name(EALREADY, "EALREADY");
		name(ECANCELED, "ECANCELED");
	}

	private Errno() {
	}

	private static void name(int errno, String name) {
		NAMES[errno] = name;
	}

	/**
	 * Returns the symbolic name of an errno value; a negative value (as in a CQE's {@code res}) is
	 * treated as its absolute value.
	 * @param errno the error number, positive or negated
	 * @return the name, e.g. {@code ECONNRESET}, or {@code errno N} when unknown
	 */
	public static String name(int errno) {
		int value = Math.abs(errno);
		String name = (value < NAMES.length) ? NAMES[value] : null;
		return (name != null) ? name : "errno " + value;
	}

}
