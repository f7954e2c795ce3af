package dev.iouring.server;

import java.lang.foreign.MemorySegment;

/**
 * A byte transform between a connection's socket and its codec, one instance per connection, such as
 * the PROXY protocol header (inbound only, the first bytes) or TLS (both ways). A listener's stages form
 * an ordered {@link StagePipeline}: inbound bytes pass from the socket through each stage in order to the
 * codec; outbound bytes pass from the handler through them in reverse to the socket. With no stage the
 * pipeline does not exist and bytes go straight through, as zero-copy views.
 *
 * <p>A stage hands bytes on through its {@link Context}, any number of times per call, in order. What it
 * receives is a borrowed view, valid only during the call: a stage copies what it keeps.
 *
 * <p>Threads: the loop thread only.
 */
interface Stage {

	/** What a stage can do with its connection. */
	interface Context {

		/** The connection this stage serves. */
		ServedConnection connection();

		/** Hands bytes on towards the codec (to the next stage, or the codec and handler). */
		void passInbound(Bytes data);

		/** Hands bytes on towards the socket (to the stage before, or the outbound queue). */
		void passOutbound(MemorySegment source, long offset, int length);

		/** The stage found its input ended (for example a TLS close_notify): end of stream for the codec. */
		void endOfStream();

		/** The stage no longer needs a deadline: it finished its setup (a header, a handshake). */
		void setupDone();

	}

	/**
	 * Bytes from the peer, on their way to the codec.
	 * @throws StageException if they break the stage's protocol: the connection closes with its reason
	 */
	void inbound(Context context, Bytes data) throws StageException;

	/**
	 * Bytes from the handler, on their way to the peer.
	 * @throws StageException if the stage cannot take them: the connection closes with its reason
	 */
	void outbound(Context context, MemorySegment source, long offset, int length) throws StageException;

	/**
	 * The peer ended its stream before this stage passed it on: hand on {@link Context#endOfStream()} if
	 * that is a normal end here, or throw.
	 * @throws StageException if the stream may not end here (a header cut short)
	 */
	default void endOfStream(Context context) throws StageException {
		context.endOfStream();
	}

	/**
	 * The setup deadline passed while this stage was the first still setting up: the connection closes.
	 * Called once per connection.
	 * @return the close reason
	 */
	CloseReason setupTimedOut();

	/** The connection begins a graceful close: hand on any last bytes (such as TLS close_notify). */
	default void closing(Context context) {
	}

	/** The connection closed: free what the stage holds. */
	default void release() {
	}

}
