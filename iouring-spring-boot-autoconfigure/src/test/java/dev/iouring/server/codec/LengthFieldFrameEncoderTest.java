package dev.iouring.server.codec;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.iouring.server.Bytes;
import dev.iouring.server.codec.DecoderHarness.WireFrame;

import static dev.iouring.server.codec.DecoderHarness.ascii;
import static dev.iouring.server.codec.DecoderHarness.assertDecodes;
import static dev.iouring.server.codec.DecoderHarness.concat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class LengthFieldFrameEncoderTest {

	private static final byte[] NO_OFFSET = new byte[0];

	static Stream<Arguments> fieldLayouts() {
		return Stream.of(1, 2, 4, 8)
			.flatMap(length -> Stream.of(FieldByteOrder.values()).map(order -> Arguments.of(length, order)));
	}

	@ParameterizedTest(name = "{0}-byte {1} field")
	@MethodSource("fieldLayouts")
	void writesTheFieldThenThePayloadAsTwoWrites(int fieldLength, FieldByteOrder order) {
		LengthFieldOptions options = LengthFieldOptions.defaults().withLengthFieldLength(fieldLength).withByteOrder(order);
		RecordingConnection connection = new RecordingConnection();
		FrameEncoder.lengthField(options).write(connection, ascii("hello"));
		assertThat(connection.writes()).containsExactly(LengthFieldEncoder.header(options, NO_OFFSET, 5), ascii("hello"));
	}

	@ParameterizedTest(name = "{0}-byte {1} field")
	@MethodSource("fieldLayouts")
	void theDecoderWithTheSameOptionsReadsThePayloadsBack(int fieldLength, FieldByteOrder order) {
		LengthFieldOptions options = LengthFieldOptions.defaults()
			.withLengthFieldLength(fieldLength)
			.withByteOrder(order)
			.withMaxFrameSize(255);
		FrameEncoder encoder = FrameEncoder.lengthField(options);
		byte[] longest = ascii("L".repeat(255));
		List<byte[]> payloads = List.of(ascii("hello"), new byte[0], longest, ascii("x"));
		List<WireFrame> frames = payloads.stream().map(payload -> {
			RecordingConnection connection = new RecordingConnection();
			encoder.write(connection, payload);
			return new WireFrame(connection.bytes(), payload);
		}).toList();
		assertDecodes(Framing.lengthField(options), frames, new byte[0]);
	}

	@Test
	void aFieldCountingTheWholeFrameHoldsThePayloadPlusTheHeader() {
		// As in Netty's LengthFieldPrepender with lengthIncludesLengthFieldLength.
		LengthFieldOptions options = LengthFieldOptions.defaults()
			.withLengthFieldLength(2)
			.withByteOrder(FieldByteOrder.LITTLE_ENDIAN)
			.withLengthIncludingHeader();
		assertThat(options.lengthAdjustment()).isEqualTo(-2);
		RecordingConnection connection = new RecordingConnection();
		FrameEncoder.lengthField(options).write(connection, ascii("abc"));
		assertThat(connection.bytes()).containsExactly(5, 0, 'a', 'b', 'c');
	}

	@Test
	void aPositiveAdjustmentLeavesBytesAfterThePayloadOutOfTheField() {
		// The field counts the body only; the last two bytes of the payload are a checksum.
		LengthFieldOptions options = LengthFieldOptions.defaults().withLengthFieldLength(1).withLengthAdjustment(2);
		RecordingConnection connection = new RecordingConnection();
		FrameEncoder.lengthField(options).write(connection, ascii("abcCS"));
		assertThat(connection.bytes()).isEqualTo(concat(new byte[] { 3 }, ascii("abcCS")));
	}

	@Test
	void withAnOffsetTheHandlerWritesTheBytesBeforeTheField() {
		// A 2-byte message type, then a 2-byte length counting the whole frame, header included.
		LengthFieldOptions options = LengthFieldOptions.defaults()
			.withLengthFieldOffset(2)
			.withLengthFieldLength(2)
			.withLengthIncludingHeader();
		RecordingConnection connection = new RecordingConnection();
		connection.write(ascii("PI"));
		FrameEncoder.lengthField(options).write(connection, ascii("ping"));
		byte[] expected = LengthFieldEncoder.encode(options, ascii("PI"), ascii("ping"));
		assertThat(connection.bytes()).isEqualTo(expected).containsSubsequence(0, 8);
		assertDecodes(Framing.lengthField(options), List.of(new WireFrame(expected, ascii("ping"))), new byte[0]);
	}

	@Test
	void refusesAPayloadTheFieldCannotHoldBeforeWritingAnything() {
		FrameEncoder oneByte = FrameEncoder.lengthField(LengthFieldOptions.defaults().withLengthFieldLength(1));
		RecordingConnection connection = new RecordingConnection();
		oneByte.write(connection, new byte[255]);
		assertThat(connection.writes().getFirst()).containsExactly(0xff);
		RecordingConnection refused = new RecordingConnection();
		assertThatIllegalArgumentException().isThrownBy(() -> oneByte.write(refused, new byte[256]))
			.withMessageContaining("256 bytes")
			.withMessageContaining("outside 0 to 255 of a 1-byte field");
		assertThat(refused.writes()).isEmpty();
	}

	@Test
	void refusesAPayloadOverTheMaximumTheDecoderWouldRefuse() {
		FrameEncoder encoder = FrameEncoder.lengthField(LengthFieldOptions.defaults().withMaxFrameSize(100));
		RecordingConnection connection = new RecordingConnection();
		assertThatIllegalArgumentException().isThrownBy(() -> encoder.write(connection, new byte[101]))
			.withMessageContaining("exceeds max-frame-size of 100 bytes");
		assertThat(connection.writes()).isEmpty();
	}

	@Test
	void refusesAPayloadShorterThanAPositiveAdjustment() {
		FrameEncoder encoder = FrameEncoder.lengthField(LengthFieldOptions.defaults().withLengthAdjustment(2));
		RecordingConnection connection = new RecordingConnection();
		assertThatIllegalArgumentException().isThrownBy(() -> encoder.write(connection, new byte[1]))
			.withMessageContaining("hold -1");
		assertThat(connection.writes()).isEmpty();
	}

	@Test
	void everyPayloadTypeGivesTheSameFrame() {
		FrameEncoder encoder = FrameEncoder.lengthField(LengthFieldOptions.defaults());
		byte[] expected = LengthFieldEncoder.encode(LengthFieldOptions.defaults(), NO_OFFSET, ascii("héllo"));
		RecordingConnection fromArray = new RecordingConnection();
		encoder.write(fromArray, concat(ascii("--"), ascii("héllo"), ascii("--")), 2, 5);
		RecordingConnection fromBytes = new RecordingConnection();
		encoder.write(fromBytes, Bytes.wrap(ascii("héllo")));
		RecordingConnection fromSegment = new RecordingConnection();
		encoder.write(fromSegment, MemorySegment.ofArray(ascii("héllo")));
		RecordingConnection fromBuffer = new RecordingConnection();
		ByteBuffer buffer = ByteBuffer.wrap(ascii("héllo"));
		encoder.write(fromBuffer, buffer);
		RecordingConnection fromText = new RecordingConnection();
		encoder.write(fromText, "héllo");
		assertThat(List.of(fromArray.bytes(), fromBytes.bytes(), fromSegment.bytes(), fromBuffer.bytes()))
			.allSatisfy(frame -> assertThat(frame).isEqualTo(expected));
		assertThat(buffer.hasRemaining()).isFalse();
		// Text goes out as UTF-8: é is two bytes, so the field says 6.
		assertThat(fromText.bytes()).startsWith(0, 0, 0, 6).endsWith(ascii("llo"));
	}

	@Test
	void aRefusedBufferKeepsItsPosition() {
		FrameEncoder encoder = FrameEncoder.lengthField(LengthFieldOptions.defaults().withMaxFrameSize(4));
		ByteBuffer buffer = ByteBuffer.wrap(ascii("too long"));
		assertThatIllegalArgumentException().isThrownBy(() -> encoder.write(new RecordingConnection(), buffer));
		assertThat(buffer.position()).isZero();
	}

	@Test
	void oneEncoderSharedByTwoThreadsKeepsEachThreadsHeader() throws Exception {
		// The first thread is held inside its header write, field filled but not yet copied, while the
		// second fills and writes its own: a field buffer shared by the two threads would give the first
		// connection the second's length.
		FrameEncoder encoder = FrameEncoder.lengthField(LengthFieldOptions.defaults());
		CountDownLatch firstHeld = new CountDownLatch(1);
		CountDownLatch secondWrote = new CountDownLatch(1);
		RecordingConnection held = new RecordingConnection().beforeFirstCopy(() -> {
			firstHeld.countDown();
			await(secondWrote);
		});
		RecordingConnection other = new RecordingConnection();
		try (ExecutorService threads = Executors.newFixedThreadPool(2)) {
			Future<?> first = threads.submit(() -> encoder.write(held, new byte[7]));
			threads.submit(() -> {
				await(firstHeld);
				encoder.write(other, new byte[300]);
				secondWrote.countDown();
			}).get(30, TimeUnit.SECONDS);
			first.get(30, TimeUnit.SECONDS);
		}
		assertThat(held.writes().getFirst()).containsExactly(0, 0, 0, 7);
		assertThat(other.writes().getFirst()).containsExactly(0, 0, 1, 44);
	}

	private static void await(CountDownLatch latch) {
		try {
			assertThat(latch.await(30, TimeUnit.SECONDS)).isTrue();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError(ex);
		}
	}

	@Test
	void describesItsLayout() {
		assertThat(FrameEncoder.lengthField(LengthFieldOptions.defaults().withLengthFieldLength(2)))
			.hasToString("length-field(max-frame-size=65536, length-field-length=2, length-adjustment=0, "
					+ "byte-order=BIG_ENDIAN)");
	}

}
