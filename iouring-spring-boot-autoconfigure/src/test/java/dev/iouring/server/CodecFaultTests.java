package dev.iouring.server;

import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.iouring.ring.IoUringAssumptions;
import dev.iouring.ring.RingOptions;
import dev.iouring.server.codec.FieldByteOrder;
import dev.iouring.server.codec.FrameDecoderFactory;
import dev.iouring.server.codec.Framing;
import dev.iouring.server.codec.LengthFieldOptions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Oversized frames, malformed headers and random garbage on every codec: the offending connection is
 * closed with {@code frame-too-large} or {@code malformed-frame}, a well-behaved connection on the same
 * loop keeps getting its frames answered, and the loop never fails.
 */
@EachTransport
class CodecFaultTests {

	@Parameter
	Transport transport;

	private static final int MAX_FRAME = 1024;

	private static final Duration DEADLINE = Duration.ofSeconds(30);

	/** Answers each frame with one byte, so any codec's frames can be counted by the client. */
	private static final TcpHandler ACK = (connection, frame) -> connection.write(new byte[] { 'k' });

	private TcpServer server;

	/**
	 * One codec under attack.
	 * @param name what the parameterized test shows
	 * @param framing the codec
	 * @param encode turns a payload into one valid frame on the wire
	 * @param oversized bytes whose frame is longer than the maximum, or {@code null} when the codec has no
	 * maximum to break (fixed length)
	 * @param malformed bytes whose header cannot be valid, or {@code null} when every header is valid
	 */
	record Codec(String name, FrameDecoderFactory framing, Function<byte[], byte[]> encode, byte @Nullable [] oversized,
			byte @Nullable [] malformed) {

		@Override
		public String toString() {
			return this.name;
		}

	}

	static Stream<Codec> codecs() {
		byte[] longLine = "a".repeat(MAX_FRAME * 2).getBytes(StandardCharsets.US_ASCII);
		LengthFieldOptions int32 = LengthFieldOptions.defaults().withMaxFrameSize(MAX_FRAME);
		LengthFieldOptions int16LittleEndianCountingHeader = LengthFieldOptions.defaults()
			.withMaxFrameSize(MAX_FRAME)
			.withLengthFieldLength(2)
			.withLengthAdjustment(-2)
			.withByteOrder(FieldByteOrder.LITTLE_ENDIAN);
		LengthFieldOptions int64 = LengthFieldOptions.defaults().withMaxFrameSize(MAX_FRAME).withLengthFieldLength(8);
		return Stream.of(
				new Codec("line", Framing.line(MAX_FRAME, true), (payload) -> concat(payload, new byte[] { '\r', '\n' }),
						longLine, null),
				new Codec("delimiter", Framing.delimiter(new byte[] { 0, 0 }, MAX_FRAME, true),
						(payload) -> concat(payload, new byte[] { 0, 0 }), longLine, null),
				new Codec("length-field 4 bytes", Framing.lengthField(int32),
						(payload) -> concat(header(4, payload.length, ByteOrder.BIG_ENDIAN), payload),
						header(4, MAX_FRAME + 1, ByteOrder.BIG_ENDIAN), null),
				new Codec("length-field 2 bytes little-endian counting itself", Framing.lengthField(int16LittleEndianCountingHeader),
						(payload) -> concat(header(2, payload.length + 2, ByteOrder.LITTLE_ENDIAN), payload),
						header(2, MAX_FRAME + 3, ByteOrder.LITTLE_ENDIAN), header(2, 1, ByteOrder.LITTLE_ENDIAN)),
				new Codec("length-field 8 bytes", Framing.lengthField(int64),
						(payload) -> concat(header(8, payload.length, ByteOrder.BIG_ENDIAN), payload),
						header(8, MAX_FRAME + 1, ByteOrder.BIG_ENDIAN), header(8, -1, ByteOrder.BIG_ENDIAN)),
				new Codec("fixed", Framing.fixed(16), (payload) -> java.util.Arrays.copyOf(payload, 16), null, null));
	}

	static Stream<Codec> codecsWithAMaximum() {
		return codecs().filter((codec) -> codec.oversized() != null);
	}

	static Stream<Codec> codecsWithHeaders() {
		return codecs().filter((codec) -> codec.malformed() != null);
	}

	@AfterEach
	void stop() {
		if (this.server != null) {
			this.server.stop();
			assertThat(this.server.loopFailure()).isNull();
		}
	}

	private TcpServer start(Codec codec) {
		ListenerSettings listener = new ListenerSettings("framed", null, 0, 128, ACK, codec.framing(), 1000,
				Duration.ZERO, HandlerExecution.EVENT_LOOP);
		this.server = TestServers.create(this.transport, ServerSettings.builder()
			.ring(RingOptions.of(64, 256))
			.buffers(64, 4096)
			.eventLoops(1)
			.listener(listener)
			.build());
		this.server.start();
		return this.server;
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("codecsWithAMaximum")
	void oversizedFrameClosesOnlyThatConnectionWithFrameTooLarge(Codec codec) throws Exception {
		TcpServer server = start(codec);
		try (Socket good = Peers.connect(server.port())) {
			exchangeValidFrames(codec, good, 10);
			try (Socket abuser = Peers.connect(server.port())) {
				exchangeValidFrames(codec, abuser, 2);
				abuser.getOutputStream().write(codec.oversized());
				// A lingering close: the server shuts its side and discards the rest, so no reset.
				assertThat(Peers.awaitEnd(abuser)).isEqualTo(Peers.Ending.END_OF_STREAM);
			}
			await().atMost(DEADLINE).until(() -> Peers.closed(server, "framed", CloseReason.FRAME_TOO_LARGE) == 1);
			exchangeValidFrames(codec, good, 10);
		}
		await().atMost(DEADLINE).until(() -> server.activeConnections() == 0);
		assertThat(Peers.closed(server, "framed", CloseReason.MALFORMED_FRAME)).isZero();
		assertThat(Peers.allErrors(server)).isEmpty();
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("codecsWithHeaders")
	void malformedHeaderClosesOnlyThatConnectionWithMalformedFrame(Codec codec) throws Exception {
		TcpServer server = start(codec);
		try (Socket good = Peers.connect(server.port())) {
			exchangeValidFrames(codec, good, 10);
			try (Socket abuser = Peers.connect(server.port())) {
				abuser.getOutputStream().write(codec.malformed());
				assertThat(Peers.awaitEnd(abuser)).isEqualTo(Peers.Ending.END_OF_STREAM);
			}
			await().atMost(DEADLINE).until(() -> Peers.closed(server, "framed", CloseReason.MALFORMED_FRAME) == 1);
			exchangeValidFrames(codec, good, 10);
		}
		await().atMost(DEADLINE).until(() -> server.activeConnections() == 0);
		assertThat(Peers.allErrors(server)).isEmpty();
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("codecs")
	void randomGarbageEndsInAFramingCloseOrIsFramedButNeverHurtsAnotherConnection(Codec codec) throws Exception {
		TcpServer server = start(codec);
		Random random = new Random(codec.name().hashCode());
		try (Socket good = Peers.connect(server.port())) {
			for (int round = 0; round < 20; round++) {
				byte[] garbage = new byte[1 + random.nextInt(64 * 1024)];
				random.nextBytes(garbage);
				try (Socket abuser = Peers.connect(server.port())) {
					// Whether the garbage breaks a frame or is framed, the server ends in order: a
					// lingering close after a bad frame, or a close after the peer's end of stream.
					abuser.getOutputStream().write(garbage);
					abuser.shutdownOutput();
					assertThat(Peers.awaitEnd(abuser)).as("round %d", round).isEqualTo(Peers.Ending.END_OF_STREAM);
				}
				exchangeValidFrames(codec, good, 3);
			}
		}
		await().atMost(DEADLINE).until(() -> server.activeConnections() == 0);
		Set<CloseReason> allowed = EnumSet.of(CloseReason.FRAME_TOO_LARGE, CloseReason.MALFORMED_FRAME,
				CloseReason.PEER_CLOSED, CloseReason.RESET);
		for (CloseReason reason : EnumSet.complementOf(EnumSet.copyOf(allowed))) {
			assertThat(Peers.closed(server, "framed", reason)).as(reason.tag()).isZero();
		}
		assertThat(Peers.allErrors(server)).isEmpty();
	}

	/** Sends frames of random printable payloads and reads one acknowledgement per frame. */
	private static void exchangeValidFrames(Codec codec, Socket socket, int frames) throws IOException {
		Random random = new Random(frames);
		for (int i = 0; i < frames; i++) {
			byte[] payload = new byte[random.nextInt(MAX_FRAME - 16)];
			for (int b = 0; b < payload.length; b++) {
				payload[b] = (byte) ('a' + random.nextInt(26));
			}
			socket.getOutputStream().write(codec.encode().apply(payload));
		}
		byte[] acks = socket.getInputStream().readNBytes(frames);
		assertThat(new String(acks, StandardCharsets.US_ASCII)).isEqualTo("k".repeat(frames));
	}

	private static byte[] header(int length, long value, ByteOrder order) {
		ByteBuffer buffer = ByteBuffer.allocate(length).order(order);
		switch (length) {
			case 2 -> buffer.putShort((short) value);
			case 4 -> buffer.putInt((int) value);
			default -> buffer.putLong(value);
		}
		return buffer.array();
	}

	private static byte[] concat(byte[] first, byte[] second) {
		byte[] both = java.util.Arrays.copyOf(first, first.length + second.length);
		System.arraycopy(second, 0, both, first.length, second.length);
		return both;
	}

}
