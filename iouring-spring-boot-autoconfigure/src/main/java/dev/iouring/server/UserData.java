package dev.iouring.server;

/**
 * The 64-bit {@code user_data} of every request a loop submits: what the operation is, which connection
 * (or listener) slot it belongs to, and that slot's generation when it was submitted.
 *
 * <pre>
 *  63      56 55                  32 31                              0
 * +----------+----------------------+--------------------------------+
 * |    op    |  generation (24 bit) |          slot (32 bit)         |
 * +----------+----------------------+--------------------------------+
 * </pre>
 *
 * A completion whose generation differs from the slot's current one belongs to an earlier connection in
 * that slot; it is dropped rather than delivered to the wrong connection.
 */
final class UserData {

	static final int ACCEPT = 1;

	static final int RECV = 2;

	static final int SEND = 3;

	static final int CANCEL = 4;

	static final int WAKEUP = 5;

	static final int LISTENER_CANCEL = 6;

	static final int TIMER = 7;

	static final int GENERATION_MASK = 0xFF_FFFF;

	private UserData() {
	}

	static long encode(int op, int slot, int generation) {
		return ((long) op << 56) | ((long) (generation & GENERATION_MASK) << 32) | (slot & 0xFFFF_FFFFL);
	}

	static int op(long userData) {
		return (int) (userData >>> 56);
	}

	static int generation(long userData) {
		return (int) (userData >>> 32) & GENERATION_MASK;
	}

	static int slot(long userData) {
		return (int) userData;
	}

	static String opName(int op) {
		return switch (op) {
			case ACCEPT -> "accept";
			case RECV -> "recv";
			case SEND -> "send";
			case CANCEL -> "cancel";
			case WAKEUP -> "wakeup";
			case LISTENER_CANCEL -> "listener-cancel";
			case TIMER -> "timer";
			default -> "op-" + op;
		};
	}

}
