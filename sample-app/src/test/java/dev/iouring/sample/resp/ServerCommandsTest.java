package dev.iouring.sample.resp;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The connection and server commands, and the errors for commands that do not exist.
 */
class ServerCommandsTest {

	private final RespClient client = new RespClient();

	@Test
	void pingTakesAtMostOneMessage() {
		assertThat(this.client.call("PING", "a", "b")).isEqualTo("-ERR wrong number of arguments for 'ping' command\r\n");
	}

	@Test
	void echoRepliesWithItsArgument() {
		assertThat(this.client.call("ECHO", "hello world")).isEqualTo("$11\r\nhello world\r\n");
	}

	@Test
	void selectAcceptsOnlyDatabaseZero() {
		assertThat(this.client.call("SELECT", "0")).isEqualTo("+OK\r\n");
		assertThat(this.client.call("SELECT", "1")).isEqualTo("-ERR DB index is out of range\r\n");
		assertThat(this.client.call("SELECT", "zero")).isEqualTo("-ERR value is not an integer or out of range\r\n");
	}

	@Test
	void commandListsNothing() {
		assertThat(this.client.call("COMMAND")).isEqualTo("*0\r\n");
		assertThat(this.client.call("COMMAND", "DOCS")).isEqualTo("*0\r\n");
	}

	@Test
	void clientNameIsKeptPerConnection() {
		assertThat(this.client.call("CLIENT", "GETNAME")).isEqualTo("$-1\r\n");
		assertThat(this.client.call("CLIENT", "SETNAME", "worker-1")).isEqualTo("+OK\r\n");
		assertThat(this.client.call("client", "getname")).isEqualTo("$8\r\nworker-1\r\n");
		assertThat(new RespClient().call("CLIENT", "GETNAME")).isEqualTo("$-1\r\n");
		assertThat(this.client.call("CLIENT", "SETNAME", "two words"))
			.isEqualTo("-ERR Client names cannot contain spaces, newlines or special characters.\r\n");
		assertThat(this.client.call("CLIENT", "INFO")).startsWith("$").contains("id=42 ").contains("name=worker-1");
		assertThat(this.client.call("CLIENT", "ID")).isEqualTo(":42\r\n");
		assertThat(this.client.call("CLIENT", "KILL")).isEqualTo("-ERR unknown subcommand 'KILL'. Try CLIENT HELP.\r\n");
	}

	@Test
	void configGetAnswersTheParametersItKnows() {
		assertThat(this.client.call("CONFIG", "GET", "save")).isEqualTo("*2\r\n$4\r\nsave\r\n$0\r\n\r\n");
		assertThat(this.client.call("CONFIG", "GET", "APPENDONLY", "maxmemory"))
			.isEqualTo("*2\r\n$10\r\nappendonly\r\n$2\r\nno\r\n");
		assertThat(this.client.call("CONFIG", "GET", "maxmemory")).isEqualTo("*0\r\n");
		assertThat(this.client.call("CONFIG", "SET", "save", "")).startsWith("-ERR unknown subcommand 'SET'");
	}

	@Test
	void infoDescribesTheKeyspace() {
		this.client.call("SET", "k", "v");
		String info = this.client.call("INFO");
		assertThat(info).startsWith("$").contains("redis_mode:standalone\r\n").contains("db0:keys=1\r\n");
	}

	@Test
	void unknownCommandsAreNamedWithTheirFirstArguments() {
		assertThat(this.client.call("FOO")).isEqualTo("-ERR unknown command 'FOO', with args beginning with: \r\n");
		assertThat(this.client.call("foo", "bar", "b\r\nz"))
			.isEqualTo("-ERR unknown command 'foo', with args beginning with: 'bar' 'b  z' \r\n");
		assertThat(this.client.call("FOO", "x".repeat(300)))
			.isEqualTo("-ERR unknown command 'FOO', with args beginning with: '" + "x".repeat(128) + "' \r\n");
		assertThat(this.client.call("")).isEqualTo("-ERR unknown command '', with args beginning with: \r\n");
		assertThat(this.client.connection.isClosed()).isFalse();
	}

}
