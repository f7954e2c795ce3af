package dev.iouring.server.codec;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Objects;

import dev.iouring.server.Bytes;
import dev.iouring.server.Connection;

/**
 * Writes one frame onto a {@link Connection}: the framing a peer's decoder expects (a length field before
 * the payload, a line end or delimiter after it) and the payload, without the handler assembling either.
 * The counterpart of {@link FrameDecoder}: an encoder made from the options of a listener's decoder
 * ({@link #lengthField(LengthFieldOptions)}, {@link FramingSpec#encoder()}) writes frames that decoder
 * reads back as the payloads written.
 *
 * <p>A frame goes out as separate writes, header then payload then trailer, each copied by the connection
 * before it returns (see {@link Connection}), so nothing is assembled: on the event loop, writing a frame
 * allocates nothing, whatever its size. A payload the framing cannot carry (too long for the length
 * field, over the maximum frame size, not the fixed length) is refused with
 * {@link IllegalArgumentException} before any byte is written, so a refusal never leaves half a frame on
 * the wire.
 *
 * <p>Threads: an encoder holds no per-connection state and may be shared, e.g. kept in a field of a
 * handler that serves every loop. The connection keeps one thread's writes in order, but it does not
 * make the writes of one frame atomic: frames written to one connection from several threads at once
 * may interleave, as any writes would.
 */
public abstract sealed class FrameEncoder permits DelimiterFrameEncoder, FixedLengthFrameEncoder,
		LengthFieldFrameEncoder {

	FrameEncoder() {
	}

	/**
	 * Returns the encoder of lines ending with LF, which the {@code line} codec reads.
	 * @return the encoder
	 */
	public static FrameEncoder line() {
		return line(LineEnding.LF);
	}

	/**
	 * Returns the encoder of lines ending as asked; the {@code line} codec reads either ending.
	 * @param ending what follows each line
	 * @return the encoder
	 */
	public static FrameEncoder line(LineEnding ending) {
		Objects.requireNonNull(ending, "line ending must not be null");
		return new DelimiterFrameEncoder("line(line-ending=" + ending + ")", ending.delimiter());
	}

	/**
	 * Returns the encoder of frames that end with a byte sequence, which the {@code delimiter} codec with
	 * the same delimiter reads. The payload must not contain the delimiter: the encoder does not look,
	 * which would cost a pass over every payload, and the peer would cut the frame there.
	 * @param delimiter the non-empty byte sequence written after each payload (copied)
	 * @return the encoder
	 */
	public static FrameEncoder delimiter(byte[] delimiter) {
		if (delimiter.length == 0) {
			throw new IllegalArgumentException("delimiter must not be empty");
		}
		byte[] copy = delimiter.clone();
		return new DelimiterFrameEncoder("delimiter(delimiter=0x" + HexFormat.of().formatHex(copy) + ")", copy);
	}

	/**
	 * Returns the encoder of length-field frames, the inverse of {@link Framing#lengthField} with the same
	 * options: the field holds the payload's length less {@code length-adjustment}, in the options' size
	 * and byte order, and a payload over {@code max-frame-size} is refused as that decoder would refuse
	 * it. The bytes before the field ({@code length-field-offset}) are protocol data the encoder cannot
	 * know: a handler whose options have an offset writes those bytes itself, just before the frame.
	 * @param options the layout the peer decodes
	 * @return the encoder
	 * @see LengthFieldOptions#withLengthIncludingHeader()
	 */
	public static FrameEncoder lengthField(LengthFieldOptions options) {
		return new LengthFieldFrameEncoder(Objects.requireNonNull(options, "options must not be null"));
	}

	/**
	 * Returns the encoder of fixed-length frames: it writes payloads of exactly {@code frameLength} bytes
	 * and refuses others, so that the peer's {@code fixed} codec stays aligned.
	 * @param frameLength the size of every frame, positive
	 * @return the encoder
	 */
	public static FrameEncoder fixed(int frameLength) {
		if (frameLength < 1) {
			throw new IllegalArgumentException("frame-length must be positive but was " + frameLength);
		}
		return new FixedLengthFrameEncoder(frameLength);
	}

	/**
	 * Writes a frame whose payload is a whole array.
	 * @param connection where to write
	 * @param payload the payload
	 * @throws IllegalArgumentException if the framing cannot carry the payload; nothing is written then
	 */
	public final void write(Connection connection, byte[] payload) {
		write(connection, payload, 0, payload.length);
	}

	/**
	 * Writes a frame whose payload is part of an array.
	 * @param connection where to write
	 * @param payload the array
	 * @param offset the payload's first byte
	 * @param length the payload's length
	 * @throws IllegalArgumentException if the framing cannot carry the payload; nothing is written then
	 * @throws IndexOutOfBoundsException if the range does not lie within {@code payload}
	 */
	public final void write(Connection connection, byte[] payload, int offset, int length) {
		Objects.checkFromIndexSize(offset, length, payload.length);
		writeHeader(connection, length);
		connection.write(payload, offset, length);
		writeTrailer(connection);
	}

	/**
	 * Writes a frame whose payload is a view, such as a frame a decoder delivered (which is how an echo
	 * server answers without copying).
	 * @param connection where to write
	 * @param payload the payload
	 * @throws IllegalArgumentException if the framing cannot carry the payload; nothing is written then
	 */
	public final void write(Connection connection, Bytes payload) {
		writeHeader(connection, payload.length());
		connection.write(payload);
		writeTrailer(connection);
	}

	/**
	 * Writes a frame whose payload is a whole segment.
	 * @param connection where to write
	 * @param payload the payload, at most {@link Integer#MAX_VALUE} bytes
	 * @throws IllegalArgumentException if the framing cannot carry the payload; nothing is written then
	 */
	public final void write(Connection connection, MemorySegment payload) {
		long size = payload.byteSize();
		if (size > Integer.MAX_VALUE) {
			throw new IllegalArgumentException("a frame's payload must be at most " + Integer.MAX_VALUE
					+ " bytes but the segment has " + size + " (" + this + " encoder)");
		}
		writeHeader(connection, (int) size);
		connection.write(payload);
		writeTrailer(connection);
	}

	/**
	 * Writes a frame whose payload is the remaining bytes of a buffer, whose position moves to its limit.
	 * @param connection where to write
	 * @param payload the payload
	 * @throws IllegalArgumentException if the framing cannot carry the payload; nothing is written and
	 * the buffer's position stays then
	 */
	public final void write(Connection connection, ByteBuffer payload) {
		writeHeader(connection, payload.remaining());
		connection.write(payload);
		writeTrailer(connection);
	}

	/**
	 * Writes a frame whose payload is text, encoded as UTF-8. Encoding allocates the bytes, as
	 * {@link Connection#write(CharSequence)} does; a hot path writes prepared byte arrays instead.
	 * @param connection where to write
	 * @param text the payload
	 * @throws IllegalArgumentException if the framing cannot carry the encoded text; nothing is written
	 * then
	 */
	public final void write(Connection connection, CharSequence text) {
		write(connection, text.toString().getBytes(StandardCharsets.UTF_8));
	}

	/**
	 * Checks that a payload of {@code payloadLength} bytes can be framed, then writes what precedes it.
	 * Throws before writing anything if the payload cannot be framed.
	 * @param connection where to write
	 * @param payloadLength the payload's length
	 */
	abstract void writeHeader(Connection connection, int payloadLength);

	/**
	 * Writes what follows the payload.
	 * @param connection where to write
	 */
	abstract void writeTrailer(Connection connection);

}
