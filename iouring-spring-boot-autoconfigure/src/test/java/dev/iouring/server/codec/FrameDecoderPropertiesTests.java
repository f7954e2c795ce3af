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
import net.jqwik.api.constraints.Size;

import dev.iouring.server.Bytes;
import dev.iouring.server.CloseReason;

import static dev.iouring.server.codec.DecoderHarness.concat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Generated input for every codec. Arbitrary bytes, cut at random, either decode or fail with
 * {@link FramingException}, never anything else, and never make a decoder hold more than one maximal
 * frame. Frames encoded by a test-side encoder and cut at random decode back to themselves.
 */
class FrameDecoderPropertiesTests {

	/** Bytes that often form delimiters and line ends, so that frames are found and not only rejected. */
	private static final byte[] NOISY = { 'a', 'b', '\r', '\n', 0, (byte) 0xff };

	@Property(tries = 300)
	void lineDecoderFailsOnlyWithFramingException(@ForAll("noisyBytes") byte[] input, @ForAll long cutSeed,
			@ForAll @IntRange(min = 1, max = 40) int maxFrameSize, @ForAll boolean strip) {
		assertFailsOnlyWithFramingException(Framing.line(maxFrameSize, strip), input, cutSeed, maxFrameSize + 2);
	}

	@Property(tries = 300)
	void delimiterDecoderFailsOnlyWithFramingException(@ForAll("noisyBytes") byte[] input,
			@ForAll("delimiters") byte[] delimiter, @ForAll long cutSeed,
			@ForAll @IntRange(min = 1, max = 40) int maxFrameSize, @ForAll boolean strip) {
		assertFailsOnlyWithFramingException(Framing.delimiter(delimiter, maxFrameSize, strip), input, cutSeed,
				maxFrameSize + delimiter.length);
	}

	@Property(tries = 300)
	void lengthFieldDecoderFailsOnlyWithFramingException(@ForAll @Size(max = 400) byte[] input,
			@ForAll("lengthFieldOptions") LengthFieldOptions options, @ForAll long cutSeed) {
		assertFailsOnlyWithFramingException(Framing.lengthField(options), input, cutSeed,
				options.maxFrameSize() + options.headerLength());
	}

	@Property(tries = 200)
	void fixedDecoderFailsOnlyWithFramingException(@ForAll @Size(max = 400) byte[] input, @ForAll long cutSeed,
			@ForAll @IntRange(min = 1, max = 40) int frameLength) {
		assertFailsOnlyWithFramingException(Framing.fixed(frameLength), input, cutSeed, frameLength);
	}

	@Property(tries = 300)
	void linesRoundTrip(@ForAll("lines") List<String> lines, @ForAll boolean strip, @ForAll long seed) {
		Random random = new Random(seed);
		List<byte[]> wire = new ArrayList<>();
		List<byte[]> expected = new ArrayList<>();
		for (String line : lines) {
			// A CR ending a line would belong to the line end, so lines end with anything else.
			String content = line.replaceAll("\r+$", "");
			String lineEnd = random.nextBoolean() ? "\r\n" : "\n";
			wire.add(DecoderHarness.ascii(content + lineEnd));
			expected.add(DecoderHarness.ascii(strip ? content : content + lineEnd));
		}
		assertRoundTrip(Framing.line(40, strip), wire, expected, random);
	}

	@Property(tries = 300)
	void delimitedFramesRoundTrip(@ForAll("frameContents") List<byte[]> contents,
			@ForAll("delimiters") byte[] delimiter, @ForAll boolean strip, @ForAll long seed) {
		List<byte[]> wire = new ArrayList<>();
		List<byte[]> expected = new ArrayList<>();
		for (byte[] content : contents) {
			byte[] frame = concat(content, delimiter);
			if (firstDelimiterEnd(frame, delimiter) == frame.length) {
				wire.add(frame);
				expected.add(strip ? content : frame);
			}
		}
		assertRoundTrip(Framing.delimiter(delimiter, 40, strip), wire, expected, new Random(seed));
	}

	@Property(tries = 300)
	void lengthFieldFramesRoundTrip(@ForAll("lengthFieldOptions") LengthFieldOptions options,
			@ForAll("payloads") List<byte[]> payloads, @ForAll long seed) {
		Random random = new Random(seed);
		List<byte[]> wire = new ArrayList<>();
		List<byte[]> expected = new ArrayList<>();
		for (byte[] payload : payloads) {
			if (payload.length > options.maxFrameSize() || payload.length < options.lengthAdjustment()) {
				continue;
			}
			byte[] offsetBytes = new byte[options.lengthFieldOffset()];
			random.nextBytes(offsetBytes);
			byte[] frame = LengthFieldEncoder.encode(options, offsetBytes, payload);
			wire.add(frame);
			expected.add(options.stripHeader() ? payload : frame);
		}
		assertRoundTrip(Framing.lengthField(options), wire, expected, random);
	}

	@Property(tries = 200)
	void fixedFramesRoundTrip(@ForAll @IntRange(min = 1, max = 20) int frameLength,
			@ForAll @IntRange(max = 20) int count, @ForAll long seed) {
		Random random = new Random(seed);
		List<byte[]> frames = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			byte[] frame = new byte[frameLength];
			random.nextBytes(frame);
			frames.add(frame);
		}
		assertRoundTrip(Framing.fixed(frameLength), frames, frames, random);
	}

	@Provide
	Arbitrary<byte[]> noisyBytes() {
		return Arbitraries.of(NOISY[0], NOISY[1], NOISY[2], NOISY[3], NOISY[4], NOISY[5])
			.array(byte[].class)
			.ofMaxSize(400);
	}

	@Provide
	Arbitrary<byte[]> delimiters() {
		return Arbitraries.of((byte) 'a', (byte) 'b', (byte) 0).array(byte[].class).ofMinSize(1).ofMaxSize(4);
	}

	@Provide
	Arbitrary<List<String>> lines() {
		return Arbitraries.strings().withChars("ab \r\t").ofMaxLength(40).list().ofMaxSize(20);
	}

	@Provide
	Arbitrary<List<byte[]>> frameContents() {
		return Arbitraries.of((byte) 'a', (byte) 'b', (byte) 'c', (byte) 0)
			.array(byte[].class)
			.ofMaxSize(40)
			.list()
			.ofMaxSize(20);
	}

	@Provide
	Arbitrary<List<byte[]>> payloads() {
		return Arbitraries.bytes().array(byte[].class).ofMaxSize(200).list().ofMaxSize(10);
	}

	@Provide
	Arbitrary<LengthFieldOptions> lengthFieldOptions() {
		return Combinators
			.combine(Arbitraries.integers().between(1, 200), Arbitraries.of(1, 2, 4, 8),
					Arbitraries.integers().between(0, 3), Arbitraries.integers().between(-12, 3), Arbitraries.of(true, false),
					Arbitraries.of(FieldByteOrder.class))
			.as(LengthFieldOptions::new);
	}

	private static void assertFailsOnlyWithFramingException(FrameDecoderFactory factory, byte[] input, long cutSeed,
			int bufferLimit) {
		FrameDecoder decoder = factory.newDecoder();
		int start = 0;
		try {
			int[] cuts = DecoderHarness.randomSplit(new Random(cutSeed), input.length);
			for (int end : DecoderHarness.chunkEnds(cuts, input.length)) {
				decoder.decode(Bytes.wrap(input, start, end - start),
						frame -> assertThat(frame.length()).isLessThanOrEqualTo(bufferLimit));
				assertThat(decoder.bufferedBytes()).isBetween(0, bufferLimit);
				start = end;
			}
		}
		catch (FramingException ex) {
			assertThat(ex.reason()).isIn(CloseReason.FRAME_TOO_LARGE, CloseReason.MALFORMED_FRAME);
		}
	}

	private static void assertRoundTrip(FrameDecoderFactory factory, List<byte[]> wire, List<byte[]> expected,
			Random random) {
		byte[] stream = concat(wire.toArray(byte[][]::new));
		List<byte[]> decoded = DecoderHarness.decode(factory.newDecoder(), stream,
				DecoderHarness.randomSplit(random, stream.length));
		assertThat(decoded.stream().map(DecoderHarness::show))
			.containsExactlyElementsOf(expected.stream().map(DecoderHarness::show).toList());
	}

	/** Returns where the first delimiter in {@code bytes} ends, or -1. */
	private static int firstDelimiterEnd(byte[] bytes, byte[] delimiter) {
		for (int end = delimiter.length; end <= bytes.length; end++) {
			if (Arrays.equals(bytes, end - delimiter.length, end, delimiter, 0, delimiter.length)) {
				return end;
			}
		}
		return -1;
	}

}
