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

	final SingleWriterCounter handshakesSucceeded = new SingleWriterCounter();

	final SingleWriterCounter handshakesFailed = new SingleWriterCounter();

	final SingleWriterCounter handshakesTimedOut = new SingleWriterCounter();

	/** Summed time of the handshakes that succeeded, in nanoseconds. */
	final SingleWriterCounter handshakeNanos = new SingleWriterCounter();

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

	/**
	 * Counts a finished TLS handshake.
	 * @param nanos how long it took, from its first byte to its end
	 */
	void countHandshakeSucceeded(long nanos) {
		this.handshakesSucceeded.increment();
		this.handshakeNanos.add(nanos);
	}

	/** Counts a TLS handshake the client began that ended without finishing (refused, or given up). */
	void countHandshakeFailed() {
		this.handshakesFailed.increment();
	}

	/** Counts a TLS handshake that did not finish within the listener's handshake timeout. */
	void countHandshakeTimedOut() {
		this.handshakesTimedOut.increment();
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

	/** TLS handshakes that finished (0 on a plaintext listener). */
	public long handshakesSucceeded() {
		return this.handshakesSucceeded.get();
	}

	/**
	 * TLS handshakes the client began (sent at least one byte) that ended without finishing: refused by
	 * either side, or given up by the client.
	 */
	public long handshakesFailed() {
		return this.handshakesFailed.get();
	}

	/** TLS handshakes cut by the handshake timeout, counted whether or not the client sent anything. */
	public long handshakesTimedOut() {
		return this.handshakesTimedOut.get();
	}

	/** The time the succeeded handshakes took together, from their first byte to their end, in nanoseconds. */
	public long handshakeNanos() {
		return this.handshakeNanos.get();
	}

}
