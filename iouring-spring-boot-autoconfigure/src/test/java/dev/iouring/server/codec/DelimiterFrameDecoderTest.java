package dev.iouring.server.codec;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.iouring.server.Bytes;
import dev.iouring.server.CloseReason;
import dev.iouring.server.codec.DecoderHarness.WireFrame;

import static dev.iouring.server.codec.DecoderHarness.ascii;
import static dev.iouring.server.codec.DecoderHarness.assertDecodes;
import static dev.iouring.server.codec.DecoderHarness.assertRejects;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class DelimiterFrameDecoderTest {

	private static final byte[] NUL = { 0 };

	private static final byte[] BLANK_LINE = ascii("\r\n\r\n");

	@Test
	void cutsFramesEndingWithANulByte() {
		assertDecodes(Framing.delimiter(NUL), List.of(WireFrame.of("first\0", "first"), WireFrame.of("\0", ""),
				WireFrame.of("\0", ""), WireFrame.of("a\r\n\0", "a\r\n")), ascii("rest"));
	}

	@Test
	void cutsFramesEndingWithABlankLine() {
		assertDecodes(Framing.delimiter(BLANK_LINE),
				List.of(WireFrame.of("GET / HTTP/1.1\r\nHost: x\r\n\r\n", "GET / HTTP/1.1\r\nHost: x"),
						WireFrame.of("\r\n\r\n", ""), WireFrame.of("a\r\n\r\r\n\r\n", "a\r\n\r"),
						WireFrame.of("\n\r\r\n\r\n", "\n\r")),
				ascii("b\r\n\r"));
	}

	@Test
	void findsADelimiterWhosePrefixRepeats() {
		assertDecodes(Framing.delimiter(ascii("aab")),
				List.of(WireFrame.of("aaab", "a"), WireFrame.of("aab", ""), WireFrame.of("abaaaab", "abaa")),
				ascii("aa"));
	}

	@Test
	void keepsTheDelimiterWhenAskedTo() {
		assertDecodes(Framing.delimiter(BLANK_LINE, 64, false),
				List.of(WireFrame.of("a\r\n\r\n", "a\r\n\r\n"), WireFrame.of("\r\n\r\n", "\r\n\r\n")), new byte[0]);
	}

	@ParameterizedTest
	@ValueSource(ints = { 1, 2, 3 })
	void findsADelimiterSplitAtEachPosition(int split) {
		FrameDecoder decoder = Framing.delimiter(BLANK_LINE).newDecoder();
		byte[] stream = ascii("abc\r\n\r\nd");
		List<String> frames = new ArrayList<>();
		decoder.decode(Bytes.wrap(stream, 0, 3 + split), frame -> frames.add(frame.toUtf8()));
		assertThat(frames).isEmpty();
		assertThat(decoder.bufferedBytes()).isEqualTo(3 + split);
		decoder.decode(Bytes.wrap(stream, 3 + split, stream.length - 3 - split), frame -> frames.add(frame.toUtf8()));
		assertThat(frames).containsExactly("abc");
		assertThat(decoder.bufferedBytes()).isEqualTo(1);
	}

	@Test
	void acceptsAFrameOfExactlyTheMaximum() {
		assertDecodes(Framing.delimiter(BLANK_LINE, 8, true),
				List.of(WireFrame.of("12345678\r\n\r\n", "12345678"), WireFrame.of("\r\n\r\r\n\r\r\n\r\n", "\r\n\r\r\n\r")),
				ascii("12345678\r\n\r"));
	}

	@Test
	void rejectsAFrameOverTheMaximumWithoutWaitingForTheDelimiter() {
		String message = "frame exceeds max-frame-size of 8 bytes (delimiter codec)";
		assertRejects(Framing.delimiter(BLANK_LINE, 8, true), ascii("123456789"), 8, CloseReason.FRAME_TOO_LARGE,
				message);
		assertRejects(Framing.delimiter(BLANK_LINE, 8, true), ascii("x\r\n\r\n12345678\r\n\rX"), 16,
				CloseReason.FRAME_TOO_LARGE, message);
		assertRejects(Framing.delimiter(NUL, 8, false), ascii("12345678X\0"), 8, CloseReason.FRAME_TOO_LARGE, message);
	}

	@Test
	void neverBuffersMoreThanTheMaximumPlusTheDelimiter() {
		AccumulatingFrameDecoder decoder = (AccumulatingFrameDecoder) Framing.delimiter(BLANK_LINE, 100, true)
			.newDecoder();
		byte[] frame = ascii("y".repeat(100) + "\r\n\r\n");
		List<byte[]> frames = DecoderHarness.decode(decoder, frame, new int[] { 50, 101, 102, 103 });
		assertThat(frames).singleElement().satisfies(f -> assertThat(f).hasSize(100));
		assertThat(decoder.buffer.capacity()).isLessThanOrEqualTo(104);
	}

	@Test
	void rejectsAnEmptyDelimiter() {
		assertThatIllegalArgumentException().isThrownBy(() -> Framing.delimiter(new byte[0]))
			.withMessage("delimiter must not be empty");
	}

	@Test
	void copiesTheDelimiterItIsGiven() {
		byte[] delimiter = { ';' };
		FrameDecoderFactory factory = Framing.delimiter(delimiter);
		delimiter[0] = ',';
		assertThat(DecoderHarness.decode(factory.newDecoder(), ascii("a;b,"), new int[0]))
			.singleElement()
			.satisfies(f -> assertThat(f).isEqualTo(ascii("a")));
		assertThat(factory).hasToString("delimiter(delimiter=0x3b, max-frame-size=65536, strip-delimiter=true)");
	}

}
