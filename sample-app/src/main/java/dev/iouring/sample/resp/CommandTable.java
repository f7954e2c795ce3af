package dev.iouring.sample.resp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The commands the mini-Redis knows, found by name without allocating, and the checks Redis makes
 * before running one: the name exists and the argument count fits the command's arity.
 *
 * <p>Immutable and shared by every connection.
 */
final class CommandTable {

	/** Redis quotes at most this many bytes of arguments in an unknown-command error. */
	private static final int QUOTED_ARGUMENTS_LIMIT = 128;

	/** Commands indexed by the lower-cased first byte of their name. */
	private final CommandSpec[][] byFirstByte = new CommandSpec[256][];

	private CommandTable(List<CommandSpec> specs) {
		List<List<CommandSpec>> buckets = new ArrayList<>();
		for (int i = 0; i < 256; i++) {
			buckets.add(new ArrayList<>());
		}
		for (CommandSpec spec : specs) {
			buckets.get(spec.lowerCaseName()[0] & 0xff).add(spec);
		}
		for (int i = 0; i < 256; i++) {
			this.byFirstByte[i] = buckets.get(i).toArray(CommandSpec[]::new);
		}
	}

	/**
	 * Returns the table of every command the sample supports.
	 * @return the standard command table
	 */
	static CommandTable standard() {
		return new CommandTable(List.of(
				new CommandSpec("get", 2, KeyCommands::get),
				new CommandSpec("set", -3, KeyCommands::set).deniedOutOfMemory(),
				new CommandSpec("del", -2, KeyCommands::del),
				new CommandSpec("exists", -2, KeyCommands::exists),
				new CommandSpec("incr", 2, KeyCommands::incr).deniedOutOfMemory(),
				new CommandSpec("decr", 2, KeyCommands::decr).deniedOutOfMemory(),
				new CommandSpec("mget", -2, KeyCommands::mget),
				new CommandSpec("mset", -3, KeyCommands::mset).deniedOutOfMemory(),
				new CommandSpec("dbsize", 1, KeyCommands::dbsize),
				new CommandSpec("flushall", -1, KeyCommands::flushall),
				new CommandSpec("ping", -1, ServerCommands::ping),
				new CommandSpec("echo", 2, ServerCommands::echo),
				new CommandSpec("quit", -1, ServerCommands::quit),
				new CommandSpec("select", 2, ServerCommands::select),
				new CommandSpec("command", -1, ServerCommands::command),
				new CommandSpec("client", -2, ServerCommands::client),
				new CommandSpec("config", -2, ServerCommands::config),
				new CommandSpec("info", -1, ServerCommands::info)));
	}

	/**
	 * Runs a parsed command, or appends the error reply Redis would send when the name is unknown, the
	 * argument count is wrong, the command may add data while the store is past its memory limit, or an
	 * argument is not the integer the command needs.
	 * @param arguments the command, name first; a command without arguments is ignored
	 * @param session the connection's session
	 */
	void execute(CommandArguments arguments, RespSession session) {
		if (arguments.count() == 0) {
			return;
		}
		CommandSpec spec = find(arguments);
		if (spec == null) {
			session.writer().error(unknownCommand(arguments));
			return;
		}
		if (!spec.acceptsArgumentCount(arguments.count())) {
			session.writer().error(wrongArity(spec.name()));
			return;
		}
		if (spec.isDeniedOutOfMemory() && session.store().overMemoryLimit()) {
			session.writer().raw(RespWriter.OUT_OF_MEMORY);
			return;
		}
		try {
			spec.command().execute(arguments, session);
		}
		catch (Decimal.NotAnIntegerException ex) {
			session.writer().error("ERR " + ex.getMessage());
		}
	}

	/**
	 * Returns the wrong-number-of-arguments error of a command, as Redis words it.
	 * @param commandName the command name in lower case
	 * @return the error message
	 */
	static String wrongArity(String commandName) {
		return "ERR wrong number of arguments for '" + commandName + "' command";
	}

	private CommandSpec find(CommandArguments arguments) {
		if (arguments.length(0) == 0) {
			return null;
		}
		for (CommandSpec spec : this.byFirstByte[arguments.lowerCaseByte(0, 0) & 0xff]) {
			if (arguments.is(0, spec.lowerCaseName())) {
				return spec;
			}
		}
		return null;
	}

	private static String unknownCommand(CommandArguments arguments) {
		StringBuilder quoted = new StringBuilder();
		for (int i = 1; i < arguments.count() && quoted.length() < QUOTED_ARGUMENTS_LIMIT; i++) {
			String argument = arguments.text(i);
			int room = QUOTED_ARGUMENTS_LIMIT - quoted.length();
			quoted.append('\'').append(argument, 0, Math.min(argument.length(), room)).append("' ");
		}
		String name = arguments.text(0);
		return "ERR unknown command '" + name.substring(0, Math.min(name.length(), QUOTED_ARGUMENTS_LIMIT))
				+ "', with args beginning with: " + quoted;
	}

	/**
	 * What a command does, given its arguments (name first) and the connection's session.
	 */
	@FunctionalInterface
	interface Command {

		void execute(CommandArguments arguments, RespSession session);

	}

	/**
	 * A command's name and arity, in Redis's convention: a positive arity is the exact argument count
	 * (name included), a negative one the minimum.
	 */
	static final class CommandSpec {

		private final String name;

		private final byte[] lowerCaseName;

		private final int arity;

		private final Command command;

		private boolean deniedOutOfMemory;

		/**
		 * Describes a command.
		 * @param name the name in lower case
		 * @param arity the arity
		 * @param command what it does
		 */
		CommandSpec(String name, int arity, Command command) {
			if (name.isEmpty() || !name.equals(name.toLowerCase(Locale.ROOT))) {
				throw new IllegalArgumentException("command name must be non-empty lower case but was '" + name + "'");
			}
			this.name = name;
			this.lowerCaseName = name.getBytes(StandardCharsets.US_ASCII);
			this.arity = arity;
			this.command = command;
		}

		/**
		 * Marks the command as one that may add data, refused past the memory limit (Redis's
		 * {@code denyoom} flag). For building the table only.
		 * @return this spec
		 */
		CommandSpec deniedOutOfMemory() {
			this.deniedOutOfMemory = true;
			return this;
		}

		String name() {
			return this.name;
		}

		boolean isDeniedOutOfMemory() {
			return this.deniedOutOfMemory;
		}

		byte[] lowerCaseName() {
			return this.lowerCaseName;
		}

		Command command() {
			return this.command;
		}

		boolean acceptsArgumentCount(int count) {
			return (this.arity > 0) ? count == this.arity : count >= -this.arity;
		}

	}

}
