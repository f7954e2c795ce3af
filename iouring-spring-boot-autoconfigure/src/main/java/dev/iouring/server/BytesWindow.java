package dev.iouring.server;

import java.lang.foreign.MemorySegment;

/**
 * One reusable {@link Bytes} view and the only way to move it. A loop, a codec or an application that
 * hands out views of changing memory many times a second keeps one window and re-points its view
 * instead of allocating a view per message.
 *
 * <p>Moving a view belongs to whoever made it, not to whoever is handed it: a handler receives a
 * {@code Bytes} without its window, so the view it reads cannot be re-pointed under the server's feet,
 * and the server's own windows never leave it. That is why {@code Bytes} itself has no setter.
 *
 * <p>Threads: one owner at a time, like the view it moves.
 */
public final class BytesWindow {

	private final Bytes view = new Bytes();

	/**
	 * Creates a window whose view is empty until {@link #point} moves it.
	 */
	public BytesWindow() {
	}

	/**
	 * Points the view at {@code length} bytes at {@code offset} in a segment. Allocates nothing.
	 * @param segment the memory holding the bytes
	 * @param offset the first byte within {@code segment}
	 * @param length the number of bytes
	 * @return the view, always the same instance
	 * @throws IndexOutOfBoundsException if the range does not lie within {@code segment}
	 */
	public Bytes point(MemorySegment segment, long offset, int length) {
		return this.view.set(segment, offset, length);
	}

	/**
	 * Returns the view, wherever it points now.
	 * @return the view, always the same instance
	 */
	public Bytes view() {
		return this.view;
	}

}
