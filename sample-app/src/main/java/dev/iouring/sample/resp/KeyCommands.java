package dev.iouring.sample.resp;

import java.util.function.BiPredicate;

import dev.iouring.sample.resp.KeyValueStore.SetCondition;

/**
 * The commands that read and write keys: GET, SET, DEL, EXISTS, INCR, DECR, MGET, MSET, DBSIZE and
 * FLUSHALL, with Redis's replies and error texts. Arity is checked by {@link CommandTable} before
 * these run.
 */
final class KeyCommands {

	private static final byte[] EX = CommandArguments.word("ex");

	private static final byte[] PX = CommandArguments.word("px");

	private static final byte[] NX = CommandArguments.word("nx");

	private static final byte[] XX = CommandArguments.word("xx");

	private static final String SYNTAX_ERROR = "ERR syntax error";

	private static final String INVALID_SET_EXPIRE = "ERR invalid expire time in 'set' command";

	private KeyCommands() {
	}

	static void get(CommandArguments arguments, RespSession session) {
		session.writer().bulk(session.store().get(session.key(1)));
	}

	/**
	 * {@code SET key value [EX seconds | PX milliseconds] [NX | XX]}: replies {@code +OK}, or the null
	 * bulk string when {@code NX}/{@code XX} prevented the write.
	 */
	static void set(CommandArguments arguments, RespSession session) {
		long timeToLiveMillis = 0;
		boolean expirySeen = false;
		SetCondition condition = SetCondition.ALWAYS;
		for (int i = 3; i < arguments.count(); i++) {
			if (arguments.is(i, NX) || arguments.is(i, XX)) {
				SetCondition requested = arguments.is(i, NX) ? SetCondition.IF_ABSENT : SetCondition.IF_PRESENT;
				if (condition != SetCondition.ALWAYS && condition != requested) {
					session.writer().error(SYNTAX_ERROR);
					return;
				}
				condition = requested;
			}
			else if ((arguments.is(i, EX) || arguments.is(i, PX)) && !expirySeen && i + 1 < arguments.count()) {
				long amount = arguments.toLong(i + 1);
				long unit = arguments.is(i, EX) ? 1000 : 1;
				if (amount <= 0 || amount > Long.MAX_VALUE / unit) {
					session.writer().error(INVALID_SET_EXPIRE);
					return;
				}
				timeToLiveMillis = amount * unit;
				expirySeen = true;
				i++;
			}
			else {
				session.writer().error(SYNTAX_ERROR);
				return;
			}
		}
		boolean written = session.store().set(session.key(1), arguments.copy(2), timeToLiveMillis, condition);
		session.writer().raw(written ? RespWriter.OK : RespWriter.NULL_BULK);
	}

	static void del(CommandArguments arguments, RespSession session) {
		session.writer().integer(countKeys(arguments, session, KeyValueStore::delete));
	}

	/** {@code EXISTS key...}: counts a key as often as it is named, as Redis does. */
	static void exists(CommandArguments arguments, RespSession session) {
		session.writer().integer(countKeys(arguments, session, KeyValueStore::exists));
	}

	static void incr(CommandArguments arguments, RespSession session) {
		session.writer().integer(session.store().incrementBy(session.key(1), 1));
	}

	static void decr(CommandArguments arguments, RespSession session) {
		session.writer().integer(session.store().incrementBy(session.key(1), -1));
	}

	static void mget(CommandArguments arguments, RespSession session) {
		session.writer().arrayHeader(arguments.count() - 1);
		for (int i = 1; i < arguments.count(); i++) {
			session.writer().bulk(session.store().get(session.key(i)));
		}
	}

	/** {@code MSET key value [key value ...]}: each key is set atomically, the batch is not. */
	static void mset(CommandArguments arguments, RespSession session) {
		if (arguments.count() % 2 == 0) {
			session.writer().error(CommandTable.wrongArity("mset"));
			return;
		}
		for (int i = 1; i < arguments.count(); i += 2) {
			session.store().set(session.key(i), arguments.copy(i + 1), 0, SetCondition.ALWAYS);
		}
		session.writer().raw(RespWriter.OK);
	}

	static void dbsize(CommandArguments arguments, RespSession session) {
		session.writer().integer(session.store().size());
	}

	/** {@code FLUSHALL [ASYNC | SYNC]}: both modes clear at once. */
	static void flushall(CommandArguments arguments, RespSession session) {
		session.store().clear();
		session.writer().raw(RespWriter.OK);
	}

	/** Applies an operation to every key argument and counts the keys it held for. */
	private static int countKeys(CommandArguments arguments, RespSession session,
			BiPredicate<KeyValueStore, Key> operation) {
		int count = 0;
		for (int i = 1; i < arguments.count(); i++) {
			if (operation.test(session.store(), session.key(i))) {
				count++;
			}
		}
		return count;
	}

}
