package dev.iouring.server.codec;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The codecs configuration can name, each with the options it takes. {@link #value()} is the name used in
 * configuration ({@code raw}, {@code line}, {@code delimiter}, {@code length-field}, {@code fixed}).
 */
public enum FramingKind {

	/** No framing: the handler gets the bytes as they arrive. */
	RAW("raw"),

	/** Lines ending with LF or CRLF. */
	LINE("line", FramingSpec.MAX_FRAME_SIZE, FramingSpec.STRIP_DELIMITER),

	/** Frames ending with a byte sequence. */
	DELIMITER("delimiter", FramingSpec.DELIMITER, FramingSpec.MAX_FRAME_SIZE, FramingSpec.STRIP_DELIMITER),

	/** Frames that start with their length. */
	LENGTH_FIELD("length-field", FramingSpec.MAX_FRAME_SIZE, FramingSpec.LENGTH_FIELD_LENGTH,
			FramingSpec.LENGTH_FIELD_OFFSET, FramingSpec.LENGTH_ADJUSTMENT, FramingSpec.STRIP_HEADER,
			FramingSpec.BYTE_ORDER),

	/** Frames of one constant size. */
	FIXED("fixed", FramingSpec.FRAME_LENGTH);

	private final String value;

	private final List<String> options;

	FramingKind(String value, String... options) {
		this.value = value;
		this.options = List.of(options);
	}

	/**
	 * Returns the name configuration uses for this codec.
	 * @return the name, e.g. {@code length-field}
	 */
	public String value() {
		return this.value;
	}

	/**
	 * Returns the names of the options this codec takes.
	 * @return the option names, e.g. {@code max-frame-size}
	 */
	public List<String> options() {
		return this.options;
	}

	/**
	 * Returns the codec with the given name.
	 * @param value a name such as {@code length-field} (case and {@code -} or {@code _} do not matter)
	 * @return the codec kind
	 * @throws IllegalArgumentException if no codec has that name
	 */
	public static FramingKind of(String value) {
		String normalized = value.trim().toLowerCase(Locale.ROOT).replace('_', '-');
		for (FramingKind kind : values()) {
			if (kind.value.equals(normalized)) {
				return kind;
			}
		}
		throw new IllegalArgumentException("kind must be one of "
				+ Arrays.stream(values()).map(FramingKind::value).collect(Collectors.joining(", ")) + " but was '"
				+ value + "'");
	}

	@Override
	public String toString() {
		return this.value;
	}

}
