package dev.iouring.sample.resp;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

import dev.iouring.server.Bytes;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How a session stops executing a pipeline while its connection is not writable and goes on, in order,
 * when it is writable again; driven over a {@link RecordingConnection} that plays the server's
 * backpressure, so every cut and ordering is deterministic. The same behaviour over a real server is
 * in {@link RespBackpressureEndToEndTest}.
 */
class RespPipelinePauseTest {

	/** Larger than the reply writer's threshold, so each GET of it goes to the connection at once. */
	private static final String BIG = "b".repeat(70_000);

	private static final String BIG_REPLY = "$70000\r\n" + BIG + "\r\n";

	private static final String SCRIPT = RespClient.command("GET", "big") + "PING\r\n"
			+ RespClient.command("ECHO", "one") + RespClient.command("GET", "big") + RespClient.command("INCR", "n")
			+ "echo two\r\n" + RespClient.command("GET", "big") + RespClient.command("INCR", "n");

	private static final String SCRIPT_REPLIES = BIG_REPLY + "+PONG\r\n$3\r\none\r\n" + BIG_REPLY + ":1\r\n"
			+ "$3\r\ntwo\r\n" + BIG_REPLY + ":2\r\n";

	@Test
	void stopsAfterTheReplyThatMadeTheConnectionUnwritableAndResumesInOrder() {
		RespClient client = client(RespLimits.DEFAULTS);
		// One chunk, but the first reply passes the high water mark: nothing after it runs yet.
		assertThat(client.send(SCRIPT)).isEqualTo(BIG_REPLY);
		assertThat(client.connection.isWritable()).isFalse();
		assertThat(client.connection.drain()).isEmpty();
		assertThat(client.connection.drain()).isEqualTo("+PONG\r\n$3\r\none\r\n" + BIG_REPLY);
		assertThat(client.connection.drain()).isEqualTo(":1\r\n$3\r\ntwo\r\n" + BIG_REPLY);
		assertThat(client.connection.drain()).isEqualTo(":2\r\n");
		assertThat(client.call("PING")).isEqualTo("+PONG\r\n");
	}

	@Test
	void keepsWhatArrivesWhilePausedWhereverItIsCut() {
		byte[] script = SCRIPT.getBytes(StandardCharsets.ISO_8859_1);
		for (int cut = 1; cut < script.length; cut += 97) {
			RespClient client = client(RespLimits.DEFAULTS);
			client.connection.block();
			assertThat(client.send(Arrays.copyOfRange(script, 0, cut))).isEmpty();
			assertThat(client.send(Arrays.copyOfRange(script, cut, script.length))).isEmpty();
			assertThat(drainAll(client)).as("cut at byte %d", cut).isEqualTo(SCRIPT_REPLIES);
		}
	}

	@Test
	void answersTheSameWhenPausedWhileBytesArriveOneByOne() {
		RespClient client = client(RespLimits.DEFAULTS);
		StringBuilder replies = new StringBuilder();
		for (byte b : SCRIPT.getBytes(StandardCharsets.ISO_8859_1)) {
			client.handler.onData(client.connection, Bytes.wrap(new byte[] { b }));
			// A peer that reads whenever something came: the pause and the resume both happen many times.
			replies.append(client.connection.drain());
		}
		replies.append(drainAll(client));
		assertThat(replies).hasToString(SCRIPT_REPLIES);
	}

	@Test
	void resumesIntoAnIncompleteCommandThatWasCutBeforeThePause() {
		RespClient client = client(RespLimits.DEFAULTS);
		String set = RespClient.command("SET", "k", "value");
		// The GET's reply pauses the session at the end of the chunk, with the SET half received.
		assertThat(client.send(RespClient.command("GET", "big") + set.substring(0, 15))).isEqualTo(BIG_REPLY);
		assertThat(client.send(set.substring(15) + RespClient.command("GET", "k"))).isEmpty();
		assertThat(drainAll(client)).isEqualTo("+OK\r\n$5\r\nvalue\r\n");
	}

	@Test
	void abortsAClientThatPipelinesPastThePendingLimitWhilePaused() {
		RespClient client = client(new RespLimits(16, 100_000, 100, 1_000));
		client.connection.block();
		assertThat(client.send("PING\r\n".repeat(166))).isEmpty();
		assertThat(client.connection.isClosed()).isFalse();
		// 996 bytes held; five more pass the limit.
		assertThat(client.send("PING\r")).isEmpty();
		assertThat(client.connection.isClosed()).isTrue();
		assertThat(client.connection.drain()).isEmpty();
		assertThat(client.send("PING\r\n")).isEmpty();
	}

	@Test
	void refusesAnIncompleteCommandThatFillsThePendingLimitWhilePaused() {
		RespClient client = client(new RespLimits(16, 100_000, 100, 1_000));
		client.connection.block();
		String request = RespClient.command("SET", "k", "v".repeat(2_000));
		assertThat(client.send(request.substring(0, 1_000))).isEmpty();
		assertThat(client.connection.drain()).isEmpty();
		assertThat(client.connection.takeWritten()).isEqualTo("-ERR Protocol error: command longer than 1000 bytes\r\n");
		assertThat(client.connection.isClosed()).isTrue();
	}

	private static RespClient client(RespLimits limits) {
		RespClient client = new RespClient(limits);
		client.call("SET", "big", BIG);
		client.connection.reportWritability(client.handler, 1_000);
		return client;
	}

	/** Reads until the session has nothing more to say, as a client that catches up would. */
	private static String drainAll(RespClient client) {
		StringBuilder replies = new StringBuilder();
		for (String part = client.connection.drain(); !part.isEmpty() || !client.connection.isWritable();
				part = client.connection.drain()) {
			replies.append(part);
		}
		return replies.append(client.connection.takeWritten()).toString();
	}

}
