package dev.iouring.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;

import dev.iouring.ring.RingOptions;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A close lingers, on each transport: once the reply is sent the server shuts down its sending side (the
 * peer reads the reply, then end of stream) and keeps the socket, discarding what still arrives, until
 * the peer has been quiet for {@link ConnectionTimers#LINGER_QUIET_NANOS one second}; a peer that never
 * goes quiet is cut at the close limit. Times are measured around the events that start the clocks: the
 * lower bounds from before the peer acted, the upper bounds from after the peer saw end of stream.
 */
@EachTransport
class LingeringCloseTests {

	private static final byte[] REPLY = "bye\n".getBytes(StandardCharsets.US_ASCII);

	/** The sweep's interval while something closes, at most. */
	private static final long SWEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

	/** Room for a loaded machine on top of the sweep. */
	private static final long MARGIN_NANOS = TimeUnit.MILLISECONDS.toNanos(1500);

	/** Far below the default close limit, far above the quiet second. */
	private static final Duration SHORT_CLOSE_LIMIT = Duration.ofSeconds(3);

	@Parameter
	Transport transport;

	private TcpServer server;

	@AfterEach
	void stop() {
		if (this.server != null) {
			this.server.stop();
		}
	}

	/** A server whose handler answers the first bytes with {@link #REPLY} and closes. */
	private TcpServer start(Duration closeLimit) {
		TcpHandler replyAndClose = (connection, data) -> {
			connection.write(REPLY);
			connection.close();
		};
		this.server = TestServers.create(this.transport, ServerSettings.builder()
			.ring(RingOptions.of(64, 256))
			.buffers(64, 4096)
			.eventLoops(1)
			.closeLimit(closeLimit)
			.listener(ListenerSettings.of("linger", 0, replyAndClose))
			.build());
		this.server.start();
		return this.server;
	}

	@Test
	void aQuietPeerGetsTheReplyAndEndOfStreamAndTheCloseEndsAfterOneQuietSecond() throws Exception {
		TcpServer server = start(ServerSettings.DEFAULT_CLOSE_LIMIT);
		try (Socket peer = Peers.connect(server.port())) {
			long requested = System.nanoTime();
			peer.getOutputStream().write('q');
			long endOfStream = readReplyAndEndOfStream(peer);
			long closed = awaitNoConnection(server);
			assertThat(closed - requested).as("lingered for the quiet second")
				.isGreaterThanOrEqualTo(ConnectionTimers.LINGER_QUIET_NANOS);
			assertThat(closed - endOfStream).as("closed once quiet for a second, plus a sweep")
				.isLessThanOrEqualTo(ConnectionTimers.LINGER_QUIET_NANOS + SWEEP_NANOS + MARGIN_NANOS);
			assertThat(Peers.closed(server, "linger", CloseReason.LOCAL_CLOSE)).isEqualTo(1);
		}
	}

	/**
	 * The loop takes its clock as a turn begins, before it waits: after the loop slept longer than the
	 * close limit, a close that counted from that clock would be past its limit as it began, and the
	 * reply would be dropped at the next sweep.
	 */
	@Test
	void aCloseAfterTheLoopSleptLongerThanTheCloseLimitStillSendsTheReplyAndLingers() throws Exception {
		TcpServer server = start(SHORT_CLOSE_LIMIT);
		try (Socket peer = Peers.connect(server.port())) {
			// Nothing happens on the loop for longer than the close limit: it sleeps without a timer.
			Thread.sleep(SHORT_CLOSE_LIMIT.plusSeconds(1).toMillis());
			long requested = System.nanoTime();
			peer.getOutputStream().write('q');
			readReplyAndEndOfStream(peer);
			long closed = awaitNoConnection(server);
			assertThat(closed - requested).as("lingered for the quiet second")
				.isGreaterThanOrEqualTo(ConnectionTimers.LINGER_QUIET_NANOS);
			assertThat(Peers.closed(server, "linger", CloseReason.LOCAL_CLOSE)).isEqualTo(1);
		}
	}

	@Test
	void aPeerThatNeverGoesQuietIsCutAtTheCloseLimit() throws Exception {
		TcpServer server = start(SHORT_CLOSE_LIMIT);
		// The limit counts from the turn that read the request, which may have begun (and waited) before
		// the request was sent, but not before the connection was accepted.
		long connecting = System.nanoTime();
		try (Socket peer = Peers.connect(server.port())) {
			peer.getOutputStream().write('q');
			long endOfStream = readReplyAndEndOfStream(peer);
			AtomicBoolean stopSending = new AtomicBoolean();
			// A platform thread, so a busy virtual-thread scheduler cannot leave a quiet second by accident.
			Thread chatter = Thread.ofPlatform().name("lingering-chatter").start(() -> chatter(peer, stopSending));
			try {
				long closed = awaitNoConnection(server);
				assertThat(closed - connecting).as("a peer that keeps sending holds the close until the limit")
					.isGreaterThanOrEqualTo(SHORT_CLOSE_LIMIT.toNanos());
				assertThat(closed - endOfStream).as("cut at the limit, plus a sweep")
					.isLessThanOrEqualTo(SHORT_CLOSE_LIMIT.toNanos() + SWEEP_NANOS + MARGIN_NANOS);
				assertThat(Peers.closed(server, "linger", CloseReason.LOCAL_CLOSE)).isEqualTo(1);
			}
			finally {
				stopSending.set(true);
				chatter.join(TimeUnit.SECONDS.toMillis(30));
			}
		}
	}

	/** Sends a byte every 50 ms until told to stop or the server's socket is gone. */
	private static void chatter(Socket peer, AtomicBoolean stop) {
		try {
			OutputStream out = peer.getOutputStream();
			while (!stop.get()) {
				out.write('x');
				Thread.sleep(50);
			}
		}
		catch (IOException ex) {
			// The server closed its socket: a reset answers the next byte.
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/** Reads the reply and end of stream, and returns when end of stream was seen. */
	private static long readReplyAndEndOfStream(Socket peer) throws IOException {
		InputStream in = peer.getInputStream();
		assertThat(in.readNBytes(REPLY.length)).isEqualTo(REPLY);
		assertThat(in.read()).as("end of stream after the reply: the server shut down its side").isEqualTo(-1);
		return System.nanoTime();
	}

	/** Polls the server until it holds no connection, and returns when it saw none. */
	static long awaitNoConnection(TcpServer server) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
		while (server.activeConnections() > 0) {
			assertThat(System.nanoTime() - deadline).as("the connection closes within a minute").isNegative();
			Thread.sleep(5);
		}
		return System.nanoTime();
	}

}
