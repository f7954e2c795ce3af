package dev.iouring.server;

import dev.iouring.ring.SingleWriterCounter;

/**
 * What one event loop counted for one listener. Written by that loop only; read from any thread (values
 * may lag by a loop turn). Instances live as long as the server, so meters can read them after stop.
 */
public final class ListenerStats {

	private final String listener;

	private final int loop;

	final SingleWriterCounter accepted = new SingleWriterCounter();

	final SingleWriterCounter rejected = new SingleWriterCounter();

	final SingleWriterCounter active = new SingleWriterCounter();

	final SingleWriterCounter bytesReceived = new SingleWriterCounter();

	final SingleWriterCounter bytesSent = new SingleWriterCounter();

	final SingleWriterCounter framesReceived = new SingleWriterCounter();

	private final SingleWriterCounter[] closed = new SingleWriterCounter[CloseReason.values().length];

	/**
	 * Creates the statistics of one loop for one listener. For transports: the loop owns the instance
	 * and is its only writer.
	 * @param listener the listener name
	 * @param loop the loop index
	 */
	public ListenerStats(String listener, int loop) {
		this.listener = listener;
		this.loop = loop;
		for (int i = 0; i < this.closed.length; i++) {
			this.closed[i] = new SingleWriterCounter();
		}
	}

	/**
	 * Writer methods, for the owning loop of a transport only.
	 */
	public void countAccepted() {
		this.accepted.increment();
		this.active.increment();
	}

	public void countRejected() {
		this.rejected.increment();
	}

	public void countClose(CloseReason reason) {
		this.closed[reason.ordinal()].increment();
		this.active.add(-1);
	}

	public void countReceived(long bytes) {
		this.bytesReceived.add(bytes);
	}

	public void countSent(long bytes) {
		this.bytesSent.add(bytes);
	}

	public void countFrame() {
		this.framesReceived.increment();
	}

	public String listener() {
		return this.listener;
	}

	public int loop() {
		return this.loop;
	}

	public long accepted() {
		return this.accepted.get();
	}

	/** Connections closed at accept because the listener was at max-connections. */
	public long rejected() {
		return this.rejected.get();
	}

	public long active() {
		return this.active.get();
	}

	public long bytesReceived() {
		return this.bytesReceived.get();
	}

	public long bytesSent() {
		return this.bytesSent.get();
	}

	public long framesReceived() {
		return this.framesReceived.get();
	}

	public long closed(CloseReason reason) {
		return this.closed[reason.ordinal()].get();
	}

}
