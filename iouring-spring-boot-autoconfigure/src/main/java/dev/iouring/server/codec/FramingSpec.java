package dev.iouring.server.codec;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * A codec described the way configuration describes it: a {@link FramingKind} and its options, each named
 * like its property under {@code iouring.server.listeners.<name>.framing}. An option left {@code null} takes
 * its default; an option the kind does not take must stay {@code null}.
 *
 * <p>The constructor checks every value, so a spec that exists can always build its codec; error messages
 * name the option and the allowed values.
 *
 * <table>
 * <caption>Options by kind, with defaults</caption>
 * <tr><th>kind</th><th>options</th></tr>
 * <tr><td>{@code raw}</td><td>none</td></tr>
 * <tr><td>{@code line}</td><td>{@code max-frame-size} (65536), {@code strip-delimiter} (true)</td></tr>
 * <tr><td>{@code delimiter}</td><td>{@code delimiter} (required), {@code max-frame-size} (65536),
 * {@code strip-delimiter} (true)</td></tr>
 * <tr><td>{@code length-field}</td><td>{@code max-frame-size} (65536), {@code length-field-length} (4),
 * {@code length-field-offset} (0), {@code length-adjustment} (0), {@code strip-header} (true),
 * {@code byte-order} (big-endian)</td></tr>
 * <tr><td>{@code fixed}</td><td>{@code frame-length} (required)</td></tr>
 * </table>
 *
 * @param kind the codec ({@code kind})
 * @param maxFrameSize the largest frame, framing bytes excluded ({@code max-frame-size})
 * @param stripDelimiter whether frames leave out their delimiter ({@code strip-delimiter})
 * @param delimiter the delimiter as text, sent as its UTF-8 bytes, e.g. {@code "\u0000"} or
 * {@code "\r\n\r\n"} ({@code delimiter})
 * @param lengthFieldLength the length field's size: 1, 2, 4 or 8 ({@code length-field-length})
 * @param lengthFieldOffset the bytes before the length field ({@code length-field-offset})
 * @param lengthAdjustment added to the field's value to give the bytes following the field
 * ({@code length-adjustment})
 * @param stripHeader whether frames leave out the offset bytes and length field ({@code strip-header})
 * @param byteOrder the length field's byte order ({@code byte-order})
 * @param frameLength the size of every frame of the fixed codec ({@code frame-length})
 */
public record FramingSpec(FramingKind kind, @Nullable Integer maxFrameSize, @Nullable Boolean stripDelimiter,
		@Nullable String delimiter, @Nullable Integer lengthFieldLength, @Nullable Integer lengthFieldOffset,
		@Nullable Integer lengthAdjustment, @Nullable Boolean stripHeader, @Nullable FieldByteOrder byteOrder,
		@Nullable Integer frameLength) {

	/** Option name of {@link #maxFrameSize()}. */
	public static final String MAX_FRAME_SIZE = "max-frame-size";

	/** Option name of {@link #stripDelimiter()}. */
	public static final String STRIP_DELIMITER = "strip-delimiter";

	/** Option name of {@link #delimiter()}. */
	public static final String DELIMITER = "delimiter";

	/** Option name of {@link #lengthFieldLength()}. */
	public static final String LENGTH_FIELD_LENGTH = "length-field-length";

	/** Option name of {@link #lengthFieldOffset()}. */
	public static final String LENGTH_FIELD_OFFSET = "length-field-offset";

	/** Option name of {@link #lengthAdjustment()}. */
	public static final String LENGTH_ADJUSTMENT = "length-adjustment";

	/** Option name of {@link #stripHeader()}. */
	public static final String STRIP_HEADER = "strip-header";

	/** Option name of {@link #byteOrder()}. */
	public static final String BYTE_ORDER = "byte-order";

	/** Option name of {@link #frameLength()}. */
	public static final String FRAME_LENGTH = "frame-length";

	/**
	 * Creates a spec and checks it.
	 * @throws IllegalArgumentException naming the option, if an option does not apply to the kind, a
	 * required one is missing, or a value is out of range
	 */
	public FramingSpec(FramingKind kind, @Nullable Integer maxFrameSize, @Nullable Boolean stripDelimiter,
			@Nullable String delimiter, @Nullable Integer lengthFieldLength, @Nullable Integer lengthFieldOffset,
			@Nullable Integer lengthAdjustment, @Nullable Boolean stripHeader, @Nullable FieldByteOrder byteOrder,
			@Nullable Integer frameLength) {
		this.kind = Objects.requireNonNull(kind, "kind must not be null");
		this.maxFrameSize = takenBy(kind, MAX_FRAME_SIZE, maxFrameSize);
		this.stripDelimiter = takenBy(kind, STRIP_DELIMITER, stripDelimiter);
		this.delimiter = takenBy(kind, DELIMITER, delimiter);
		this.lengthFieldLength = takenBy(kind, LENGTH_FIELD_LENGTH, lengthFieldLength);
		this.lengthFieldOffset = takenBy(kind, LENGTH_FIELD_OFFSET, lengthFieldOffset);
		this.lengthAdjustment = takenBy(kind, LENGTH_ADJUSTMENT, lengthAdjustment);
		this.stripHeader = takenBy(kind, STRIP_HEADER, stripHeader);
		this.byteOrder = takenBy(kind, BYTE_ORDER, byteOrder);
		this.frameLength = takenBy(kind, FRAME_LENGTH, frameLength);
		// Building the factory runs every value check, so an invalid spec never exists.
		decoderFactory();
	}

	/**
	 * Returns the spec of raw bytes, without framing.
	 * @return the raw spec
	 */
	public static FramingSpec raw() {
		return new FramingSpec(FramingKind.RAW, null, null, null, null, null, null, null, null, null);
	}

	private static <T> @Nullable T takenBy(FramingKind kind, String option, @Nullable T value) {
		if (value != null && !kind.options().contains(option)) {
			throw new IllegalArgumentException(option + " does not apply to the " + kind + " codec"
					+ (kind.options().isEmpty() ? ", which takes no options" : ", which takes " + kind.options()));
		}
		return value;
	}

	/**
	 * Returns the factory of the described codec.
	 * @return the decoder factory, or {@code null} for {@code raw} (the meaning of a {@code null} framing in
	 * {@link dev.iouring.server.ListenerSettings})
	 */
	public @Nullable FrameDecoderFactory decoderFactory() {
		return switch (this.kind) {
			case RAW -> null;
			case LINE -> Framing.line(maxFrameSizeOrDefault(), Objects.requireNonNullElse(this.stripDelimiter, true));
			case DELIMITER -> Framing.delimiter(required(DELIMITER, this.delimiter).getBytes(StandardCharsets.UTF_8),
					maxFrameSizeOrDefault(), Objects.requireNonNullElse(this.stripDelimiter, true));
			case LENGTH_FIELD -> Framing.lengthField(lengthFieldOptions());
			case FIXED -> Framing.fixed(required(FRAME_LENGTH, this.frameLength));
		};
	}

	/**
	 * Returns the encoder of the frames this spec's decoder reads, for a handler that answers in the
	 * framing it is spoken to in. Lines end with LF ({@link FrameEncoder#line(LineEnding)} gives CRLF);
	 * {@code max-frame-size} bounds the length-field encoder only, the others do not look at payloads.
	 * @return the encoder, or {@code null} for {@code raw}, whose bytes need no framing
	 */
	public @Nullable FrameEncoder encoder() {
		return switch (this.kind) {
			case RAW -> null;
			case LINE -> FrameEncoder.line();
			case DELIMITER ->
				FrameEncoder.delimiter(required(DELIMITER, this.delimiter).getBytes(StandardCharsets.UTF_8));
			case LENGTH_FIELD -> FrameEncoder.lengthField(lengthFieldOptions());
			case FIXED -> FrameEncoder.fixed(required(FRAME_LENGTH, this.frameLength));
		};
	}

	private LengthFieldOptions lengthFieldOptions() {
		LengthFieldOptions defaults = LengthFieldOptions.defaults();
		return new LengthFieldOptions(maxFrameSizeOrDefault(),
				Objects.requireNonNullElse(this.lengthFieldLength, defaults.lengthFieldLength()),
				Objects.requireNonNullElse(this.lengthFieldOffset, defaults.lengthFieldOffset()),
				Objects.requireNonNullElse(this.lengthAdjustment, defaults.lengthAdjustment()),
				Objects.requireNonNullElse(this.stripHeader, defaults.stripHeader()),
				Objects.requireNonNullElse(this.byteOrder, defaults.byteOrder()));
	}

	private int maxFrameSizeOrDefault() {
		return Objects.requireNonNullElse(this.maxFrameSize, Framing.DEFAULT_MAX_FRAME_SIZE);
	}

	private <T> T required(String option, @Nullable T value) {
		if (value == null) {
			throw new IllegalArgumentException(option + " is required by the " + this.kind + " codec");
		}
		return value;
	}

}
