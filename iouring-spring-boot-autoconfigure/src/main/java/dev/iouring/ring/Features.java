package dev.iouring.ring;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code io_uring_params.features} bits the kernel reports ({@code IORING_FEAT_*} in
 * {@code include/uapi/linux/io_uring.h}).
 */
public final class Features {

	public static final int SINGLE_MMAP = 1;
	public static final int NODROP = 1 << 1;
	public static final int SUBMIT_STABLE = 1 << 2;
	public static final int RW_CUR_POS = 1 << 3;
	public static final int CUR_PERSONALITY = 1 << 4;
	public static final int FAST_POLL = 1 << 5;
	public static final int POLL_32BITS = 1 << 6;
	public static final int SQPOLL_NONFIXED = 1 << 7;
	public static final int EXT_ARG = 1 << 8;
	public static final int NATIVE_WORKERS = 1 << 9;
	public static final int RSRC_TAGS = 1 << 10;
	public static final int CQE_SKIP = 1 << 11;
	public static final int LINKED_FILE = 1 << 12;
	public static final int REG_REG_RING = 1 << 13;
	public static final int RECVSEND_BUNDLE = 1 << 14;
	public static final int MIN_TIMEOUT = 1 << 15;

	private static final String[] NAMES = { "SINGLE_MMAP", "NODROP", "SUBMIT_STABLE", "RW_CUR_POS",
			"CUR_PERSONALITY", "FAST_POLL", "POLL_32BITS", "SQPOLL_NONFIXED", "EXT_ARG", "NATIVE_WORKERS",
			"RSRC_TAGS", "CQE_SKIP", "LINKED_FILE", "REG_REG_RING", "RECVSEND_BUNDLE", "MIN_TIMEOUT", "RW_ATTR",
			"NO_IOWAIT" };

	private Features() {
	}

	/**
	 * Names the bits set in {@code features}, lowest first.
	 * @param features feature bits
	 * @return the names
	 */
	public static List<String> names(int features) {
		List<String> names = new ArrayList<>();
		for (int bit = 0; bit < 32; bit++) {
			if ((features & (1 << bit)) != 0) {
				names.add((bit < NAMES.length) ? NAMES[bit] : "BIT_" + bit);
			}
		}
		return names;
	}

}
