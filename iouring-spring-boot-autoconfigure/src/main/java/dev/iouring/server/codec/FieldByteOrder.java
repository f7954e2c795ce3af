package dev.iouring.server.codec;

import java.nio.ByteOrder;

/**
 * The byte order of a length field, as the {@code byte-order} option names it ({@code big-endian} or
 * {@code little-endian}). An enum rather than {@link ByteOrder} so that configuration can bind it.
 */
public enum FieldByteOrder {

	/** Most significant byte first: network byte order, the usual choice of wire protocols. */
	BIG_ENDIAN(ByteOrder.BIG_ENDIAN),

	/** Least significant byte first. */
	LITTLE_ENDIAN(ByteOrder.LITTLE_ENDIAN);

	private final ByteOrder byteOrder;

	FieldByteOrder(ByteOrder byteOrder) {
		this.byteOrder = byteOrder;
	}

	/**
	 * Returns the matching NIO byte order.
	 * @return the byte order
	 */
	public ByteOrder toByteOrder() {
		return this.byteOrder;
	}

}
