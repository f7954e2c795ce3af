package dev.iouring.server;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

/**
 * One loop's direct buffer allocations, for its send chunks and TLS buffers alike, which draw on the
 * same direct memory limit ({@code -XX:MaxDirectMemorySize}, by default the maximum heap size).
 *
 * <p>Before it refuses, the JDK collects garbage and waits up to about half a second for cleaners: a
 * stall of the loop that a stream of greedy peers must not repeat on every write. So after a refusal
 * the loop asks again only once some of its direct memory came back (a chunk or TLS buffer returned
 * to either pool) or {@link #RETRY_AFTER_REFUSAL_NANOS} passed; until then {@link #allocate} answers
 * {@code null} at once.
 *
 * <p>Threads: the owning loop only.
 */
final class DirectMemoryRefusals {

	/** How long after a refusal the loop answers at once, unless memory came back first. */
	static final long RETRY_AFTER_REFUSAL_NANOS = TimeUnit.SECONDS.toNanos(1);

	private boolean refused;

	private long refusedAtNanos;

	/**
	 * Allocates a direct buffer, or answers {@code null} when the direct memory limit refuses it (now,
	 * or a moment ago with nothing returned since). Any other {@link OutOfMemoryError} is thrown on.
	 * @param size the bytes
	 * @return the buffer, or {@code null}
	 */
	@Nullable ByteBuffer allocate(int size) {
		if (this.refused && System.nanoTime() - this.refusedAtNanos < RETRY_AFTER_REFUSAL_NANOS) {
			return null;
		}
		try {
			ByteBuffer buffer = ByteBuffer.allocateDirect(size);
			this.refused = false;
			return buffer;
		}
		catch (OutOfMemoryError ex) {
			if (!isDirectMemoryLimit(ex)) {
				throw ex;
			}
			this.refused = true;
			this.refusedAtNanos = System.nanoTime();
			return null;
		}
	}

	/** Some direct memory came back to one of the loop's pools. */
	void returned() {
		this.refused = false;
	}

	/**
	 * Whether an {@code OutOfMemoryError} from {@code allocateDirect} is the direct memory limit refusing
	 * the reservation ({@code java.nio.Bits}: "Cannot reserve N bytes of direct buffer memory"). Any other
	 * one (the heap, or the system refusing the allocation itself) is not.
	 */
	static boolean isDirectMemoryLimit(OutOfMemoryError error) {
		String message = error.getMessage();
		return message != null && message.contains("direct buffer memory");
	}

}
