package dev.iouring.server.codec;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

import dev.iouring.server.Bytes;
import dev.iouring.server.CloseReason;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * Feeds a stream to a decoder cut into chunks in every way that matters: one chunk, one byte at a time,
 * each two-way split, and random splits. After every chunk it checks that exactly the frames completed
 * so far were delivered, with the expected bytes, and that {@link FrameDecoder#bufferedBytes()} counts
 * exactly the bytes after the last completed frame.
 */
final class DecoderHarness {

	/** Random splits tried per stream, on top of the systematic ones. */
	private static final int RANDOM_SPLITS = 25;

	private DecoderHarness() {
	}

	/**
	 * One frame as sent and as it should be delivered.
	 * @param wire the bytes on the wire, framing included
	 * @param frame the bytes the sink should get
	 */
	record WireFrame(byte[] wire, byte[] frame) {

		static WireFrame of(String wire, String frame) {
			return new WireFrame(ascii(wire), ascii(frame));
		}

	}

	static byte[] ascii(String text) {
		return text.getBytes(StandardCharsets.ISO_8859_1);
	}

	static byte[] concat(byte[]... parts) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		for (byte[] part : parts) {
			out.writeBytes(part);
		}
		return out.toByteArray();
	}

	/**
	 * Returns the cut points to try for a stream: each array lists the positions, in order, where one chunk
	 * ends and the next begins.
	 * @param length the stream length
	 * @return the splits, the first being a single chunk
	 */
	static List<int[]> splits(int length) {
		List<int[]> splits = new ArrayList<>();
		splits.add(new int[0]);
		int[] everyByte = new int[Math.max(length - 1, 0)];
		Arrays.setAll(everyByte, i -> i + 1);
		splits.add(everyByte);
		for (int cut = 1; cut < length; cut++) {
			splits.add(new int[] { cut });
		}
		Random random = new Random(length);
		for (int i = 0; i < RANDOM_SPLITS && length > 1; i++) {
			splits.add(randomSplit(random, length));
		}
		return splits;
	}

	static int[] randomSplit(Random random, int length) {
		double cutChance = random.nextDouble();
		return IntStream.range(1, length).filter(i -> random.nextDouble() < cutChance).toArray();
	}

	/**
	 * Checks a decoder against every split of a stream of frames followed by an incomplete one.
	 * @param factory the codec
	 * @param frames the complete frames
	 * @param trailing bytes of an incomplete frame after the last one (may be empty)
	 */
	static void assertDecodes(FrameDecoderFactory factory, List<WireFrame> frames, byte[] trailing) {
		byte[] stream = concat(concat(frames.stream().map(WireFrame::wire).toArray(byte[][]::new)), trailing);
		int[] frameEnds = new int[frames.size()];
		int end = 0;
		for (int i = 0; i < frames.size(); i++) {
			end += frames.get(i).wire().length;
			frameEnds[i] = end;
		}
		List<String> expected = frames.stream().map(f -> show(f.frame())).toList();
		for (int[] cuts : splits(stream.length)) {
			FrameDecoder decoder = factory.newDecoder();
			List<String> received = new ArrayList<>();
			int start = 0;
			for (int cut : chunkEnds(cuts, stream.length)) {
				decoder.decode(Bytes.wrap(stream, start, cut - start), frame -> received.add(show(frame.toByteArray())));
				int position = cut;
				int completed = (int) Arrays.stream(frameEnds).filter(e -> e <= position).count();
				String where = "after the chunk ending at " + cut + " of split " + Arrays.toString(cuts);
				assertThat(received).as(where).containsExactlyElementsOf(expected.subList(0, completed));
				int lastEnd = (completed > 0) ? frameEnds[completed - 1] : 0;
				assertThat(decoder.bufferedBytes()).as("buffered bytes " + where).isEqualTo(cut - lastEnd);
				start = cut;
			}
			decoder.release();
			assertThat(decoder.bufferedBytes()).isZero();
		}
	}

	/**
	 * Checks that every split of a stream is rejected exactly in the chunk holding the byte that makes it
	 * invalid, not before.
	 * @param factory the codec
	 * @param stream the bytes
	 * @param decidingByte the position of the first byte after which the stream is certainly invalid
	 * @param reason the expected close reason
	 * @param message the expected message
	 */
	static void assertRejects(FrameDecoderFactory factory, byte[] stream, int decidingByte, CloseReason reason,
			String message) {
		assertRejects(factory, stream, decidingByte, reason, message, splits(stream.length));
	}

	/**
	 * Like {@link #assertRejects(FrameDecoderFactory, byte[], int, CloseReason, String)} with chosen splits,
	 * for streams too long to try every split.
	 */
	static void assertRejects(FrameDecoderFactory factory, byte[] stream, int decidingByte, CloseReason reason,
			String message, List<int[]> splits) {
		for (int[] cuts : splits) {
			FrameDecoder decoder = factory.newDecoder();
			int start = 0;
			for (int cut : chunkEnds(cuts, stream.length)) {
				Bytes chunk = Bytes.wrap(stream, start, cut - start);
				String where = "chunk [" + start + ", " + cut + ") of split " + Arrays.toString(cuts);
				if (cut <= decidingByte) {
					assertThatNoException().as(where).isThrownBy(() -> decoder.decode(chunk, frame -> {
					}));
				}
				else {
					assertThatExceptionOfType(FramingException.class).as(where)
						.isThrownBy(() -> decoder.decode(chunk, frame -> {
						}))
						.withMessage(message)
						.satisfies(ex -> assertThat(ex.reason()).isEqualTo(reason));
					assertThat(decoder.bufferedBytes()).isZero();
					break;
				}
				start = cut;
			}
		}
	}

	/**
	 * Decodes a stream cut at the given points and returns copies of the frames.
	 * @param decoder the decoder
	 * @param stream the bytes
	 * @param cuts where chunks end
	 * @return the frames
	 */
	static List<byte[]> decode(FrameDecoder decoder, byte[] stream, int[] cuts) {
		List<byte[]> frames = new ArrayList<>();
		int start = 0;
		for (int cut : chunkEnds(cuts, stream.length)) {
			decoder.decode(Bytes.wrap(stream, start, cut - start), frame -> frames.add(frame.toByteArray()));
			start = cut;
		}
		return frames;
	}

	/** Returns where each chunk ends: the cut points, then the stream's end. */
	static int[] chunkEnds(int[] cuts, int length) {
		int[] ends = Arrays.copyOf(cuts, cuts.length + 1);
		ends[cuts.length] = length;
		return ends;
	}

	/** Returns bytes as text with CR, LF and other unprintable bytes escaped, for readable comparisons. */
	static String show(byte[] bytes) {
		StringBuilder text = new StringBuilder();
		for (byte b : bytes) {
			int c = b & 0xff;
			switch (c) {
				case '\r' -> text.append("\\r");
				case '\n' -> text.append("\\n");
				default -> text.append((c >= 0x20 && c < 0x7f && c != '\\') ? String.valueOf((char) c)
						: String.format("\\x%02x", c));
			}
		}
		return text.toString();
	}

}
