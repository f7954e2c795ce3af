package dev.iouring.ring;

/**
 * io_uring operation codes: {@code enum io_uring_op} in the kernel's {@code include/uapi/linux/io_uring.h}.
 * Only the ones this project issues or reports on are named.
 */
public final class Opcode {

	public static final int NOP = 0;
	public static final int SENDMSG = 9;
	public static final int TIMEOUT = 11;
	public static final int ACCEPT = 13;
	public static final int ASYNC_CANCEL = 14;
	public static final int CLOSE = 19;
	public static final int READ = 22;
	public static final int WRITE = 23;
	public static final int SEND = 26;
	public static final int RECV = 27;
	public static final int SHUTDOWN = 34;
	public static final int SEND_ZC = 47;
	public static final int SENDMSG_ZC = 48;
	public static final int READ_MULTISHOT = 49;

	private Opcode() {
	}

	/**
	 * Returns a readable name for an opcode this project cares about.
	 * @param opcode the opcode
	 * @return the name, e.g. {@code RECV}, or {@code OP_N}
	 */
	public static String name(int opcode) {
		return switch (opcode) {
			case NOP -> "NOP";
			case SENDMSG -> "SENDMSG";
			case TIMEOUT -> "TIMEOUT";
			case ACCEPT -> "ACCEPT";
			case ASYNC_CANCEL -> "ASYNC_CANCEL";
			case CLOSE -> "CLOSE";
			case READ -> "READ";
			case WRITE -> "WRITE";
			case SEND -> "SEND";
			case RECV -> "RECV";
			case SHUTDOWN -> "SHUTDOWN";
			case SEND_ZC -> "SEND_ZC";
			case SENDMSG_ZC -> "SENDMSG_ZC";
			case READ_MULTISHOT -> "READ_MULTISHOT";
			default -> "OP_" + opcode;
		};
	}

}
