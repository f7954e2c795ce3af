package dev.iouring.server.codec;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.iouring.server.Bytes;
import dev.iouring.server.BytesWindow;

import static dev.iouring.server.codec.DecoderHarness.ascii;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Frames lying wholly inside one chunk are views of the chunk: same memory, one reused view, no buffer.
 */
class ZeroCopyDeliveryTest {

	static Stream<Arguments> codecs() {
		LengthFieldOptions lengthField = LengthFieldOptions.defaults().withLengthFieldLength(2);
		return Stream.of(Arguments.of("line", Framing.line(), ascii("abc\r\nde\n"), new long[] { 0, 5 }),
				Arguments.of("delimiter", Framing.delimiter(ascii("||")), ascii("abc||de||"), new long[] { 0, 5 }),
				Arguments.of("length-field", Framing.lengthField(lengthField),
						DecoderHarness.concat(LengthFieldEncoder.encode(lengthField, new byte[0], ascii("abc")),
								LengthFieldEncoder.encode(lengthField, new byte[0], ascii("de"))),
						new long[] { 2, 7 }),
				Arguments.of("fixed", Framing.fixed(3), ascii("abcdef"), new long[] { 0, 3 }));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("codecs")
	void deliversViewsOfNativeInput(String codec, FrameDecoderFactory factory, byte[] stream, long[] frameOffsets) {
		try (Arena arena = Arena.ofConfined()) {
			MemorySegment input = arena.allocate(stream.length + 16);
			MemorySegment.copy(MemorySegment.ofArray(stream), 0, input, 16, stream.length);
			AccumulatingFrameDecoder decoder = (AccumulatingFrameDecoder) factory.newDecoder();
			List<Bytes> views = new ArrayList<>();
			List<Long> addresses = new ArrayList<>();
			decoder.decode(new BytesWindow().point(input, 16, stream.length), frame -> {
				views.add(frame);
				addresses.add(frame.asSegment().address());
				assertThat(frame.asSegment().isNative()).isTrue();
			});
			assertThat(addresses).containsExactly(input.address() + 16 + frameOffsets[0],
					input.address() + 16 + frameOffsets[1]);
			assertThat(views.get(0)).isSameAs(views.get(1));
			assertThat(decoder.bufferedBytes()).isZero();
			assertThat(decoder.buffer.capacity()).isZero();
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("codecs")
	void deliversViewsOfHeapInput(String codec, FrameDecoderFactory factory, byte[] stream, long[] frameOffsets) {
		AccumulatingFrameDecoder decoder = (AccumulatingFrameDecoder) factory.newDecoder();
		List<Long> offsets = new ArrayList<>();
		decoder.decode(Bytes.wrap(stream), frame -> {
			MemorySegment segment = frame.asSegment();
			assertThat(segment.heapBase()).containsSame(stream);
			offsets.add(segment.address());
		});
		assertThat(offsets).containsExactly(frameOffsets[0], frameOffsets[1]);
		assertThat(decoder.buffer.capacity()).isZero();
	}

}
