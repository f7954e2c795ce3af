package dev.iouring.server.codec;

import java.lang.foreign.MemorySegment;

import org.jspecify.annotations.Nullable;

import dev.iouring.server.Bytes;
import dev.iouring.server.BytesWindow;
import dev.iouring.server.CloseReason;

/**
 * What every built-in codec shares: the {@link FrameBuffer} for frames that span chunks, the one reused
 * {@link Bytes} view handed to the sink, and the rule that a decoder which threw is finished.
 *
 * <p>A subclass cuts frames in {@link #decodeChunk}. A frame lying wholly inside the chunk is delivered
 * with {@link #deliverFromInput} as a view of the chunk's memory; a spanning frame is gathered in
 * {@link #buffer} and delivered with {@link #deliverBuffered}, which then empties the buffer.
 *
 * <p>Once {@code decode} has thrown anything ({@link FramingException} on bad input, or whatever the sink
 * threw), the decoder's state is undefined: it drops its buffer and refuses further input with
 * {@link IllegalStateException}. The server closes such a connection, so this only catches misuse.
 */
abstract class AccumulatingFrameDecoder implements FrameDecoder {

	/** The partial frame carried from one chunk to the next. */
	final FrameBuffer buffer;

	/** Largest frame the codec accepts, framing bytes (delimiter, header) excluded. */
	final int maxFrameSize;

	private final String codecName;

	/** The view given to the sink, re-pointed for every frame so that delivering allocates nothing. */
	private final BytesWindow frame = new BytesWindow();

	/** The current chunk as a segment, taken at most once per chunk and only if a frame lies inside it. */
	private @Nullable MemorySegment inputSegment;

	private boolean failed;

	/**
	 * Creates the shared state.
	 * @param codecName the codec's kind, used in error messages
	 * @param maxFrameSize the largest frame accepted, framing bytes excluded
	 * @param framingOverhead how many framing bytes a buffered frame may carry beyond {@code maxFrameSize}
	 */
	AccumulatingFrameDecoder(String codecName, int maxFrameSize, int framingOverhead) {
		this.codecName = codecName;
		this.maxFrameSize = maxFrameSize;
		this.buffer = new FrameBuffer(Math.addExact(maxFrameSize, framingOverhead));
	}

	@Override
	public final void decode(Bytes input, FrameSink sink) {
		if (this.failed) {
			throw new IllegalStateException("the " + this.codecName
					+ " decoder threw on an earlier chunk and cannot be used again; close its connection");
		}
		try {
			decodeChunk(input, sink);
		}
		catch (RuntimeException | Error ex) {
			this.failed = true;
			this.buffer.release();
			throw ex;
		}
		finally {
			this.inputSegment = null;
		}
	}

	/**
	 * Cuts one chunk into frames, carrying an incomplete frame over in {@link #buffer}.
	 * @param input the chunk
	 * @param sink receives each complete frame
	 */
	abstract void decodeChunk(Bytes input, FrameSink sink);

	@Override
	public final int bufferedBytes() {
		return this.buffer.size();
	}

	@Override
	public final void release() {
		this.buffer.release();
	}

	/**
	 * Returns the current chunk as a segment whose offsets are the chunk's own positions. The slice is
	 * made once per chunk: {@link Bytes} does not expose its backing segment to this package.
	 * @param input the chunk being decoded
	 * @return the chunk's memory
	 */
	final MemorySegment inputSegment(Bytes input) {
		MemorySegment segment = this.inputSegment;
		if (segment == null) {
			segment = input.asSegment();
			this.inputSegment = segment;
		}
		return segment;
	}

	/**
	 * Hands a frame lying wholly inside the chunk to the sink, without copying it.
	 * @param sink the sink
	 * @param input the chunk
	 * @param from the frame's first byte in the chunk
	 * @param length the frame's length
	 */
	final void deliverFromInput(FrameSink sink, Bytes input, int from, int length) {
		sink.onFrame(this.frame.point(inputSegment(input), from, length));
	}

	/**
	 * Hands a frame gathered in {@link #buffer} to the sink, then empties the buffer.
	 * @param sink the sink
	 * @param from the frame's first byte in the buffer (after a stripped header)
	 * @param length the frame's length
	 */
	final void deliverBuffered(FrameSink sink, int from, int length) {
		MemorySegment segment = this.buffer.segment();
		// Empty the buffer first: should the sink throw, no stale frame is left behind.
		this.buffer.clear();
		sink.onFrame(this.frame.point(segment, from, length));
	}

	/**
	 * Returns the error for a frame larger than {@link #maxFrameSize}.
	 * @return the exception to throw
	 */
	final FramingException frameTooLarge() {
		return new FramingException(CloseReason.FRAME_TOO_LARGE,
				"frame exceeds max-frame-size of " + this.maxFrameSize + " bytes (" + this.codecName + " codec)");
	}

	/**
	 * Returns the error for bytes that cannot be a frame.
	 * @param problem what is wrong, with the value involved
	 * @return the exception to throw
	 */
	final FramingException malformedFrame(String problem) {
		return new FramingException(CloseReason.MALFORMED_FRAME, problem + " (" + this.codecName + " codec)");
	}

}
