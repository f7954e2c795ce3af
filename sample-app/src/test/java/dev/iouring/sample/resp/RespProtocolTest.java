package dev.iouring.sample.resp;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.iouring.server.Bytes;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How the handler reads RESP2 requests: both request forms, pipelining, commands cut anywhere,
 * malformed input and the memory bounds.
 */
class RespProtocolTest {

	/** A session that touches every request form, pipelining, binary data and each reply type. */
	private static final String SCRIPT = "PING\r\n"
			+ RespClient.command("SET", "greeting", "hello\r\nworld")
			+ "  get   greeting \r\n"
			+ RespClient.command("ECHO", "")
			+ "\r\n"
			+ "*0\r\n"
			+ RespClient.command("INCR", "counter")
			+ RespClient.command("MGET", "greeting", "missing", "counter")
			+ "ping\n"
			+ RespClient.command("NOSUCH", "a", "b")
			+ RespClient.command("DEL", "greeting", "counter");

	private static final String SCRIPT_REPLIES = "+PONG\r\n"
			+ "+OK\r\n"
			+ "$12\r\nhello\r\nworld\r\n"
			+ "$0\r\n\r\n"
			+ ":1\r\n"
			+ "*3\r\n$12\r\nhello\r\nworld\r\n$-1\r\n$1\r\n1\r\n"
			+ "+PONG\r\n"
			+ "-ERR unknown command 'NOSUCH', with args beginning with: 'a' 'b' \r\n"
			+ ":2\r\n";

	@Test
	void answersInlineAndMultibulkPing() {
		RespClient client = new RespClient();
		assertThat(client.send("PING\r\n")).isEqualTo("+PONG\r\n");
		assertThat(client.send("PING\n")).isEqualTo("+PONG\r\n");
		assertThat(client.call("PING")).isEqualTo("+PONG\r\n");
		assertThat(client.call("ping", "hi")).isEqualTo("$2\r\nhi\r\n");
	}

	@Test
	void answersAPipelinedBatchInOneWrite() {
		RespClient client = new RespClient();
		assertThat(client.send(SCRIPT)).isEqualTo(SCRIPT_REPLIES);
		assertThat(client.connection.writeCalls()).isEqualTo(1);
		assertThat(client.connection.isClosed()).isFalse();
	}

	@Test
	void answersTheSameWhereverTheInputIsCut() {
		byte[] script = SCRIPT.getBytes(StandardCharsets.ISO_8859_1);
		for (int cut = 1; cut < script.length; cut++) {
			RespClient client = new RespClient();
			String replies = client.send(Arrays.copyOfRange(script, 0, cut))
					+ client.send(Arrays.copyOfRange(script, cut, script.length));
			assertThat(replies).as("cut at byte %d", cut).isEqualTo(SCRIPT_REPLIES);
		}
	}

	@Test
	void answersTheSameWhenBytesArriveOneByOne() {
		RespClient client = new RespClient();
		StringBuilder replies = new StringBuilder();
		for (byte b : SCRIPT.getBytes(StandardCharsets.ISO_8859_1)) {
			replies.append(client.send(new byte[] { b }));
		}
		assertThat(replies).hasToString(SCRIPT_REPLIES);
	}

	@Test
	void readsCommandsOutOfAViewThatStartsInsideItsSegment() {
		RespClient client = new RespClient();
		byte[] framed = ("garbage" + RespClient.command("ECHO", "inside") + "trailer").getBytes(StandardCharsets.US_ASCII);
		client.handler.onData(client.connection, Bytes.wrap(framed, 7, framed.length - 14));
		assertThat(client.connection.takeWritten()).isEqualTo("$6\r\ninside\r\n");
	}

	@Test
	void keepsALargeValueThatArrivesInManyChunks() {
		RespClient client = new RespClient();
		byte[] value = new byte[RespLimits.DEFAULTS.maxBulkLength()];
		Arrays.fill(value, (byte) 'v');
		byte[] request = RespClient.command("SET".getBytes(StandardCharsets.US_ASCII),
				"big".getBytes(StandardCharsets.US_ASCII), value);
		String replies = "";
		for (int from = 0; from < request.length; from += 16 * 1024) {
			replies += client.send(Arrays.copyOfRange(request, from, Math.min(request.length, from + 16 * 1024)));
		}
		assertThat(replies).isEqualTo("+OK\r\n");
		assertThat(client.call("GET", "big"))
			.isEqualTo("$" + value.length + "\r\n" + new String(value, StandardCharsets.US_ASCII) + "\r\n");
	}

	@Test
	void closesAfterQuitAndIgnoresWhatFollows() {
		RespClient client = new RespClient();
		assertThat(client.send("PING\r\nQUIT\r\nPING\r\n")).isEqualTo("+PONG\r\n+OK\r\n");
		assertThat(client.connection.isClosed()).isTrue();
		client.send("PING\r\n");
		assertThat(client.connection.writesAfterClose()).as("write calls after the close").isZero();
	}

	static Stream<Arguments> malformedRequests() {
		return Stream.of(
				Arguments.of("*x\r\n", "invalid multibulk length"),
				Arguments.of("*1025\r\n", "invalid multibulk length"),
				Arguments.of("*1\r\n$x\r\n", "invalid bulk length"),
				Arguments.of("*1\r\n$-1\r\n", "invalid bulk length"),
				Arguments.of("*1\r\n$1048577\r\n", "invalid bulk length"),
				Arguments.of("*1\r\n+PING\r\n", "expected '$', got '+'"),
				Arguments.of("*1\r\n$4\r\nPINGxx", "expected CRLF after a bulk string of 4 bytes"),
				Arguments.of("*1\rx", "invalid multibulk length"),
				Arguments.of("*01\r\n", "invalid multibulk length"),
				Arguments.of("*" + "1".repeat(40), "too big mbulk count string"),
				Arguments.of("*1\r\n$" + "1".repeat(40), "too big bulk count string"),
				Arguments.of("x".repeat(64 * 1024 + 3), "too big inline request"));
	}

	@ParameterizedTest
	@MethodSource("malformedRequests")
	void repliesWithAProtocolErrorAndCloses(String request, String reason) {
		RespClient client = new RespClient();
		assertThat(client.send("PING\r\n" + request)).isEqualTo("+PONG\r\n-ERR Protocol error: " + reason + "\r\n");
		assertThat(client.connection.isClosed()).isTrue();
		client.send("PING\r\n");
		assertThat(client.connection.writesAfterClose()).as("write calls after the close").isZero();
	}

	@ParameterizedTest
	@MethodSource("malformedRequests")
	void findsProtocolErrorsWhenTheRequestArrivesByteByByte(String request, String reason) {
		RespClient client = new RespClient();
		StringBuilder replies = new StringBuilder();
		for (byte b : request.getBytes(StandardCharsets.ISO_8859_1)) {
			replies.append(client.send(new byte[] { b }));
		}
		assertThat(replies).hasToString("-ERR Protocol error: " + reason + "\r\n");
		assertThat(client.connection.isClosed()).isTrue();
		assertThat(client.connection.writesAfterClose()).as("write calls for the bytes after the error").isZero();
	}

	@Test
	void refusesMoreArgumentsThanTheLimit() {
		RespClient client = new RespClient(new RespLimits(3, 100, 100, 1000));
		assertThat(client.send("a b c d\r\n")).isEqualTo("-ERR Protocol error: too many arguments in inline request\r\n");
		assertThat(client.connection.isClosed()).isTrue();
	}

	@Test
	void refusesACommandLongerThanTheLimitWhileItArrives() {
		RespClient client = new RespClient(new RespLimits(16, 100, 100, 300));
		String request = RespClient.command("MSET", "a", "x".repeat(100), "b", "y".repeat(100), "c", "z".repeat(100));
		assertThat(client.send(request.substring(0, 200))).isEmpty();
		assertThat(client.send(request.substring(200))).isEqualTo("-ERR Protocol error: command longer than 300 bytes\r\n");
		assertThat(client.connection.isClosed()).isTrue();
	}

	@Test
	void acceptsACommandAsLongAsTheLimit() {
		String request = RespClient.command("SET", "k", "v".repeat(80));
		RespClient client = new RespClient(new RespLimits(16, 100, 100, request.length()));
		assertThat(client.send(request.substring(0, 10))).isEmpty();
		assertThat(client.send(request.substring(10) + "PING\r\n")).isEqualTo("+OK\r\n+PONG\r\n");
	}

	@Test
	void skipsEmptyRequests() {
		RespClient client = new RespClient();
		assertThat(client.send("\r\n\n   \r\n*0\r\n*-1\r\n")).isEmpty();
		assertThat(client.connection.isClosed()).isFalse();
	}

}
