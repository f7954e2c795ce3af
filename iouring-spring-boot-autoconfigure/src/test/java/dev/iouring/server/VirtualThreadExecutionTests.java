package dev.iouring.server;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;

import dev.iouring.ring.RingOptions;
import dev.iouring.server.codec.Framing;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With handler-execution virtual-threads, a handler may block without holding up the event loop.
 */
@EachTransport
class VirtualThreadExecutionTests {

	@Parameter
	Transport transport;

	private TcpServer server;

	@AfterEach
	void stop() {
		if (this.server != null) {
			this.server.stop();
		}
	}

	private TcpServer start(TcpHandler handler) {
		ListenerSettings listener = ListenerSettings.of("blocking", 0, handler)
			.withFraming(Framing.line())
			.withHandlerExecution(HandlerExecution.VIRTUAL_THREADS);
		// One loop: if a blocked handler held the loop, the other connection could not be served at all.
		this.server = TestServers.create(this.transport, ServerSettings.builder()
			.ring(RingOptions.of(64, 256))
			.buffers(64, 4096)
			.eventLoops(1)
			.listener(listener)
			.build());
		this.server.start();
		return this.server;
	}

	@Test
	void blockedHandlerDoesNotHoldUpOtherConnections() throws Exception {
		CountDownLatch slowEntered = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		TcpServer server = start((connection, data) -> {
			String line = data.toUtf8();
			if (line.equals("slow")) {
				slowEntered.countDown();
				try {
					release.await(60, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
			connection.write(line + "\n");
		});
		try (Socket slow = new Socket(InetAddress.getLoopbackAddress(), server.port());
				Socket fast = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
			slow.setSoTimeout(60_000);
			fast.setSoTimeout(60_000);
			slow.getOutputStream().write("slow\n".getBytes(StandardCharsets.UTF_8));
			assertThat(slowEntered.await(30, TimeUnit.SECONDS)).isTrue();
			fast.getOutputStream().write("fast\n".getBytes(StandardCharsets.UTF_8));
			assertThat(reader(fast).readLine()).isEqualTo("fast");
			release.countDown();
			assertThat(reader(slow).readLine()).isEqualTo("slow");
		}
		finally {
			release.countDown();
		}
	}

	@Test
	void callbacksOfOneConnectionRunInOrder() throws Exception {
		TcpServer server = start((connection, data) -> {
			try {
				Thread.sleep(1);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			connection.write(data.toUtf8() + "\n");
		});
		try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
			socket.setSoTimeout(60_000);
			OutputStream out = socket.getOutputStream();
			StringBuilder expected = new StringBuilder();
			for (int i = 0; i < 300; i++) {
				out.write(("line-" + i + "\n").getBytes(StandardCharsets.UTF_8));
				expected.append("line-").append(i).append('\n');
			}
			BufferedReader in = reader(socket);
			StringBuilder actual = new StringBuilder();
			for (int i = 0; i < 300; i++) {
				actual.append(in.readLine()).append('\n');
			}
			assertThat(actual.toString()).isEqualTo(expected.toString());
		}
	}

	private static BufferedReader reader(Socket socket) throws java.io.IOException {
		return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
	}

}
