package dev.iouring.sample.resp;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The connection and server commands: PING, ECHO, QUIT, SELECT, COMMAND, CLIENT, CONFIG and INFO. The
 * introspection ones answer just enough for {@code redis-cli} and {@code redis-benchmark} to work: an
 * empty command list, the two configuration values the benchmark asks for, a short INFO text.
 */
final class ServerCommands {

	private static final byte[] SETNAME = CommandArguments.word("setname");

	private static final byte[] GETNAME = CommandArguments.word("getname");

	private static final byte[] INFO = CommandArguments.word("info");

	private static final byte[] ID = CommandArguments.word("id");

	private static final byte[] SETINFO = CommandArguments.word("setinfo");

	private static final byte[] GET = CommandArguments.word("get");

	/** The configuration values {@code redis-benchmark} reads at start, with what they mean here. */
	private static final String[][] CONFIG_VALUES = { { "save", "" }, { "appendonly", "no" }, { "databases", "1" } };

	private ServerCommands() {
	}

	/** {@code PING [message]}: {@code +PONG}, or the message as a bulk string. */
	static void ping(CommandArguments arguments, RespSession session) {
		switch (arguments.count()) {
			case 1 -> session.writer().raw(RespWriter.PONG);
			case 2 -> session.writer().bulk(arguments, 1);
			default -> session.writer().error(CommandTable.wrongArity("ping"));
		}
	}

	static void echo(CommandArguments arguments, RespSession session) {
		session.writer().bulk(arguments, 1);
	}

	/** {@code QUIT}: replies {@code +OK}, then the connection closes once the reply is sent. */
	static void quit(CommandArguments arguments, RespSession session) {
		session.writer().raw(RespWriter.OK);
		session.closeAfterReplies();
	}

	/** {@code SELECT index}: there is one database, number 0. */
	static void select(CommandArguments arguments, RespSession session) {
		if (arguments.toLong(1) == 0) {
			session.writer().raw(RespWriter.OK);
		}
		else {
			session.writer().error("ERR DB index is out of range");
		}
	}

	/** {@code COMMAND [subcommand ...]}: no command metadata is published, so every form is empty. */
	static void command(CommandArguments arguments, RespSession session) {
		session.writer().raw(RespWriter.EMPTY_ARRAY);
	}

	/** {@code CLIENT SETNAME | GETNAME | INFO | ID | SETINFO}. */
	static void client(CommandArguments arguments, RespSession session) {
		RespWriter writer = session.writer();
		if (arguments.is(1, SETNAME)) {
			if (arguments.count() != 3) {
				writer.error(CommandTable.wrongArity("client|setname"));
			}
			else if (!isValidClientName(arguments.copy(2))) {
				writer.error("ERR Client names cannot contain spaces, newlines or special characters.");
			}
			else {
				session.clientName((arguments.length(2) > 0) ? arguments.copy(2) : null);
				writer.raw(RespWriter.OK);
			}
		}
		else if (arguments.is(1, GETNAME) && arguments.count() == 2) {
			writer.bulk(session.clientName());
		}
		else if (arguments.is(1, INFO) && arguments.count() == 2) {
			writer.bulk(clientInfo(session));
		}
		else if (arguments.is(1, ID) && arguments.count() == 2) {
			writer.integer(session.connection().id());
		}
		else if (arguments.is(1, SETINFO) && arguments.count() == 4) {
			writer.raw(RespWriter.OK);
		}
		else {
			writer.error(unknownSubcommand(arguments, "CLIENT"));
		}
	}

	/** {@code CONFIG GET parameter...}: name/value pairs of the parameters known here (exact names). */
	static void config(CommandArguments arguments, RespSession session) {
		if (!arguments.is(1, GET) || arguments.count() < 3) {
			session.writer().error(unknownSubcommand(arguments, "CONFIG"));
			return;
		}
		int matches = 0;
		boolean[] wanted = new boolean[CONFIG_VALUES.length];
		for (int i = 2; i < arguments.count(); i++) {
			String requested = arguments.text(i).toLowerCase(Locale.ROOT);
			for (int j = 0; j < CONFIG_VALUES.length; j++) {
				if (!wanted[j] && CONFIG_VALUES[j][0].equals(requested)) {
					wanted[j] = true;
					matches++;
				}
			}
		}
		session.writer().arrayHeader(2 * matches);
		for (int j = 0; j < CONFIG_VALUES.length; j++) {
			if (wanted[j]) {
				session.writer().bulk(CONFIG_VALUES[j][0]);
				session.writer().bulk(CONFIG_VALUES[j][1]);
			}
		}
	}

	/**
	 * {@code INFO [section]}: a few lines on the server, its memory and its keyspace, whatever the
	 * section; every figure is a running count, so this takes the same time whatever the data set. It
	 * names a Redis version because some clients read it to decide which commands they may send.
	 */
	static void info(CommandArguments arguments, RespSession session) {
		KeyValueStore store = session.store();
		int keys = store.size();
		String text = "# Server\r\n"
				+ "redis_version:7.0.0\r\n"
				+ "redis_mode:standalone\r\n"
				+ "server_name:iouring-spring-boot-sample\r\n"
				+ "process_id:" + ProcessHandle.current().pid() + "\r\n"
				+ "\r\n# Memory\r\n"
				+ "used_memory:" + store.usedMemory() + "\r\n"
				+ "maxmemory:" + store.maxMemory() + "\r\n"
				+ "maxmemory_policy:noeviction\r\n"
				+ "\r\n# Keyspace\r\n"
				+ "db0:keys=" + keys + "\r\n";
		session.writer().bulk(text);
	}

	private static String clientInfo(RespSession session) {
		byte[] name = session.clientName();
		return "id=" + session.connection().id()
				+ " addr=" + session.connection().remoteAddress()
				+ " laddr=" + session.connection().localAddress()
				+ " name=" + ((name != null) ? new String(name, StandardCharsets.UTF_8) : "")
				+ " db=0\n";
	}

	/** Redis refuses names with bytes outside '!' to '~', as they would break CLIENT LIST lines. */
	private static boolean isValidClientName(byte[] name) {
		for (byte b : name) {
			if (b < '!' || b > '~') {
				return false;
			}
		}
		return true;
	}

	private static String unknownSubcommand(CommandArguments arguments, String command) {
		return "ERR unknown subcommand '" + arguments.text(1) + "'. Try " + command + " HELP.";
	}

}
