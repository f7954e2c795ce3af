package dev.iouring.server;

import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;

import dev.iouring.ring.RingOptions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A connection prints its loop and its sequence within the loop, which together are its packed
 * {@link Connection#id()}, instead of the packed number that reads as 281474976710658 for loop 1.
 */
@EachTransport
class ConnectionToStringTests {

	private static final Pattern READABLE = Pattern
		.compile("Connection\\[loop=(\\d+), id=(\\d+), listener=named(, transport=nio)?]");

	@Parameter
	Transport transport;

	private TcpServer server;

	@AfterEach
	void stop() {
		if (this.server != null) {
			this.server.stop();
		}
	}

	@Test
	void toStringNamesTheLoopTheSequenceAndTheListener() throws Exception {
		Map<Long, String> printed = new ConcurrentHashMap<>();
		TcpHandler recorder = new TcpHandler() {
			@Override
			public void onOpen(Connection connection) {
				printed.put(connection.id(), connection.toString());
			}

			@Override
			public void onData(Connection connection, Bytes data) {
			}
		};
		this.server = TestServers.create(this.transport, ServerSettings.builder()
			.ring(RingOptions.of(64, 256))
			.buffers(64, 4096)
			.eventLoops(2)
			.listener(ListenerSettings.of("named", 0, recorder))
			.build());
		this.server.start();
		List<Socket> sockets = new ArrayList<>();
		try {
			for (int i = 0; i < 6; i++) {
				sockets.add(Peers.connect(this.server.port()));
			}
			await().until(() -> printed.size() == 6);
		}
		finally {
			for (Socket socket : sockets) {
				socket.close();
			}
		}
		printed.forEach((id, text) -> {
			Matcher matcher = READABLE.matcher(text);
			assertThat(matcher.matches()).as(text).isTrue();
			long loop = Long.parseLong(matcher.group(1));
			long sequence = Long.parseLong(matcher.group(2));
			assertThat(loop).isBetween(0L, 1L);
			assertThat((loop << 48) | sequence).as("loop and sequence of %s make its id", text).isEqualTo(id);
			assertThat(matcher.group(3) != null).isEqualTo(this.transport == Transport.NIO);
		});
	}

}
