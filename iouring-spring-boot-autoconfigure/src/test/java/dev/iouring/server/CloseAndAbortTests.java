package dev.iouring.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Arrays;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;

import dev.iouring.ring.RingOptions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link Connection#close()} and {@link Connection#abort()} over a real TCP socket, on each transport. A
 * handler writes a reply far larger than the kernel buffers of a peer that is not reading yet, so most of
 * it waits in the server's queue, then closes or aborts. A close sends all of it, then end of stream,
 * and holds the connection meanwhile; an abort closes at once, the queued part never arrives, and both
 * are counted under their close reasons.
 */
@EachTransport
class CloseAndAbortTests {

	private static final int REPLY_SIZE = 1024 * 1024;

	/** Small kernel buffers on both sides keep most of the reply queued in the server. */
	private static final int KERNEL_BUFFER = 4096;

	private static final Duration DEADLINE = Duration.ofSeconds(30);

	@Parameter
	Transport transport;

	private TcpServer server;

	@AfterEach
	void stop() {
		if (this.server != null) {
			this.server.stop();
		}
	}

	private static byte[] reply() {
		byte[] reply = new byte[REPLY_SIZE];
		for (int i = 0; i < reply.length; i++) {
			reply[i] = (byte) (i * 31 + (i >>> 8));
		}
		return reply;
	}

	/** A server whose handler answers 'c' with the reply then close(), and 'a' with the reply then abort(). */
	private TcpServer start(byte[] reply) {
		TcpHandler handler = (connection, data) -> {
			connection.write(reply);
			if (data.getByte(0) == 'a') {
				connection.abort();
			}
			else {
				connection.close();
			}
		};
		this.server = TestServers.create(this.transport, ServerSettings.builder()
			.ring(RingOptions.of(64, 256))
			.buffers(64, 4096)
			.eventLoops(1)
			.listener(ListenerSettings.of("closing", 0, handler)
				.withSocketOptions(SocketOptions.builder().sendBuffer(KERNEL_BUFFER).build()))
			.build());
		this.server.start();
		return this.server;
	}

	private static Socket connectWithSmallReceiveBuffer(int port) throws IOException {
		Socket socket = new Socket();
		socket.setReceiveBufferSize(KERNEL_BUFFER);
		socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), (int) DEADLINE.toMillis());
		socket.setSoTimeout((int) DEADLINE.toMillis());
		return socket;
	}

	@Test
	void closeSendsEveryQueuedByteThenEndOfStream() throws Exception {
		byte[] reply = reply();
		TcpServer server = start(reply);
		try (Socket peer = connectWithSmallReceiveBuffer(server.port())) {
			peer.getOutputStream().write('c');
			await().atMost(DEADLINE).until(() -> server.queuedBytes() > REPLY_SIZE / 2);
			assertThat(server.activeConnections()).as("a close holds the connection until its queue is sent")
				.isEqualTo(1);
			byte[] received = peer.getInputStream().readAllBytes();
			assertThat(received.length).as("every byte of the reply").isEqualTo(REPLY_SIZE);
			assertThat(Arrays.equals(received, reply)).as("the reply, unchanged").isTrue();
			await().atMost(DEADLINE).until(() -> server.activeConnections() == 0);
			assertThat(Peers.closed(server, "closing", CloseReason.LOCAL_CLOSE)).isEqualTo(1);
			assertThat(Peers.closed(server, "closing", CloseReason.ABORTED)).isZero();
		}
	}

	@Test
	void abortClosesAtOnceAndDropsTheQueuedBytes() throws Exception {
		byte[] reply = reply();
		TcpServer server = start(reply);
		try (Socket peer = connectWithSmallReceiveBuffer(server.port())) {
			peer.getOutputStream().write('a');
			// The peer reads nothing, and the connection goes all the same.
			await().atMost(DEADLINE).until(() -> server.activeConnections() == 0);
			assertThat(server.queuedBytes()).as("the queue is discarded").isZero();
			assertThat(Peers.closed(server, "closing", CloseReason.ABORTED)).isEqualTo(1);
			assertThat(Peers.closed(server, "closing", CloseReason.LOCAL_CLOSE)).isZero();
			Ending ending = readToTheEnd(peer.getInputStream());
			// The socket closes as on any close, without SO_LINGER 0: the kernel ends the stream after what
			// it already held, and the peer, whose request was read, sees end of stream, not a reset.
			assertThat(ending.how()).isEqualTo("end of stream");
			assertThat(ending.received().length).as("only what the kernel had taken before the abort arrives")
				.isLessThan(REPLY_SIZE / 2);
			assertThat(Arrays.equals(ending.received(), Arrays.copyOf(reply, ending.received().length)))
				.as("a prefix of the reply")
				.isTrue();
		}
	}

	record Ending(byte[] received, String how) {
	}

	private static Ending readToTheEnd(InputStream in) throws IOException {
		ByteArrayOutputStream received = new ByteArrayOutputStream();
		byte[] buffer = new byte[8192];
		try {
			int n;
			while ((n = in.read(buffer)) >= 0) {
				received.write(buffer, 0, n);
			}
			return new Ending(received.toByteArray(), "end of stream");
		}
		catch (SocketException ex) {
			return new Ending(received.toByteArray(), ex.getMessage());
		}
	}

}
