package dev.iouring.autoconfigure;

import org.jspecify.annotations.Nullable;

import org.springframework.util.unit.DataSize;

import dev.iouring.server.codec.FieldByteOrder;
import dev.iouring.server.codec.FramingKind;
import dev.iouring.server.codec.FramingSpec;

/**
 * Framing of a listener, bound from {@code iouring.server.framing.*} or a listener's own
 * {@code framing.*}: which codec cuts the byte stream into frames, and its options. Options a codec does
 * not take are rejected. An option left unset takes the codec's default, which is why none has a value
 * of its own here.
 */
public class FramingProperties {

	/**
	 * Codec: 'raw' (bytes as they arrive), 'line' (LF or CRLF), 'delimiter', 'length-field' or
	 * 'fixed'.
	 */
	private FramingKind kind = FramingKind.RAW;

	/**
	 * Largest frame accepted; a larger one closes the connection with reason frame-too-large. When
	 * not set, 64KB.
	 */
	private @Nullable DataSize maxFrameSize;

	/**
	 * Whether line and delimiter codecs remove the delimiter from the frame (default true).
	 */
	private @Nullable Boolean stripDelimiter;

	/**
	 * Delimiter of the 'delimiter' codec, as text (sent as its UTF-8 bytes).
	 */
	private @Nullable String delimiter;

	/**
	 * Size in bytes of the length field of the 'length-field' codec: 1, 2, 4 or 8 (default 4).
	 */
	private @Nullable Integer lengthFieldLength;

	/**
	 * Bytes before the length field (default 0).
	 */
	private @Nullable Integer lengthFieldOffset;

	/**
	 * Added to the length field's value to get the number of bytes that follow the field (default 0).
	 */
	private @Nullable Integer lengthAdjustment;

	/**
	 * Whether the length-field codec removes the header (offset and field) from the frame (default
	 * true).
	 */
	private @Nullable Boolean stripHeader;

	/**
	 * Byte order of the length field: 'big-endian' (default) or 'little-endian'.
	 */
	private @Nullable FieldByteOrder byteOrder;

	/**
	 * Frame size of the 'fixed' codec.
	 */
	private @Nullable Integer frameLength;

	public FramingKind getKind() {
		return this.kind;
	}

	public void setKind(FramingKind kind) {
		this.kind = kind;
	}

	public @Nullable DataSize getMaxFrameSize() {
		return this.maxFrameSize;
	}

	public void setMaxFrameSize(@Nullable DataSize maxFrameSize) {
		this.maxFrameSize = maxFrameSize;
	}

	public @Nullable Boolean getStripDelimiter() {
		return this.stripDelimiter;
	}

	public void setStripDelimiter(@Nullable Boolean stripDelimiter) {
		this.stripDelimiter = stripDelimiter;
	}

	public @Nullable String getDelimiter() {
		return this.delimiter;
	}

	public void setDelimiter(@Nullable String delimiter) {
		this.delimiter = delimiter;
	}

	public @Nullable Integer getLengthFieldLength() {
		return this.lengthFieldLength;
	}

	public void setLengthFieldLength(@Nullable Integer lengthFieldLength) {
		this.lengthFieldLength = lengthFieldLength;
	}

	public @Nullable Integer getLengthFieldOffset() {
		return this.lengthFieldOffset;
	}

	public void setLengthFieldOffset(@Nullable Integer lengthFieldOffset) {
		this.lengthFieldOffset = lengthFieldOffset;
	}

	public @Nullable Integer getLengthAdjustment() {
		return this.lengthAdjustment;
	}

	public void setLengthAdjustment(@Nullable Integer lengthAdjustment) {
		this.lengthAdjustment = lengthAdjustment;
	}

	public @Nullable Boolean getStripHeader() {
		return this.stripHeader;
	}

	public void setStripHeader(@Nullable Boolean stripHeader) {
		this.stripHeader = stripHeader;
	}

	public @Nullable FieldByteOrder getByteOrder() {
		return this.byteOrder;
	}

	public void setByteOrder(@Nullable FieldByteOrder byteOrder) {
		this.byteOrder = byteOrder;
	}

	public @Nullable Integer getFrameLength() {
		return this.frameLength;
	}

	public void setFrameLength(@Nullable Integer frameLength) {
		this.frameLength = frameLength;
	}

	/**
	 * Returns the codec described, checked.
	 * @return the spec
	 * @throws IllegalArgumentException naming the option that is wrong
	 */
	FramingSpec toSpec() {
		Integer maxFrameSize = (this.maxFrameSize != null) ? Math.toIntExact(this.maxFrameSize.toBytes()) : null;
		return new FramingSpec(this.kind, maxFrameSize, this.stripDelimiter, this.delimiter,
				this.lengthFieldLength, this.lengthFieldOffset, this.lengthAdjustment, this.stripHeader,
				this.byteOrder, this.frameLength);
	}

}
