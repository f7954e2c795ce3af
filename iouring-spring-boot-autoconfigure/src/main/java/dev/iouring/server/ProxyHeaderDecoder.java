package dev.iouring.server;

import org.jspecify.annotations.Nullable;

/**
 * Reads the PROXY protocol header at the start of one connection, whichever way the bytes are cut: the
 * first stage of a listener whose {@link ListenerSettings#proxyProtocol()} is {@link ProxyProtocolMode#ON}
 * or {@link ProxyProtocolMode#OPTIONAL}, ahead of the codec.
 *
 * <p>The first byte picks the version: {@code P} can start the v1 line ({@code "PROXY "}), {@code 0x0D}
 * the v2 signature ({@code 0D 0A 0D 0A 00 0D 0A 51 55 49 54 0A}); anything else starts neither. Each
 * further byte either extends a prefix of that signature or rules the header out, so the verdict never
 * depends on how the bytes were split. Once the whole signature is in, the connection has committed to
 * a header and any fault fails it, in either mode.
 *
 * <p>Use: call {@link #feed} with each received view until it returns something other than
 * {@link Outcome#NEED_MORE}, and {@link #endOfStream()} if the peer ends its side first. Then:
 * <ul>
 * <li>{@link Outcome#DONE}: hand {@link #replay()} (usually empty), then the bytes of the last view from
 * {@link #consumed()} on, to the codec; {@link #header()} is the header, or {@code null} when an
 * {@code optional} connection sent none (or a peer sent nothing at all before closing).</li>
 * <li>{@link Outcome#FAILED}: close with {@link CloseReason#PROXY_PROTOCOL_ERROR} and log
 * {@link #failure()}.</li>
 * </ul>
 * After either, the decoder takes no more bytes. The listener's proxy-protocol timeout is the caller's
 * to enforce, from accept until the outcome.
 *
 * <p>Memory: a header that arrives whole in one view is parsed in place; bytes of a header split across
 * views are copied into a buffer that grows to at most {@value #MAX_V2_LENGTH} plus 16 bytes (v1 lines
 * hold at most {@value #MAX_V1_LENGTH}). Threads: the connection's event loop only.
 */
final class ProxyHeaderDecoder {

	/** Longest v1 line, CRLF included: {@code "PROXY UNKNOWN"} with two full IPv6 addresses and ports. */
	static final int MAX_V1_LENGTH = 107;

	/**
	 * Largest v2 length field accepted (addresses plus TLVs). The field could say 65535; real proxies
	 * send well under 1 KiB (HAProxy's largest addresses are 216 bytes, a unique id at most 128), and
	 * the bound keeps what a peer can make the server hold before it is verified small.
	 */
	static final int MAX_V2_LENGTH = 4096;

	private static final byte[] V1_SIGNATURE = { 'P', 'R', 'O', 'X', 'Y', ' ' };

	private static final byte[] V2_SIGNATURE = { 0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54,
			0x0A };

	/** Bytes of the received stream quoted in a failure message. */
	private static final int PREVIEW_LENGTH = 16;

	/** What a call made of the bytes so far. */
	enum Outcome {

		/** The bytes so far are part of a header, or may be: feed more. */
		NEED_MORE,

		/** Decided: a header was read, or (optional mode) the connection has none. */
		DONE,

		/** The connection does not start with a valid header: close it. */
		FAILED

	}

	private final ProxyProtocolMode mode;

	/** Bytes of the header received in earlier calls, from the connection's first byte. */
	private byte[] held = new byte[0];

	private int heldLength;

	/** 0 while undecided, else 1 or 2 once the version's signature has arrived whole. */
	private int version;

	private @Nullable Outcome outcome;

	private int consumed;

	private @Nullable ProxyHeader header;

	private Bytes replay = Bytes.empty();

	private @Nullable String failure;

	/**
	 * Creates a decoder for one connection.
	 * @param mode {@link ProxyProtocolMode#ON} or {@link ProxyProtocolMode#OPTIONAL}
	 */
	ProxyHeaderDecoder(ProxyProtocolMode mode) {
		if (mode == ProxyProtocolMode.OFF) {
			throw new IllegalArgumentException("a listener with proxy-protocol off reads no header");
		}
		this.mode = mode;
	}

	/**
	 * Takes the next received bytes. Reads only the header's bytes (and remembers them if the header is
	 * not complete yet); the view is not kept after the call.
	 * @param data the bytes received, valid during the call
	 * @return whether to feed more, pass the rest on, or close
	 * @throws IllegalStateException if the outcome was already decided
	 */
	Outcome feed(Bytes data) {
		checkUndecided();
		try {
			return decode(data);
		}
		catch (ProxyProtocolException ex) {
			return fail(ex.getMessage());
		}
	}

	/**
	 * Tells the decoder that the peer ended its side before the outcome was decided.
	 * @return {@link Outcome#DONE} without a header when nothing arrived (a connect-and-leave health
	 * check, to be closed as an ordinary peer close) or when an optional connection's few bytes can no
	 * longer become a header ({@link #replay()} holds them); otherwise {@link Outcome#FAILED}
	 * @throws IllegalStateException if the outcome was already decided
	 */
	Outcome endOfStream() {
		checkUndecided();
		if (this.heldLength == 0) {
			return done(0, null);
		}
		if (this.version == 0 && this.mode == ProxyProtocolMode.OPTIONAL) {
			return notAHeader();
		}
		String what = (this.version == 0) ? "what could only be a PROXY header" : "a PROXY v" + this.version
				+ " header";
		return fail("the connection ended after " + this.heldLength + " bytes of " + what + ": " + preview(null));
	}

	/**
	 * Returns how many bytes of the view passed to the last {@link #feed} belong to the header.
	 * @return the count; the codec gets the view's bytes from there on
	 */
	int consumed() {
		return this.consumed;
	}

	/**
	 * Returns bytes the decoder held from earlier calls that turned out not to be a header (optional
	 * mode only), which the codec must get before the rest of the last view.
	 * @return the bytes, valid until the decoder is dropped; empty in every other case
	 */
	Bytes replay() {
		return this.replay;
	}

	/**
	 * Returns the header, once {@link Outcome#DONE}.
	 * @return the header, or {@code null} when the connection sent none
	 */
	@Nullable ProxyHeader header() {
		return this.header;
	}

	/**
	 * Returns what was wrong, once {@link Outcome#FAILED}, for the log.
	 * @return the reason, with received bytes escaped
	 */
	@Nullable String failure() {
		return this.failure;
	}

	private Outcome decode(Bytes data) throws ProxyProtocolException {
		int total = this.heldLength + data.length();
		if (this.version == 0) {
			if (total == 0) {
				return needMore(data);
			}
			byte[] signature = (byteAt(data, 0) == 'P') ? V1_SIGNATURE : V2_SIGNATURE;
			int checked = Math.min(total, signature.length);
			for (int i = this.heldLength; i < checked; i++) {
				if (byteAt(data, i) != signature[i]) {
					return (this.mode == ProxyProtocolMode.OPTIONAL) ? notAHeader()
							: fail("the connection did not start with a PROXY protocol header: " + preview(data));
				}
			}
			if (checked < signature.length) {
				return needMore(data);
			}
			this.version = (signature == V1_SIGNATURE) ? 1 : 2;
		}
		return (this.version == 1) ? decodeV1(data, total) : decodeV2(data, total);
	}

	private Outcome decodeV1(Bytes data, int total) throws ProxyProtocolException {
		int from = Math.max(0, V1_SIGNATURE.length - this.heldLength);
		int lf = (from < data.length()) ? data.indexOf((byte) '\n', from) : -1;
		int end = (lf < 0) ? -1 : this.heldLength + lf + 1;
		if (end < 0 || end > MAX_V1_LENGTH) {
			if (total >= MAX_V1_LENGTH) {
				throw new ProxyProtocolException(
						"PROXY v1 header has no CRLF within " + MAX_V1_LENGTH + " bytes: " + preview(data));
			}
			return needMore(data);
		}
		return done(end - this.heldLength, ProxyHeaderV1Parser.parse(whole(data, end), end));
	}

	private Outcome decodeV2(Bytes data, int total) throws ProxyProtocolException {
		if (total <= ProxyHeaderV2Parser.VERSION_COMMAND) {
			return needMore(data);
		}
		ProxyHeaderV2Parser.checkVersionAndCommand(byteAt(data, ProxyHeaderV2Parser.VERSION_COMMAND) & 0xFF);
		if (total < ProxyHeaderV2Parser.FIXED_LENGTH) {
			return needMore(data);
		}
		// Big-endian, and possibly split between held bytes and the view.
		int length = ((byteAt(data, ProxyHeaderV2Parser.LENGTH) & 0xFF) << 8)
				| (byteAt(data, ProxyHeaderV2Parser.LENGTH + 1) & 0xFF);
		if (length > MAX_V2_LENGTH) {
			throw new ProxyProtocolException("PROXY v2 header announces " + length + " bytes of addresses and TLVs; "
					+ "this server accepts at most " + MAX_V2_LENGTH);
		}
		int end = ProxyHeaderV2Parser.FIXED_LENGTH + length;
		if (total < end) {
			return needMore(data);
		}
		return done(end - this.heldLength, ProxyHeaderV2Parser.parse(whole(data, end), end));
	}

	/**
	 * The header's first {@code end} bytes in one view: the received view itself when nothing was held,
	 * else the held bytes completed from it.
	 */
	private Bytes whole(Bytes data, int end) {
		if (this.heldLength == 0) {
			return data;
		}
		int missing = end - this.heldLength;
		ensureCapacity(end);
		data.copyTo(0, this.held, this.heldLength, missing);
		return Bytes.wrap(this.held, 0, end);
	}

	private Outcome needMore(Bytes data) {
		int count = data.length();
		ensureCapacity(this.heldLength + count);
		data.copyTo(0, this.held, this.heldLength, count);
		this.heldLength += count;
		return Outcome.NEED_MORE;
	}

	/**
	 * The buffer grows in steps up to the longest header that can be pending: a v2 header's fixed part
	 * plus {@link #MAX_V2_LENGTH}. The callers never ask for more, since a longer header fails first.
	 */
	private void ensureCapacity(int needed) {
		if (needed > ProxyHeaderV2Parser.FIXED_LENGTH + MAX_V2_LENGTH) {
			throw new IllegalStateException("a pending PROXY header of " + needed + " bytes");
		}
		if (needed > this.held.length) {
			int grown = Math.max(needed, Math.max(2 * this.held.length, ProxyHeaderV2Parser.FIXED_LENGTH));
			byte[] larger = new byte[Math.min(grown, ProxyHeaderV2Parser.FIXED_LENGTH + MAX_V2_LENGTH)];
			System.arraycopy(this.held, 0, larger, 0, this.heldLength);
			this.held = larger;
		}
	}

	private Outcome notAHeader() {
		this.replay = (this.heldLength == 0) ? Bytes.empty() : Bytes.wrap(this.held, 0, this.heldLength);
		return done(0, null);
	}

	private Outcome done(int consumed, @Nullable ProxyHeader header) {
		this.consumed = consumed;
		this.header = header;
		this.outcome = Outcome.DONE;
		return Outcome.DONE;
	}

	private Outcome fail(@Nullable String failure) {
		this.failure = failure;
		this.consumed = 0;
		this.outcome = Outcome.FAILED;
		return Outcome.FAILED;
	}

	private void checkUndecided() {
		if (this.outcome != null) {
			throw new IllegalStateException("the PROXY header stage already ended (" + this.outcome
					+ "); later bytes belong to the codec");
		}
	}

	/** The byte at a position of the stream: held bytes first, then the view's. */
	private byte byteAt(Bytes data, int index) {
		return (index < this.heldLength) ? this.held[index] : data.getByte(index - this.heldLength);
	}

	/**
	 * The stream's first bytes for a log line, printable ASCII as is and every other byte as {@code \xNN},
	 * so that nothing a peer sends can forge log lines.
	 */
	private String preview(@Nullable Bytes data) {
		int available = this.heldLength + ((data != null) ? data.length() : 0);
		int count = Math.min(available, PREVIEW_LENGTH);
		StringBuilder text = new StringBuilder(count * 4 + 8).append('\'');
		for (int i = 0; i < count; i++) {
			int b = ((data != null) ? byteAt(data, i) : this.held[i]) & 0xFF;
			if (b >= 0x20 && b < 0x7F && b != '\\' && b != '\'') {
				text.append((char) b);
			}
			else {
				text.append(String.format("\\x%02x", b));
			}
		}
		return text.append('\'').append((available > count) ? "..." : "").toString();
	}

}
