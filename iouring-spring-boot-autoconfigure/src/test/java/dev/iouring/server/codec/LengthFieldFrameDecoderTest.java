package dev.iouring.server.codec;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.iouring.server.CloseReason;
import dev.iouring.server.codec.DecoderHarness.WireFrame;

import static dev.iouring.server.codec.DecoderHarness.ascii;
import static dev.iouring.server.codec.DecoderHarness.assertDecodes;
import static dev.iouring.server.codec.DecoderHarness.assertRejects;
import static dev.iouring.server.codec.DecoderHarness.concat;
import static org.assertj.core.api.Assertions.assertThat;

class LengthFieldFrameDecoderTest {

	private static final byte[] NO_OFFSET = new byte[0];

	static Stream<Arguments> fieldLayouts() {
		return Stream.of(1, 2, 4, 8)
			.flatMap(length -> Stream.of(FieldByteOrder.values()).map(order -> Arguments.of(length, order)));
	}

	@ParameterizedTest(name = "{0}-byte {1} field")
	@MethodSource("fieldLayouts")
	void readsEveryFieldLengthInEitherByteOrder(int fieldLength, FieldByteOrder order) {
		LengthFieldOptions options = LengthFieldOptions.defaults()
			.withLengthFieldLength(fieldLength)
			.withByteOrder(order)
			.withMaxFrameSize(255);
		byte[] longest = ascii("L".repeat(255));
		assertDecodes(Framing.lengthField(options),
				List.of(payload(options, ascii("hello")), payload(options, new byte[0]), payload(options, longest),
						payload(options, ascii("x"))),
				Arrays.copyOf(LengthFieldEncoder.encode(options, NO_OFFSET, ascii("cut")), fieldLength + 2));
	}

	@ParameterizedTest(name = "{0}-byte {1} field")
	@MethodSource("fieldLayouts")
	void keepsTheHeaderWhenAskedTo(int fieldLength, FieldByteOrder order) {
		LengthFieldOptions options = LengthFieldOptions.defaults()
			.withLengthFieldLength(fieldLength)
			.withByteOrder(order)
			.withStripHeader(false);
		byte[] frame = LengthFieldEncoder.encode(options, NO_OFFSET, ascii("abc"));
		assertDecodes(Framing.lengthField(options), List.of(new WireFrame(frame, frame)), new byte[0]);
	}

	@Test
	void skipsTheOffsetBytesAndAppliesANegativeAdjustment() {
		// A 2-byte message type, then a 2-byte length counting the whole frame, header included.
		LengthFieldOptions options = LengthFieldOptions.defaults()
			.withLengthFieldOffset(2)
			.withLengthFieldLength(2)
			.withLengthAdjustment(-4);
		byte[] ping = LengthFieldEncoder.encode(options, ascii("PI"), ascii("ping"));
		byte[] empty = LengthFieldEncoder.encode(options, ascii("EM"), new byte[0]);
		assertThat(ping).startsWith(ascii("PI")).contains(0, 8);
		assertDecodes(Framing.lengthField(options),
				List.of(new WireFrame(ping, ascii("ping")), new WireFrame(empty, new byte[0])), ascii("PI\0"));
		assertDecodes(Framing.lengthField(options.withStripHeader(false)),
				List.of(new WireFrame(ping, ping), new WireFrame(empty, empty)), new byte[0]);
	}

	@Test
	void appliesAPositiveAdjustment() {
		// The field counts the body only; a 2-byte checksum follows it.
		LengthFieldOptions options = LengthFieldOptions.defaults().withLengthFieldLength(1).withLengthAdjustment(2);
		byte[] frame = concat(new byte[] { 3 }, ascii("abcCS"));
		assertDecodes(Framing.lengthField(options), List.of(new WireFrame(frame, ascii("abcCS"))),
				concat(new byte[] { 3 }, ascii("de")));
	}

	@Test
	void acceptsAPayloadOfExactlyTheMaximum() {
		LengthFieldOptions options = LengthFieldOptions.defaults().withMaxFrameSize(8);
		assertDecodes(Framing.lengthField(options), List.of(payload(options, ascii("12345678"))), new byte[0]);
	}

	@Test
	void rejectsAnOversizedPayloadFromTheHeaderAlone() {
		LengthFieldOptions options = LengthFieldOptions.defaults().withMaxFrameSize(8).withLengthFieldOffset(1);
		byte[] tooLarge = LengthFieldEncoder.encode(options, ascii("T"), ascii("123456789"));
		byte[] stream = concat(LengthFieldEncoder.encode(options, ascii("T"), ascii("ok")), tooLarge);
		assertRejects(Framing.lengthField(options), stream, 7 + 4, CloseReason.FRAME_TOO_LARGE,
				"frame exceeds max-frame-size of 8 bytes (length-field codec)");
	}

	@Test
	void treatsAFourByteFieldAsUnsigned() {
		LengthFieldOptions options = LengthFieldOptions.defaults();
		assertRejects(Framing.lengthField(options), LengthFieldEncoder.header(options, NO_OFFSET, 0xFFFF_FFFFL), 3,
				CloseReason.FRAME_TOO_LARGE, "frame exceeds max-frame-size of 65536 bytes (length-field codec)");
	}

	@Test
	void rejectsAnEightByteFieldAboveTheLargestSignedLength() {
		LengthFieldOptions options = LengthFieldOptions.defaults().withLengthFieldLength(8);
		assertRejects(Framing.lengthField(options), LengthFieldEncoder.header(options, NO_OFFSET, -1L), 7,
				CloseReason.MALFORMED_FRAME,
				"length field holds 18446744073709551615, beyond the largest signed 64-bit length (length-field codec)");
	}

	@Test
	void rejectsALengthThatTheAdjustmentMakesNegative() {
		LengthFieldOptions options = LengthFieldOptions.defaults().withLengthFieldLength(2).withLengthAdjustment(-5);
		byte[] stream = concat(LengthFieldEncoder.encode(options, NO_OFFSET, ascii("ok")),
				LengthFieldEncoder.header(options, NO_OFFSET, 4));
		assertRejects(Framing.lengthField(options), stream, 5, CloseReason.MALFORMED_FRAME,
				"length field 4 plus length-adjustment -5 is negative (length-field codec)");
	}

	@Test
	void rejectsALengthThatTheAdjustmentOverflows() {
		LengthFieldOptions options = LengthFieldOptions.defaults().withLengthFieldLength(8).withLengthAdjustment(1);
		assertRejects(Framing.lengthField(options), LengthFieldEncoder.header(options, NO_OFFSET, Long.MAX_VALUE), 7,
				CloseReason.MALFORMED_FRAME, "length field 9223372036854775807 plus length-adjustment 1 overflows"
						+ " a 64-bit length (length-field codec)");
	}

	@Test
	void neverBuffersMoreThanTheHeaderPlusTheMaximum() {
		LengthFieldOptions options = LengthFieldOptions.defaults().withMaxFrameSize(1000).withLengthFieldOffset(3);
		AccumulatingFrameDecoder decoder = (AccumulatingFrameDecoder) Framing.lengthField(options).newDecoder();
		byte[] frame = LengthFieldEncoder.encode(options, ascii("abc"), new byte[1000]);
		List<byte[]> frames = DecoderHarness.decode(decoder, concat(frame, frame), new int[] { 5, 600, 1006, 1007 });
		assertThat(frames).hasSize(2);
		assertThat(decoder.buffer.capacity()).isLessThanOrEqualTo(1007);
	}

	private static WireFrame payload(LengthFieldOptions options, byte[] payload) {
		return new WireFrame(LengthFieldEncoder.encode(options, NO_OFFSET, payload), payload);
	}

}
