package dev.iouring.server.codec;

import java.util.List;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import static dev.iouring.server.codec.DecoderHarness.ascii;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

class FramingSpecTest {

	@Test
	void rawHasNoDecoder() {
		assertThat(FramingSpec.raw().decoderFactory()).isNull();
	}

	@Test
	void lineDefaultsTo64KiBAndStrippedLineEnds() {
		assertThat(spec(FramingKind.LINE).build().decoderFactory())
			.hasToString("line(max-frame-size=65536, strip-delimiter=true)");
	}

	@Test
	void delimiterIsTheUtf8EncodingOfTheText() {
		FrameDecoderFactory factory = spec(FramingKind.DELIMITER).delimiter("\r\n\r\n").maxFrameSize(100)
			.stripDelimiter(false)
			.build()
			.decoderFactory();
		assertThat(factory).hasToString("delimiter(delimiter=0x0d0a0d0a, max-frame-size=100, strip-delimiter=false)");
		assertThat(DecoderHarness.decode(factory.newDecoder(), ascii("a\r\n\r\nb"), new int[0]))
			.containsExactly(ascii("a\r\n\r\n"));
	}

	@Test
	void lengthFieldTakesEveryOption() {
		FrameDecoderFactory factory = spec(FramingKind.LENGTH_FIELD).maxFrameSize(1024)
			.lengthFieldLength(2)
			.lengthFieldOffset(1)
			.lengthAdjustment(-3)
			.stripHeader(false)
			.byteOrder(FieldByteOrder.LITTLE_ENDIAN)
			.build()
			.decoderFactory();
		assertThat(factory).hasToString("length-field(max-frame-size=1024, length-field-length=2,"
				+ " length-field-offset=1, length-adjustment=-3, strip-header=false, byte-order=LITTLE_ENDIAN)");
		assertThat(DecoderHarness.decode(factory.newDecoder(), new byte[] { 9, 4, 0, 'x', 7 }, new int[0]))
			.containsExactly(new byte[] { 9, 4, 0, 'x' });
	}

	@Test
	void lengthFieldDefaultsToAFourByteBigEndianFieldAndStripsIt() {
		assertThat(spec(FramingKind.LENGTH_FIELD).build().decoderFactory())
			.hasToString(Framing.lengthField(LengthFieldOptions.defaults()).toString())
			.hasToString("length-field(max-frame-size=65536, length-field-length=4, length-field-offset=0,"
					+ " length-adjustment=0, strip-header=true, byte-order=BIG_ENDIAN)");
	}

	@Test
	void fixedNeedsAFrameLength() {
		assertThat(spec(FramingKind.FIXED).frameLength(12).build().decoderFactory())
			.hasToString("fixed(frame-length=12)");
		assertThatIllegalArgumentException().isThrownBy(() -> spec(FramingKind.FIXED).build())
			.withMessage("frame-length is required by the fixed codec");
	}

	@Test
	void delimiterNeedsADelimiter() {
		assertThatIllegalArgumentException().isThrownBy(() -> spec(FramingKind.DELIMITER).build())
			.withMessage("delimiter is required by the delimiter codec");
		assertThatIllegalArgumentException().isThrownBy(() -> spec(FramingKind.DELIMITER).delimiter("").build())
			.withMessage("delimiter must not be empty");
	}

	@Test
	void rejectsAnOptionTheKindDoesNotTake() {
		assertThatIllegalArgumentException().isThrownBy(() -> spec(FramingKind.LINE).frameLength(4).build())
			.withMessage("frame-length does not apply to the line codec, which takes [max-frame-size, strip-delimiter]");
		assertThatIllegalArgumentException().isThrownBy(() -> spec(FramingKind.FIXED).frameLength(4).maxFrameSize(8)
			.build())
			.withMessage("max-frame-size does not apply to the fixed codec, which takes [frame-length]");
		assertThatIllegalArgumentException().isThrownBy(() -> spec(FramingKind.RAW).stripHeader(true).build())
			.withMessage("strip-header does not apply to the raw codec, which takes no options");
	}

	@Test
	void namesTheOptionWhoseValueIsOutOfRange() {
		assertThatIllegalArgumentException().isThrownBy(() -> spec(FramingKind.LINE).maxFrameSize(0).build())
			.withMessage("max-frame-size must be positive but was 0");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> spec(FramingKind.LINE).maxFrameSize(Integer.MAX_VALUE).build())
			.withMessage("max-frame-size must be at most 2147483637 (the largest buffer, 2147483639 bytes, less the"
					+ " line end) but was 2147483647");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> spec(FramingKind.LENGTH_FIELD).lengthFieldLength(3).build())
			.withMessage("length-field-length must be 1, 2, 4 or 8 but was 3");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> spec(FramingKind.LENGTH_FIELD).lengthFieldOffset(-1).build())
			.withMessage("length-field-offset must be between 0 and 2147483630 but was -1");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> spec(FramingKind.LENGTH_FIELD).lengthFieldOffset(10).maxFrameSize(2147483630).build())
			.withMessage("max-frame-size must be at most 2147483625 (the largest buffer, 2147483639 bytes, less"
					+ " length-field-offset plus length-field-length) but was 2147483630");
		assertThatIllegalArgumentException().isThrownBy(() -> spec(FramingKind.FIXED).frameLength(-2).build())
			.withMessage("frame-length must be between 1 and 2147483639 but was -2");
		assertThatNullPointerException().isThrownBy(() -> new FramingSpec(null, null, null, null, null, null, null,
				null, null, null))
			.withMessage("kind must not be null");
	}

	@Test
	void kindsAreNamedAsInConfiguration() {
		assertThat(List.of(FramingKind.values())).extracting(FramingKind::value)
			.containsExactly("raw", "line", "delimiter", "length-field", "fixed");
		assertThat(FramingKind.of("length-field")).isEqualTo(FramingKind.LENGTH_FIELD);
		assertThat(FramingKind.of("LENGTH_FIELD")).isEqualTo(FramingKind.LENGTH_FIELD);
		assertThatIllegalArgumentException().isThrownBy(() -> FramingKind.of("json"))
			.withMessage("kind must be one of raw, line, delimiter, length-field, fixed but was 'json'");
	}

	private static SpecBuilder spec(FramingKind kind) {
		return new SpecBuilder(kind);
	}

	/** Sets options one by one, as configuration binding does, to keep the tests readable. */
	private static final class SpecBuilder {

		private final FramingKind kind;

		private @Nullable Integer maxFrameSize;

		private @Nullable Boolean stripDelimiter;

		private @Nullable String delimiter;

		private @Nullable Integer lengthFieldLength;

		private @Nullable Integer lengthFieldOffset;

		private @Nullable Integer lengthAdjustment;

		private @Nullable Boolean stripHeader;

		private @Nullable FieldByteOrder byteOrder;

		private @Nullable Integer frameLength;

		SpecBuilder(FramingKind kind) {
			this.kind = kind;
		}

		SpecBuilder maxFrameSize(int value) {
			this.maxFrameSize = value;
			return this;
		}

		SpecBuilder stripDelimiter(boolean value) {
			this.stripDelimiter = value;
			return this;
		}

		SpecBuilder delimiter(String value) {
			this.delimiter = value;
			return this;
		}

		SpecBuilder lengthFieldLength(int value) {
			this.lengthFieldLength = value;
			return this;
		}

		SpecBuilder lengthFieldOffset(int value) {
			this.lengthFieldOffset = value;
			return this;
		}

		SpecBuilder lengthAdjustment(int value) {
			this.lengthAdjustment = value;
			return this;
		}

		SpecBuilder stripHeader(boolean value) {
			this.stripHeader = value;
			return this;
		}

		SpecBuilder byteOrder(FieldByteOrder value) {
			this.byteOrder = value;
			return this;
		}

		SpecBuilder frameLength(int value) {
			this.frameLength = value;
			return this;
		}

		FramingSpec build() {
			return new FramingSpec(this.kind, this.maxFrameSize, this.stripDelimiter, this.delimiter,
					this.lengthFieldLength, this.lengthFieldOffset, this.lengthAdjustment, this.stripHeader,
					this.byteOrder, this.frameLength);
		}

	}

}
