package dev.iouring.sample.resp;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The key commands, with the replies and error texts Redis gives.
 */
class KeyCommandsTest {

	private final RespClient client = new RespClient();

	@Test
	void getReturnsWhatSetStored() {
		assertThat(this.client.call("SET", "k", "v")).isEqualTo("+OK\r\n");
		assertThat(this.client.call("GET", "k")).isEqualTo("$1\r\nv\r\n");
		assertThat(this.client.call("GET", "other")).isEqualTo("$-1\r\n");
		assertThat(this.client.call("set", "k", "w")).isEqualTo("+OK\r\n");
		assertThat(this.client.call("gEt", "k")).isEqualTo("$1\r\nw\r\n");
	}

	@Test
	void keysAndValuesAreBinarySafe() {
		byte[] every = new byte[256];
		for (int i = 0; i < every.length; i++) {
			every[i] = (byte) i;
		}
		byte[] key = "key\r\n\0*$".getBytes(StandardCharsets.ISO_8859_1);
		assertThat(this.client.send(RespClient.command("SET".getBytes(StandardCharsets.US_ASCII), key, every)))
			.isEqualTo("+OK\r\n");
		String reply = this.client.send(RespClient.command("GET".getBytes(StandardCharsets.US_ASCII), key));
		ByteArrayOutputStream expected = new ByteArrayOutputStream();
		expected.writeBytes("$256\r\n".getBytes(StandardCharsets.US_ASCII));
		expected.writeBytes(every);
		expected.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
		assertThat(reply.getBytes(StandardCharsets.ISO_8859_1)).isEqualTo(expected.toByteArray());
	}

	@Test
	void setWithNxWritesOnlyAbsentKeys() {
		assertThat(this.client.call("SET", "k", "1", "NX")).isEqualTo("+OK\r\n");
		assertThat(this.client.call("SET", "k", "2", "nx")).isEqualTo("$-1\r\n");
		assertThat(this.client.call("GET", "k")).isEqualTo("$1\r\n1\r\n");
	}

	@Test
	void setWithXxWritesOnlyPresentKeys() {
		assertThat(this.client.call("SET", "k", "1", "XX")).isEqualTo("$-1\r\n");
		assertThat(this.client.call("GET", "k")).isEqualTo("$-1\r\n");
		this.client.call("SET", "k", "1");
		assertThat(this.client.call("SET", "k", "2", "XX")).isEqualTo("+OK\r\n");
		assertThat(this.client.call("GET", "k")).isEqualTo("$1\r\n2\r\n");
	}

	@Test
	void keysSetWithExExpire() {
		this.client.call("SET", "k", "v", "EX", "10");
		this.client.clock.advance(Duration.ofMillis(9_999));
		assertThat(this.client.call("GET", "k")).isEqualTo("$1\r\nv\r\n");
		assertThat(this.client.call("DBSIZE")).isEqualTo(":1\r\n");
		this.client.clock.advance(Duration.ofMillis(1));
		assertThat(this.client.call("GET", "k")).isEqualTo("$-1\r\n");
		assertThat(this.client.call("EXISTS", "k")).isEqualTo(":0\r\n");
		assertThat(this.client.call("DBSIZE")).isEqualTo(":0\r\n");
	}

	@Test
	void keysSetWithPxExpireAndAnExpiredKeyCountsAsAbsent() {
		this.client.call("SET", "k", "v", "PX", "5", "NX");
		this.client.clock.advance(Duration.ofMillis(5));
		assertThat(this.client.call("SET", "k", "w", "NX")).isEqualTo("+OK\r\n");
		this.client.clock.advance(Duration.ofDays(1000));
		assertThat(this.client.call("GET", "k")).isEqualTo("$1\r\nw\r\n");
	}

	@Test
	void setRejectsBadOptions() {
		assertThat(this.client.call("SET", "k", "v", "EX")).isEqualTo("-ERR syntax error\r\n");
		assertThat(this.client.call("SET", "k", "v", "NX", "XX")).isEqualTo("-ERR syntax error\r\n");
		assertThat(this.client.call("SET", "k", "v", "EX", "1", "PX", "1")).isEqualTo("-ERR syntax error\r\n");
		assertThat(this.client.call("SET", "k", "v", "FOREVER")).isEqualTo("-ERR syntax error\r\n");
		assertThat(this.client.call("SET", "k", "v", "EX", "ten"))
			.isEqualTo("-ERR value is not an integer or out of range\r\n");
		assertThat(this.client.call("SET", "k", "v", "EX", "0"))
			.isEqualTo("-ERR invalid expire time in 'set' command\r\n");
		assertThat(this.client.call("SET", "k", "v", "EX", "9223372036854775807"))
			.isEqualTo("-ERR invalid expire time in 'set' command\r\n");
		assertThat(this.client.call("DBSIZE")).isEqualTo(":0\r\n");
	}

	@Test
	void incrAndDecrCountFromZero() {
		assertThat(this.client.call("INCR", "n")).isEqualTo(":1\r\n");
		assertThat(this.client.call("INCR", "n")).isEqualTo(":2\r\n");
		assertThat(this.client.call("DECR", "n")).isEqualTo(":1\r\n");
		assertThat(this.client.call("DECR", "m")).isEqualTo(":-1\r\n");
		assertThat(this.client.call("GET", "m")).isEqualTo("$2\r\n-1\r\n");
	}

	@Test
	void incrKeepsTheExpiryTime() {
		this.client.call("SET", "n", "41", "EX", "1");
		assertThat(this.client.call("INCR", "n")).isEqualTo(":42\r\n");
		this.client.clock.advance(Duration.ofSeconds(1));
		assertThat(this.client.call("GET", "n")).isEqualTo("$-1\r\n");
	}

	@Test
	void incrRefusesValuesThatAreNotIntegers() {
		for (String value : new String[] { "x", "1.5", " 1", "01", "-0", "+1", "", "9223372036854775808" }) {
			this.client.call("SET", "n", value);
			assertThat(this.client.call("INCR", "n")).as("INCR of '%s'", value)
				.isEqualTo("-ERR value is not an integer or out of range\r\n");
		}
	}

	@Test
	void incrRefusesToOverflow() {
		this.client.call("SET", "n", "9223372036854775807");
		assertThat(this.client.call("INCR", "n")).isEqualTo("-ERR increment or decrement would overflow\r\n");
		this.client.call("SET", "n", "-9223372036854775808");
		assertThat(this.client.call("DECR", "n")).isEqualTo("-ERR increment or decrement would overflow\r\n");
		assertThat(this.client.call("INCR", "n")).isEqualTo(":-9223372036854775807\r\n");
	}

	@Test
	void delAndExistsCountKeys() {
		this.client.call("MSET", "a", "1", "b", "2");
		assertThat(this.client.call("EXISTS", "a", "a", "b", "c")).isEqualTo(":3\r\n");
		assertThat(this.client.call("DEL", "a", "c")).isEqualTo(":1\r\n");
		assertThat(this.client.call("EXISTS", "a")).isEqualTo(":0\r\n");
	}

	@Test
	void mgetAnswersEveryKeyInOrder() {
		assertThat(this.client.call("MSET", "a", "1", "b", "")).isEqualTo("+OK\r\n");
		assertThat(this.client.call("MGET", "a", "nope", "b")).isEqualTo("*3\r\n$1\r\n1\r\n$-1\r\n$0\r\n\r\n");
	}

	@Test
	void msetNeedsPairs() {
		assertThat(this.client.call("MSET", "a", "1", "b"))
			.isEqualTo("-ERR wrong number of arguments for 'mset' command\r\n");
	}

	@Test
	void flushallEmptiesTheStore() {
		this.client.call("MSET", "a", "1", "b", "2");
		assertThat(this.client.call("DBSIZE")).isEqualTo(":2\r\n");
		assertThat(this.client.call("FLUSHALL")).isEqualTo("+OK\r\n");
		assertThat(this.client.call("DBSIZE")).isEqualTo(":0\r\n");
	}

	@Test
	void wrongArgumentCountsAreRefusedWithTheCommandName() {
		assertThat(this.client.call("GET")).isEqualTo("-ERR wrong number of arguments for 'get' command\r\n");
		assertThat(this.client.call("GET", "a", "b")).isEqualTo("-ERR wrong number of arguments for 'get' command\r\n");
		assertThat(this.client.call("Set", "a")).isEqualTo("-ERR wrong number of arguments for 'set' command\r\n");
		assertThat(this.client.call("DBSIZE", "x")).isEqualTo("-ERR wrong number of arguments for 'dbsize' command\r\n");
		assertThat(this.client.connection.isClosed()).isFalse();
	}

}
