package dev.iouring.server.codec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import dev.iouring.server.Bytes;

import static dev.iouring.server.codec.DecoderHarness.concat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Generated layouts and payloads: the length-field encoder writes exactly the frame the test-side
 * encoder builds by hand, the decoder with the same options reads it back whatever the cuts, and the
 * encoder refuses exactly the payloads that no frame of that layout can carry, writing nothing then.
 */
class FrameEncoderPropertiesTests {

	@Property(tries = 500)
	void lengthFieldEncoderIsTheInverseOfTheDecoder(@ForAll("lengthFieldOptions") LengthFieldOptions options,
			@ForAll @IntRange(max = 300) int payloadLength, @ForAll long seed) {
		Random random = new Random(seed);
		byte[] payload = new byte[payloadLength];
		random.nextBytes(payload);
		byte[] offsetBytes = new byte[options.lengthFieldOffset()];
		random.nextBytes(offsetBytes);
		long fieldValue = (long) payloadLength - options.lengthAdjustment();
		long largest = (options.lengthFieldLength() == 8) ? Long.MAX_VALUE : (1L << 8 * options.lengthFieldLength()) - 1;
		boolean carriable = payloadLength <= options.maxFrameSize() && fieldValue >= 0 && fieldValue <= largest;
		RecordingConnection connection = new RecordingConnection();
		FrameEncoder encoder = FrameEncoder.lengthField(options);
		if (!carriable) {
			assertThatIllegalArgumentException().isThrownBy(() -> encoder.write(connection, payload));
			assertThat(connection.writes()).isEmpty();
			return;
		}
		// The bytes before the field are the handler's to write.
		connection.write(offsetBytes);
		encoder.write(connection, payload);
		byte[] frame = connection.bytes();
		assertThat(frame).isEqualTo(LengthFieldEncoder.encode(options, offsetBytes, payload));
		List<byte[]> decoded = DecoderHarness.decode(Framing.lengthField(options).newDecoder(), frame,
				DecoderHarness.randomSplit(random, frame.length));
		assertThat(decoded).containsExactly(options.stripHeader() ? payload : frame);
	}

	@Property(tries = 300)
	void delimitedFramesWrittenByTheEncoderDecodeToTheirPayloads(@ForAll("payloads") List<byte[]> payloads,
			@ForAll("delimiters") byte[] delimiter, @ForAll long seed) {
		FrameEncoder encoder = FrameEncoder.delimiter(delimiter);
		RecordingConnection connection = new RecordingConnection();
		List<byte[]> expected = new ArrayList<>();
		for (byte[] payload : payloads) {
			// A payload holding the delimiter would be cut there: the encoder does not look, so skip those.
			if (Bytes.wrap(concat(payload, delimiter)).indexOf(delimiter) == payload.length) {
				encoder.write(connection, Bytes.wrap(payload));
				expected.add(payload);
			}
		}
		byte[] stream = connection.bytes();
		List<byte[]> decoded = DecoderHarness.decode(Framing.delimiter(delimiter, 64, true).newDecoder(), stream,
				DecoderHarness.randomSplit(new Random(seed), stream.length));
		assertThat(decoded.stream().map(Arrays::toString))
			.containsExactlyElementsOf(expected.stream().map(Arrays::toString).toList());
	}

	@Provide
	Arbitrary<List<byte[]>> payloads() {
		return Arbitraries.of((byte) 'a', (byte) 'b', (byte) 0).array(byte[].class).ofMaxSize(40).list().ofMaxSize(20);
	}

	@Provide
	Arbitrary<byte[]> delimiters() {
		return Arbitraries.of((byte) 'a', (byte) 'b', (byte) 0).array(byte[].class).ofMinSize(1).ofMaxSize(3);
	}

	@Provide
	Arbitrary<LengthFieldOptions> lengthFieldOptions() {
		return Combinators
			.combine(Arbitraries.integers().between(1, 300), Arbitraries.of(1, 2, 4, 8),
					Arbitraries.integers().between(0, 3), Arbitraries.integers().between(-12, 3),
					Arbitraries.of(true, false), Arbitraries.of(FieldByteOrder.class))
			.as(LengthFieldOptions::new);
	}

}
