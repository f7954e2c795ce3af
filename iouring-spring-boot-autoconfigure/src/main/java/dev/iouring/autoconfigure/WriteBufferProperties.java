package dev.iouring.autoconfigure;

import org.springframework.util.unit.DataSize;

/**
 * Bounds on the bytes queued for sending on one connection, bound from
 * {@code iouring.server.write-buffer.*}.
 */
public class WriteBufferProperties {

	/**
	 * Queued outbound bytes per connection above which the server stops reading from it. If a data
	 * size suffix is not specified, bytes will be used.
	 */
	private DataSize highWaterMark = DataSize.ofKilobytes(64);

	/**
	 * Queued outbound bytes per connection below which reading resumes. If a data size suffix is not
	 * specified, bytes will be used.
	 */
	private DataSize lowWaterMark = DataSize.ofKilobytes(32);

	/**
	 * Hard limit on queued outbound bytes per connection: a connection whose queue would grow past it
	 * is closed, and its queued bytes discarded, whatever the handler does. It bounds what a peer
	 * that never reads can make the server hold. If a data size suffix is not specified, bytes will
	 * be used.
	 */
	private DataSize limit = DataSize.ofMegabytes(4);

	public DataSize getLimit() {
		return this.limit;
	}

	public void setLimit(DataSize limit) {
		this.limit = limit;
	}

	public DataSize getHighWaterMark() {
		return this.highWaterMark;
	}

	public void setHighWaterMark(DataSize highWaterMark) {
		this.highWaterMark = highWaterMark;
	}

	public DataSize getLowWaterMark() {
		return this.lowWaterMark;
	}

	public void setLowWaterMark(DataSize lowWaterMark) {
		this.lowWaterMark = lowWaterMark;
	}

}
