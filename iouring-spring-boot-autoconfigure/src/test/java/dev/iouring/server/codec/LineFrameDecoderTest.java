package dev.iouring.server.codec;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.iouring.server.Bytes;
import dev.iouring.server.CloseReason;
import dev.iouring.server.codec.DecoderHarness.WireFrame;

import static dev.iouring.server.codec.DecoderHarness.ascii;
import static dev.iouring.server.codec.DecoderHarness.assertDecodes;
import static dev.iouring.server.codec.DecoderHarness.assertRejects;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class LineFrameDecoderTest {

	private static final String TOO_LARGE_8 = "frame exceeds max-frame-size of 8 bytes (line codec)";

	@Test
	void cutsLinesEndingWithLfOrCrlfAndStripsTheLineEnd() {
		assertDecodes(Framing.line(), List.of(WireFrame.of("hello\n", "hello"), WireFrame.of("world\r\n", "world"),
				WireFrame.of("\n", ""), WireFrame.of("\r\n", ""), WireFrame.of("a\rb\n", "a\rb"),
				WireFrame.of("\r\r\n", "\r")), ascii("partial\r"));
	}

	@Test
	void keepsTheLineEndWhenAskedTo() {
		assertDecodes(Framing.line(64, false), List.of(WireFrame.of("hello\n", "hello\n"),
				WireFrame.of("world\r\n", "world\r\n"), WireFrame.of("\n", "\n"), WireFrame.of("\r\n", "\r\n")),
				ascii("x"));
	}

	@Test
	void findsCrlfSplitBetweenChunks() {
		FrameDecoder decoder = Framing.line().newDecoder();
		List<String> frames = new ArrayList<>();
		decoder.decode(Bytes.wrap(ascii("one\r")), frame -> frames.add(frame.toUtf8()));
		assertThat(frames).isEmpty();
		assertThat(decoder.bufferedBytes()).isEqualTo(4);
		decoder.decode(Bytes.wrap(ascii("\ntwo\n")), frame -> frames.add(frame.toUtf8()));
		assertThat(frames).containsExactly("one", "two");
		assertThat(decoder.bufferedBytes()).isZero();
	}

	@Test
	void acceptsALineOfExactlyTheMaximum() {
		assertDecodes(Framing.line(8, true),
				List.of(WireFrame.of("12345678\n", "12345678"), WireFrame.of("abcdefgh\r\n", "abcdefgh")), ascii("12345678\r"));
	}

	@Test
	void rejectsALineOneByteOverTheMaximumAsSoonAsItsNinthByteArrives() {
		assertRejects(Framing.line(8, true), ascii("ok\n123456789\n"), 11, CloseReason.FRAME_TOO_LARGE, TOO_LARGE_8);
	}

	@Test
	void waitsForTheByteAfterATrailingCrBeforeRejecting() {
		assertRejects(Framing.line(8, true), ascii("12345678\rX"), 9, CloseReason.FRAME_TOO_LARGE, TOO_LARGE_8);
		assertRejects(Framing.line(8, true), ascii("12345678\r\r\n"), 9, CloseReason.FRAME_TOO_LARGE, TOO_LARGE_8);
	}

	@Test
	void enforcesTheDefaultMaximumOf64KiB() {
		byte[] longest = DecoderHarness.concat(ascii("a".repeat(65536)), ascii("\r\n"));
		FrameDecoder decoder = Framing.line().newDecoder();
		assertThat(DecoderHarness.decode(decoder, longest, new int[] { 1000, 40000, 65537 }))
			.singleElement()
			.satisfies(frame -> assertThat(frame).hasSize(65536));
		byte[] tooLong = ascii("a".repeat(65537) + "\n");
		assertRejects(Framing.line(), tooLong, 65536, CloseReason.FRAME_TOO_LARGE,
				"frame exceeds max-frame-size of 65536 bytes (line codec)",
				List.of(new int[0], new int[] { 1000, 40000, 65536 }, new int[] { 65536 }, new int[] { 65537 }));
	}

	@Test
	void neverBuffersMoreThanTheMaximumPlusTheLineEnd() {
		AccumulatingFrameDecoder decoder = (AccumulatingFrameDecoder) Framing.line(1000, true).newDecoder();
		byte[] line = ascii("x".repeat(1000) + "\r");
		for (int i = 0; i < line.length; i++) {
			decoder.decode(Bytes.wrap(line, i, 1), frame -> {
			});
		}
		assertThat(decoder.bufferedBytes()).isEqualTo(1001);
		assertThat(decoder.buffer.capacity()).isLessThanOrEqualTo(1002);
	}

	@Test
	void dropsALargeBufferOnceItsLineIsDelivered() {
		AccumulatingFrameDecoder decoder = (AccumulatingFrameDecoder) Framing.line().newDecoder();
		byte[] line = ascii("x".repeat(20_000) + "\nnext");
		DecoderHarness.decode(decoder, line, new int[] { 10 });
		assertThat(decoder.bufferedBytes()).isEqualTo(4);
		assertThat(decoder.buffer.capacity()).isLessThanOrEqualTo(FrameBuffer.RETAINED_CAPACITY);
	}

	@Test
	void refusesInputAfterItFailed() {
		FrameDecoder decoder = Framing.line(4, true).newDecoder();
		DecoderHarness.decode(decoder, ascii("ab"), new int[0]);
		assertThatExceptionOfType(FramingException.class)
			.isThrownBy(() -> DecoderHarness.decode(decoder, ascii("cdefg"), new int[0]));
		assertThat(decoder.bufferedBytes()).isZero();
		assertThatIllegalStateException().isThrownBy(() -> DecoderHarness.decode(decoder, ascii("\n"), new int[0]))
			.withMessage("the line decoder threw on an earlier chunk and cannot be used again; close its connection");
	}

}
