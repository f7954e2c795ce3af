package dev.iouring.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.iouring.ring.Sockets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A socket the options cannot be set on is counted in the loop's errors, per transport, and never
 * throws: the accept path goes on and the connection is served (or fails on its own terms).
 */
class AcceptedSocketOptionsTests {

	private static final SocketOptions KEEP_ALIVE = SocketOptions.builder()
		.keepAlive(true)
		.keepAliveIdle(Duration.ofSeconds(30))
		.build();

	@Test
	void aDescriptorThatRefusesTheOptionsIsCountedByErrno() {
		int fd = Sockets.openListener(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
		Sockets.close(fd);
		LoopStats stats = new LoopStats(0);
		new AcceptedSocketOptions("test", KEEP_ALIVE).apply(fd, stats);
		assertThat(stats.errors()).containsEntry("setsockopt/EBADF", 2L);
	}

	@Test
	void aChannelThatRefusesTheOptionsIsCountedByExceptionType() throws IOException {
		SocketChannel channel = SocketChannel.open();
		channel.close();
		LoopStats stats = new LoopStats(0);
		new AcceptedSocketOptions("test", KEEP_ALIVE).apply(channel, stats);
		// TCP_NODELAY, SO_KEEPALIVE and TCP_KEEPIDLE.
		assertThat(stats.errors()).containsEntry("setsockopt/ClosedChannelException", 3L);
	}

	@Test
	void defaultOptionsMakeNoCallOnTheIoUringTransport() {
		LoopStats stats = new LoopStats(0);
		// A closed descriptor: any call would fail and be counted.
		new AcceptedSocketOptions("test", SocketOptions.DEFAULTS).apply(-1, stats);
		assertThat(stats.errors()).isEmpty();
	}

}
