package dev.iouring.ring;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A counter written by one thread (an event loop) and read by any thread (metrics, Actuator).
 *
 * <p>The writer stores with opaque mode, which on the writer's side costs a plain store and no fence,
 * and never uses a read-modify-write instruction; readers load with opaque mode, so they see a whole
 * value that is at most a little behind. Only the owning thread may call {@link #increment()} or
 * {@link #add(long)}.
 */
public final class SingleWriterCounter {

	private static final VarHandle VALUE;

	static {
		try {
			VALUE = MethodHandles.lookup().findVarHandle(SingleWriterCounter.class, "value", long.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	private long value;

	/**
	 * Adds one. Owner thread only.
	 */
	public void increment() {
		VALUE.setOpaque(this, this.value + 1);
	}

	/**
	 * Adds {@code delta} (which may be negative, for gauges). Owner thread only.
	 * @param delta the amount
	 */
	public void add(long delta) {
		VALUE.setOpaque(this, this.value + delta);
	}

	/**
	 * Returns the current value. Any thread.
	 * @return the value
	 */
	public long get() {
		return (long) VALUE.getOpaque(this);
	}

}
