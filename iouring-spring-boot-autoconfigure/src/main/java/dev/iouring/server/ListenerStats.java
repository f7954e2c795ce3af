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

	ListenerStats(String listener, int loop) {
		this.listener = listener;
		this.loop = loop;
		for (int i = 0; i < this.closed.length; i++) {
			this.closed[i] = new SingleWriterCounter();
		}
	}

	void countClose(CloseReason reason) {
		this.closed[reason.ordinal()].increment();
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
