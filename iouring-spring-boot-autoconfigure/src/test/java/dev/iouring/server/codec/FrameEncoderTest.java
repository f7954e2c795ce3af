package dev.iouring.server.codec;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import dev.iouring.server.Bytes;
import dev.iouring.server.codec.DecoderHarness.WireFrame;

import static dev.iouring.server.codec.DecoderHarness.ascii;
import static dev.iouring.server.codec.DecoderHarness.assertDecodes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The line, delimiter and fixed encoders, and the encoders {@link FramingSpec} makes from the options
 * configuration gives a listener's decoder.
 */
class FrameEncoderTest {

	@Test
	void aLineIsThePayloadThenItsLineEnd() {
		RecordingConnection lf = new RecordingConnection();
		FrameEncoder.line().write(lf, "PING");
		assertThat(lf.writes()).containsExactly(ascii("PING"), ascii("\n"));
		RecordingConnection crlf = new RecordingConnection();
		FrameEncoder.line(LineEnding.CRLF).write(crlf, ascii("+OK"));
		assertThat(crlf.writes()).containsExactly(ascii("+OK"), ascii("\r\n"));
	}

	@Test
	void theLineCodecReadsLinesOfEitherEnding() {
		for (LineEnding ending : LineEnding.values()) {
			FrameEncoder encoder = FrameEncoder.line(ending);
			List<WireFrame> frames = Stream.of("one", "", "three").map(line -> {
				RecordingConnection connection = new RecordingConnection();
				encoder.write(connection, line);
				return new WireFrame(connection.bytes(), ascii(line));
			}).toList();
			assertDecodes(Framing.line(), frames, new byte[0]);
		}
	}

	@Test
	void aDelimitedFrameIsThePayloadThenTheDelimiterCopiedAtCreation() {
		byte[] delimiter = ascii("||");
		FrameEncoder encoder = FrameEncoder.delimiter(delimiter);
		delimiter[0] = 'X';
		RecordingConnection connection = new RecordingConnection();
		encoder.write(connection, ascii("abc"));
		encoder.write(connection, new byte[0]);
		assertThat(connection.bytes()).isEqualTo(ascii("abc||||"));
		assertDecodes(Framing.delimiter(ascii("||")), List.of(new WireFrame(ascii("abc||"), ascii("abc")),
				new WireFrame(ascii("||"), new byte[0])), new byte[0]);
		assertThat(encoder).hasToString("delimiter(delimiter=0x7c7c)");
	}

	@Test
	void anEmptyDelimiterIsRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> FrameEncoder.delimiter(new byte[0]))
			.withMessage("delimiter must not be empty");
	}

	@Test
	void aFixedEncoderWritesOnlyPayloadsOfItsLength() {
		FrameEncoder encoder = FrameEncoder.fixed(3);
		RecordingConnection connection = new RecordingConnection();
		encoder.write(connection, ascii("abc"));
		assertThatIllegalArgumentException().isThrownBy(() -> encoder.write(connection, ascii("ab")))
			.withMessageContaining("exactly 3 bytes but the payload has 2");
		assertThatIllegalArgumentException().isThrownBy(() -> encoder.write(connection, ascii("abcd")));
		assertThat(connection.writes()).containsExactly(ascii("abc"));
		assertThatIllegalArgumentException().isThrownBy(() -> FrameEncoder.fixed(0));
	}

	@Test
	void lineEndingBytesAreACopy() {
		byte[] crlf = LineEnding.CRLF.bytes();
		crlf[0] = 'X';
		RecordingConnection connection = new RecordingConnection();
		FrameEncoder.line(LineEnding.CRLF).write(connection, "a");
		assertThat(connection.bytes()).isEqualTo(ascii("a\r\n"));
	}

	@Test
	void everySpecMakesTheEncoderItsDecoderReads() {
		List<FramingSpec> specs = List.of(
				new FramingSpec(FramingKind.LINE, 10, false, null, null, null, null, null, null, null),
				new FramingSpec(FramingKind.DELIMITER, null, null, "\r\n\r\n", null, null, null, null, null, null),
				new FramingSpec(FramingKind.LENGTH_FIELD, 10, null, null, 2, null, -2, null, FieldByteOrder.LITTLE_ENDIAN,
						null),
				new FramingSpec(FramingKind.FIXED, null, null, null, null, null, null, null, null, 4));
		for (FramingSpec spec : specs) {
			FrameEncoder encoder = spec.encoder();
			assertThat(encoder).as(spec.kind().value()).isNotNull();
			RecordingConnection connection = new RecordingConnection();
			encoder.write(connection, ascii("ping"));
			byte[] wire = connection.bytes();
			List<byte[]> frames = new ArrayList<>();
			spec.decoderFactory().newDecoder().decode(Bytes.wrap(wire), frame -> frames.add(frame.toByteArray()));
			byte[] expected = (spec.kind() == FramingKind.LINE) ? ascii("ping\n") : ascii("ping");
			assertThat(frames).as(spec.kind().value()).containsExactly(expected);
		}
		assertThat(FramingSpec.raw().encoder()).isNull();
	}

	@Test
	void theSpecsMaximumBoundsTheLengthFieldEncoder() {
		FramingSpec spec = new FramingSpec(FramingKind.LENGTH_FIELD, 3, null, null, null, null, null, null, null, null);
		assertThatIllegalArgumentException().isThrownBy(() -> spec.encoder().write(new RecordingConnection(), "ping"))
			.withMessageContaining("max-frame-size of 3");
	}

}
