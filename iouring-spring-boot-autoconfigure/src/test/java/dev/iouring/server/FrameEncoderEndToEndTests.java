package dev.iouring.server;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.iouring.ring.RingOptions;
import dev.iouring.server.codec.FieldByteOrder;
import dev.iouring.server.codec.FrameEncoder;
import dev.iouring.server.codec.Framing;
import dev.iouring.server.codec.LengthFieldOptions;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A server that answers each length-prefixed frame with the frame's payload, framed again by a
 * {@link FrameEncoder} made from the listener's own options, against a plain socket client that builds
 * its frames by hand: the bytes that come back are exactly the bytes sent, header included, for frames
 * from empty to larger than a receive buffer, on the loop and on virtual threads, on each transport.
 */
@EachTransport
class FrameEncoderEndToEndTests {

	/** A 2-byte little-endian field counting the whole frame: nothing the defaults would get right by luck. */
	private static final LengthFieldOptions OPTIONS = LengthFieldOptions.defaults()
		.withMaxFrameSize(12_000)
		.withLengthFieldLength(2)
		.withByteOrder(FieldByteOrder.LITTLE_ENDIAN)
		.withLengthIncludingHeader();

	@Parameter
	Transport transport;

	private TcpServer server;

	@AfterEach
	void stop() {
		if (this.server != null) {
			this.server.stop();
			assertThat(this.server.loopFailure()).isNull();
		}
	}

	@ParameterizedTest
	@EnumSource(HandlerExecution.class)
	void echoedFramesComeBackByteForByte(HandlerExecution execution) throws Exception {
		FrameEncoder encoder = FrameEncoder.lengthField(OPTIONS);
		TcpHandler echo = (connection, frame) -> encoder.write(connection, frame);
		ListenerSettings listener = new ListenerSettings("frames", null, 0, 128, echo, Framing.lengthField(OPTIONS),
				100, Duration.ZERO, execution);
		// Receive buffers smaller than the largest frame, so frames also arrive in pieces.
		this.server = TestServers.create(this.transport, ServerSettings.builder()
			.ring(RingOptions.of(64, 256))
			.buffers(64, 4096)
			.eventLoops(1)
			.listener(listener)
			.build());
		this.server.start();
		Random random = new Random(14);
		ByteArrayOutputStream sent = new ByteArrayOutputStream();
		for (int size : new int[] { 0, 1, 3, 250, 4093, 4096, 12_000, 17, 0, 9_999 }) {
			byte[] payload = new byte[size];
			random.nextBytes(payload);
			sent.writeBytes(ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) (size + 2)).array());
			sent.writeBytes(payload);
		}
		byte[] frames = sent.toByteArray();
		try (Socket socket = Peers.connect(this.server.port())) {
			// All frames in one write: the server cuts them wherever the receives fall.
			socket.getOutputStream().write(frames);
			InputStream in = socket.getInputStream();
			byte[] received = in.readNBytes(frames.length);
			assertThat(received).as("the echo of %d bytes of frames", frames.length).isEqualTo(frames);
			socket.shutdownOutput();
			assertThat(in.read()).as("nothing after the echoed frames").isEqualTo(-1);
		}
	}

}
