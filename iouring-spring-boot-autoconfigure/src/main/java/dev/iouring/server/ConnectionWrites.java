package dev.iouring.server;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The write side of one loop's connections, for both transports: a write is admitted (open, not shut
 * down, within the write limit), passes the connection's stages if it has any, and is copied into its
 * outbound queue; the connection joins the list flushed once per turn, and passing the high water mark
 * stops its reading and tells the handler. A write past the limit closes the connection with
 * {@link CloseReason#OUTBOUND_OVERFLOW} instead of queueing without bound, and so does a write that finds
 * no send memory because the JVM's direct memory limit is reached: many peers that do not read can reach
 * it together, each within the write limit, and then only the connection that needed more memory ends.
 *
 * <p>Threads: the loop thread only.
 */
final class ConnectionWrites {

	private final ConnectionCore core;

	private final long highWaterMark;

	private ServedConnection[] flushList = new ServedConnection[64];

	private int flushCount;

	ConnectionWrites(ConnectionCore core, long highWaterMark) {
		this.core = core;
		this.highWaterMark = highWaterMark;
	}

	/**
	 * Hands every connection written to since the last flush to its socket. Handlers called from here
	 * may write again: those connections are appended and handled in the same pass.
	 */
	void flush() {
		for (int i = 0; i < this.flushCount; i++) {
			ServedConnection connection = this.flushList[i];
			this.flushList[i] = null;
			connection.inFlushList = false;
			if (connection.state != ServedConnection.CLOSED && !connection.outbound.isEmpty()) {
				try {
					connection.io.send(connection);
				}
				catch (Throwable ex) {
					this.core.failed(connection, "send", ex);
				}
			}
		}
		this.flushCount = 0;
	}

	void write(ServedConnection connection, MemorySegment source, long offset, int length) {
		if (admits(connection, length)) {
			if (connection.pipeline != null) {
				connection.pipeline.outbound(source, offset, length);
			}
			else {
				queue(connection, source, offset, length);
			}
		}
	}

	void write(ServedConnection connection, byte[] source, int offset, int length) {
		if (admits(connection, length)) {
			if (connection.pipeline != null) {
				connection.pipeline.outbound(MemorySegment.ofArray(source), offset, length);
			}
			else if (connection.outbound.append(source, offset, length)) {
				queued(connection);
			}
			else {
				starved(connection);
			}
		}
	}

	/**
	 * Queues bytes for the socket as they are (past the stages). A stage may still emit bytes while the
	 * connection closes (a TLS alert or close_notify); once the sending side is shut down they are dropped.
	 */
	void queue(ServedConnection connection, MemorySegment source, long offset, int length) {
		if (connection.state == ServedConnection.CLOSED || connection.outputShutDown
				|| connection.outbound.starved()) {
			return;
		}
		if (connection.outbound.append(source, offset, length)) {
			queued(connection);
		}
		else {
			starved(connection);
		}
	}

	/**
	 * The connection's queue found no send memory: it is counted and logged, and it closes as an
	 * overflow. A stage may be in the middle of its own work (a TLS wrap, whose buffers a close would
	 * release), so a connection with stages closes from the loop's task queue; meanwhile its starved queue
	 * takes no more bytes.
	 */
	private void starved(ServedConnection connection) {
		if (!connection.memoryRefused) {
			connection.memoryRefused = true;
			this.core.loop.stats.error("write", "OutOfDirectMemory");
			this.core.faults.log().warn("Closing {}: no direct memory left for the bytes it queues for sending "
					+ "(-XX:MaxDirectMemorySize, by default the maximum heap size, is reached; raise it, or lower "
					+ "iouring.server.write-buffer.limit or max-connections)", connection);
		}
		if (connection.pipeline == null) {
			this.core.closeNow(connection, CloseReason.OUTBOUND_OVERFLOW);
		}
		else {
			this.core.loop.execute(() -> this.core.closeNow(connection, CloseReason.OUTBOUND_OVERFLOW));
		}
	}

	private boolean admits(ServedConnection connection, int length) {
		if (connection.state != ServedConnection.OPEN || connection.outputShutdownRequested || length == 0) {
			return false;
		}
		if (this.core.faults.overflows(connection, connection.outbound.bytes(), length)) {
			this.core.closeNow(connection, CloseReason.OUTBOUND_OVERFLOW);
			return false;
		}
		return true;
	}

	private void queued(ServedConnection connection) {
		connection.queuedBytesChanged();
		if (!connection.inFlushList) {
			connection.inFlushList = true;
			if (this.flushCount == this.flushList.length) {
				this.flushList = Arrays.copyOf(this.flushList, this.flushCount * 2);
			}
			this.flushList[this.flushCount++] = connection;
		}
		if (!connection.unwritable && connection.outbound.bytes() > this.highWaterMark) {
			connection.unwritable = true;
			connection.publishWritable(false);
			connection.io.readingChanged(connection);
			this.core.dispatcher.writabilityChanged(connection, false);
		}
	}

}
