package dev.iouring.server;

import java.lang.foreign.MemorySegment;

/**
 * One connection's stages in order, from the socket's side to the codec's: inbound bytes go through them
 * first to last, then to the codec and handler; outbound bytes go through them last to first, then into
 * the outbound queue. A stage that breaks (a {@link StageException}, or any exception) closes only its
 * connection.
 *
 * <p>Setup: a stage may need bytes before the connection is usable (a PROXY header, a TLS handshake).
 * The handler's {@code onOpen} waits until every stage said {@link Stage.Context#setupDone()}, within the
 * listener's setup deadline; a connection closed before that is never shown to the handler.
 *
 * <p>Threads: the loop thread only.
 */
final class StagePipeline {

	private final ServedConnection connection;

	private final ConnectionCore core;

	private final Stage[] stages;

	private final Link[] links;

	private int setupPending;

	StagePipeline(ServedConnection connection, Stage[] stages) {
		this.connection = connection;
		this.core = connection.core;
		this.stages = stages;
		this.links = new Link[stages.length];
		for (int i = 0; i < stages.length; i++) {
			this.links[i] = new Link(i);
		}
		this.setupPending = stages.length;
	}

	/** Whether every stage finished its setup. */
	boolean setupComplete() {
		return this.setupPending == 0;
	}

	/**
	 * The setup deadline passed: the first stage still setting up is told, and says the close reason (so a
	 * PROXY header that never came is a PROXY protocol error, a stalled handshake after it a TLS timeout).
	 */
	CloseReason setupTimedOut() {
		for (int i = 0; i < this.stages.length; i++) {
			if (!this.links[i].setupDone) {
				return this.stages[i].setupTimedOut();
			}
		}
		return CloseReason.IDLE_TIMEOUT;
	}

	void inbound(Bytes data) {
		inbound(0, data);
	}

	private void inbound(int index, Bytes data) {
		if (this.connection.state != ServedConnection.OPEN) {
			return;
		}
		if (index == this.stages.length) {
			this.core.dispatcher.received(this.connection, data);
			return;
		}
		try {
			this.stages[index].inbound(this.links[index], data);
		}
		catch (StageException ex) {
			this.core.stageFailed(this.connection, ex);
		}
	}

	void outbound(MemorySegment source, long offset, int length) {
		outbound(this.stages.length - 1, source, offset, length);
	}

	private void outbound(int index, MemorySegment source, long offset, int length) {
		if (index < 0) {
			this.core.writes.queue(this.connection, source, offset, length);
			return;
		}
		try {
			this.stages[index].outbound(this.links[index], source, offset, length);
		}
		catch (StageException ex) {
			this.core.stageFailed(this.connection, ex);
		}
	}

	/** The socket reported end of stream: each stage may still decide what it means. */
	void endOfStream() {
		endOfStream(0);
	}

	private void endOfStream(int index) {
		if (index == this.stages.length) {
			this.core.peerEnded(this.connection);
			return;
		}
		try {
			this.stages[index].endOfStream(this.links[index]);
		}
		catch (StageException ex) {
			this.core.stageFailed(this.connection, ex);
		}
	}

	/** A graceful close begins: the stages, codec side first, hand on their last bytes. */
	void closing() {
		for (int i = this.stages.length - 1; i >= 0; i--) {
			this.stages[i].closing(this.links[i]);
		}
	}

	void release() {
		for (Stage stage : this.stages) {
			stage.release();
		}
	}

	/** What one stage sees of the pipeline: its neighbours. */
	private final class Link implements Stage.Context {

		private final int index;

		boolean setupDone;

		Link(int index) {
			this.index = index;
		}

		@Override
		public ServedConnection connection() {
			return StagePipeline.this.connection;
		}

		@Override
		public void passInbound(Bytes data) {
			if (!data.isEmpty()) {
				inbound(this.index + 1, data);
			}
		}

		@Override
		public void passOutbound(MemorySegment source, long offset, int length) {
			if (length > 0) {
				outbound(this.index - 1, source, offset, length);
			}
		}

		@Override
		public void endOfStream() {
			StagePipeline.this.endOfStream(this.index + 1);
		}

		@Override
		public void setupDone() {
			if (!this.setupDone) {
				this.setupDone = true;
				if (--StagePipeline.this.setupPending == 0) {
					StagePipeline.this.core.setupDone(StagePipeline.this.connection);
				}
			}
		}

	}

}
