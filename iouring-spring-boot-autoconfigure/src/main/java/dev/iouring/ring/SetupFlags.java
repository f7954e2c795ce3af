package dev.iouring.ring;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code io_uring_params.flags} bits ({@code IORING_SETUP_*} in {@code include/uapi/linux/io_uring.h}).
 * The field is a {@code __u32}; every value here fits an {@code int}.
 */
public final class SetupFlags {

	public static final int IOPOLL = 1;
	public static final int SQPOLL = 1 << 1;
	public static final int SQ_AFF = 1 << 2;
	public static final int CQSIZE = 1 << 3;
	public static final int CLAMP = 1 << 4;
	public static final int ATTACH_WQ = 1 << 5;
	public static final int R_DISABLED = 1 << 6;
	public static final int SUBMIT_ALL = 1 << 7;
	public static final int COOP_TASKRUN = 1 << 8;
	public static final int TASKRUN_FLAG = 1 << 9;
	public static final int SQE128 = 1 << 10;
	public static final int CQE32 = 1 << 11;
	public static final int SINGLE_ISSUER = 1 << 12;
	public static final int DEFER_TASKRUN = 1 << 13;
	public static final int NO_MMAP = 1 << 14;
	public static final int REGISTERED_FD_ONLY = 1 << 15;
	public static final int NO_SQARRAY = 1 << 16;

	private static final String[] NAMES = { "IOPOLL", "SQPOLL", "SQ_AFF", "CQSIZE", "CLAMP", "ATTACH_WQ",
			"R_DISABLED", "SUBMIT_ALL", "COOP_TASKRUN", "TASKRUN_FLAG", "SQE128", "CQE32", "SINGLE_ISSUER",
			"DEFER_TASKRUN", "NO_MMAP", "REGISTERED_FD_ONLY", "NO_SQARRAY" };

	private SetupFlags() {
	}

	/**
	 * Names the bits set in {@code flags}, lowest first.
	 * @param flags setup flags
	 * @return the names, e.g. {@code [CQSIZE, SUBMIT_ALL, SINGLE_ISSUER, DEFER_TASKRUN]}
	 */
	public static List<String> names(int flags) {
		List<String> names = new ArrayList<>();
		for (int bit = 0; bit < 32; bit++) {
			if ((flags & (1 << bit)) != 0) {
				names.add((bit < NAMES.length) ? NAMES[bit] : "BIT_" + bit);
			}
		}
		return names;
	}

}
