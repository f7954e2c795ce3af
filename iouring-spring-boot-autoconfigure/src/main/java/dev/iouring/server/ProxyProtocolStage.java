package dev.iouring.server;

import java.lang.foreign.MemorySegment;

import org.jspecify.annotations.Nullable;

/**
 * The PROXY protocol as a stage: it reads the header at the start of the connection with a
 * {@link ProxyHeaderDecoder}, gives it to the connection (whose {@code remoteAddress()} then names the
 * original client), and from then on passes bytes through untouched. Outbound bytes always pass through.
 *
 * <p>Threads: the loop thread only.
 */
final class ProxyProtocolStage implements Stage {

	private @Nullable ProxyHeaderDecoder decoder;

	ProxyProtocolStage(ProxyProtocolMode mode) {
		this.decoder = new ProxyHeaderDecoder(mode);
	}

	@Override
	public void inbound(Context context, Bytes data) throws StageException {
		ProxyHeaderDecoder decoder = this.decoder;
		if (decoder == null) {
			context.passInbound(data);
			return;
		}
		switch (decoder.feed(data)) {
			case NEED_MORE -> {
			}
			case DONE -> {
				int consumed = decoder.consumed();
				Bytes replay = decoder.replay();
				done(context, decoder);
				context.passInbound(replay);
				if (consumed < data.length()) {
					context.passInbound(data.slice(consumed, data.length() - consumed));
				}
			}
			case FAILED -> throw failure(decoder);
		}
	}

	@Override
	public void endOfStream(Context context) throws StageException {
		ProxyHeaderDecoder decoder = this.decoder;
		if (decoder != null) {
			if (decoder.endOfStream() == ProxyHeaderDecoder.Outcome.FAILED) {
				throw failure(decoder);
			}
			Bytes replay = decoder.replay();
			done(context, decoder);
			context.passInbound(replay);
		}
		context.endOfStream();
	}

	private void done(Context context, ProxyHeaderDecoder decoder) {
		this.decoder = null;
		ProxyHeader header = decoder.header();
		if (header != null) {
			context.connection().proxied(header);
		}
		context.setupDone();
	}

	private static StageException failure(ProxyHeaderDecoder decoder) {
		return new StageException(CloseReason.PROXY_PROTOCOL_ERROR, "bad PROXY protocol header: " + decoder.failure());
	}

	@Override
	public void outbound(Context context, MemorySegment source, long offset, int length) {
		context.passOutbound(source, offset, length);
	}

	@Override
	public CloseReason setupTimedOut() {
		return CloseReason.PROXY_PROTOCOL_ERROR;
	}

}
