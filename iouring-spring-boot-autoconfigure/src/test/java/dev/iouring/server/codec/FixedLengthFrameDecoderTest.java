package dev.iouring.server.codec;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.iouring.server.codec.DecoderHarness.WireFrame;

import static dev.iouring.server.codec.DecoderHarness.ascii;
import static dev.iouring.server.codec.DecoderHarness.assertDecodes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class FixedLengthFrameDecoderTest {

	@Test
	void cutsFramesOfTheGivenLength() {
		assertDecodes(Framing.fixed(3),
				List.of(WireFrame.of("abc", "abc"), WireFrame.of("\n\r\0", "\n\r\0"), WireFrame.of("xyz", "xyz")),
				ascii("pq"));
	}

	@Test
	void cutsSingleByteFrames() {
		assertDecodes(Framing.fixed(1), List.of(WireFrame.of("a", "a"), WireFrame.of("b", "b")), new byte[0]);
	}

	@Test
	void neverBuffersMoreThanOneFrame() {
		AccumulatingFrameDecoder decoder = (AccumulatingFrameDecoder) Framing.fixed(1000).newDecoder();
		List<byte[]> frames = DecoderHarness.decode(decoder, new byte[2999], new int[] { 999, 1001, 2500 });
		assertThat(frames).hasSize(2);
		assertThat(decoder.bufferedBytes()).isEqualTo(999);
		assertThat(decoder.buffer.capacity()).isLessThanOrEqualTo(1000);
	}

	@Test
	void rejectsANonPositiveLength() {
		assertThatIllegalArgumentException().isThrownBy(() -> Framing.fixed(0))
			.withMessage("frame-length must be between 1 and 2147483639 but was 0");
	}

}
