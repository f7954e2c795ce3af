package dev.iouring.ring;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the native memory the io_uring layer holds right now (ring mappings, buffer rings, connection
 * send buffers), so tests and diagnostics can check that everything reserved is released.
 * Updated only when memory is reserved or released, never per message.
 */
public final class NativeMemory {

	private static final AtomicLong RESERVED = new AtomicLong();

	private NativeMemory() {
	}

	/**
	 * Records memory reserved.
	 * @param bytes the size
	 */
	public static void reserved(long bytes) {
		RESERVED.addAndGet(bytes);
	}

	/**
	 * Records memory released.
	 * @param bytes the size
	 */
	public static void released(long bytes) {
		RESERVED.addAndGet(-bytes);
	}

	/**
	 * Returns the bytes held right now by every ring, buffer ring and connection buffer of this JVM.
	 * @return reserved bytes
	 */
	public static long reservedBytes() {
		return RESERVED.get();
	}

}
