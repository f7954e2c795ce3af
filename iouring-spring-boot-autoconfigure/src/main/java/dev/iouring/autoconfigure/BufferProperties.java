package dev.iouring.autoconfigure;

import org.springframework.util.unit.DataSize;

/**
 * The provided buffers each event loop receives into.
 */
public class BufferProperties {

	/**
	 * Number of receive buffers per event loop. Must be a power of two.
	 */
	private int count = 1024;

	/**
	 * Size of each receive buffer. If a data size suffix is not specified, bytes will be used.
	 */
	private DataSize size = DataSize.ofKilobytes(16);

	public int getCount() {
		return this.count;
	}

	public void setCount(int count) {
		this.count = count;
	}

	public DataSize getSize() {
		return this.size;
	}

	public void setSize(DataSize size) {
		this.size = size;
	}

}
