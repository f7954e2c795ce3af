package dev.iouring.server;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.jspecify.annotations.Nullable;

/**
 * Reads the host name a client asks for (the TLS {@code server_name} extension, SNI) from its first
 * handshake message, before any engine exists, so that the server can pick the engine's context by it.
 *
 * <p>The reader only looks: it never consumes the bytes, which then go to the engine chosen. Anything it
 * cannot read as a ClientHello (plaintext sent to a TLS port, an SSLv2 hello, a malformed length) is
 * reported as "no server name", so the default engine meets those bytes and fails the handshake with
 * its own alert and message; no parsing error of this class reaches the peer.
 *
 * <p>Layouts (RFC 8446 §5.1, §4.1.2; RFC 6066 §3):
 * <pre>
 * record:       type(1)=22 handshake | version(2) | length(2) | fragment(length)
 * handshake:    msg_type(1)=1 client_hello | length(3) | body(length), possibly over several records
 * client_hello: version(2) | random(32) | session_id(1+n) | cipher_suites(2+n) | compression(1+n)
 *               | extensions(2+n), each type(2) | length(2) | data(length)
 * server_name:  list_length(2) | name_type(1)=0 host_name | length(2) | name(length)
 * </pre>
 */
final class ClientHelloServerName {

	/** Record content type of handshake messages (RFC 8446 §5.1). */
	private static final int HANDSHAKE = 22;

	/** Handshake message type of a ClientHello (RFC 8446 §4). */
	private static final int CLIENT_HELLO = 1;

	/** Extension type of server_name (RFC 6066 §3). */
	private static final int SERVER_NAME = 0;

	/** Name type of a DNS host name in server_name (RFC 6066 §3). */
	private static final int HOST_NAME = 0;

	/** Bytes of a record header: type, version, length. */
	private static final int RECORD_HEADER = 5;

	/** Bytes of a handshake header: type and a 24-bit length. */
	private static final int HANDSHAKE_HEADER = 4;

	/** Largest plaintext record fragment, 2^14 (RFC 8446 §5.1). */
	private static final int MAX_FRAGMENT = 16384;

	/** Bytes of a ClientHello before its session id: version and random. */
	private static final int VERSION_AND_RANDOM = 34;

	/**
	 * What a look at the first bytes found.
	 *
	 * @param complete whether the whole ClientHello (or enough to know it is none) was there
	 * @param serverName the requested host name, or {@code null} when the client sent none or the bytes
	 * are not a ClientHello
	 */
	record Peek(boolean complete, @Nullable String serverName) {

		static final Peek INCOMPLETE = new Peek(false, null);

		static final Peek NONE = new Peek(true, null);

	}

	private ClientHelloServerName() {
	}

	/**
	 * Looks for the requested host name in the bytes between the buffer's position and limit, which it
	 * leaves as they are.
	 * @param buffer the bytes received so far, from the first
	 * @param maxBytes the most bytes the caller holds; a ClientHello claiming more is read as none
	 * @return what was found
	 */
	static Peek peek(ByteBuffer buffer, int maxBytes) {
		int start = buffer.position();
		int end = buffer.limit();
		int handshakeLength = -1;
		byte[] message = null;
		int filled = 0;
		int at = start;
		while (handshakeLength < 0 || filled < handshakeLength) {
			if (end - at < RECORD_HEADER) {
				return Peek.INCOMPLETE;
			}
			int length = unsignedShort(buffer, at + 3);
			if (unsignedByte(buffer, at) != HANDSHAKE || length == 0 || length > MAX_FRAGMENT) {
				return Peek.NONE;
			}
			if (end - at - RECORD_HEADER < length) {
				return Peek.INCOMPLETE;
			}
			int fragment = at + RECORD_HEADER;
			if (message == null) {
				if (length < HANDSHAKE_HEADER || unsignedByte(buffer, fragment) != CLIENT_HELLO) {
					return Peek.NONE;
				}
				handshakeLength = HANDSHAKE_HEADER + (unsignedByte(buffer, fragment + 1) << 16)
						+ unsignedShort(buffer, fragment + 2);
				if (handshakeLength > maxBytes) {
					return Peek.NONE;
				}
				message = new byte[handshakeLength];
			}
			int take = Math.min(length, handshakeLength - filled);
			buffer.get(fragment, message, filled, take);
			filled += take;
			at = fragment + length;
		}
		return new Peek(true, serverName(ByteBuffer.wrap(message, HANDSHAKE_HEADER, message.length - HANDSHAKE_HEADER)));
	}

	/** Walks the ClientHello body to its server_name extension; any length that runs past the end means none. */
	private static @Nullable String serverName(ByteBuffer hello) {
		try {
			int at = hello.position() + VERSION_AND_RANDOM;
			at += 1 + unsignedByte(hello, at);
			at += 2 + unsignedShort(hello, at);
			at += 1 + unsignedByte(hello, at);
			if (at >= hello.limit()) {
				return null;
			}
			int extensionsEnd = at + 2 + unsignedShort(hello, at);
			at += 2;
			while (at + 4 <= extensionsEnd) {
				int type = unsignedShort(hello, at);
				int length = unsignedShort(hello, at + 2);
				if (type == SERVER_NAME) {
					return hostName(hello, at + 4, Math.min(at + 4 + length, extensionsEnd));
				}
				at += 4 + length;
			}
			return null;
		}
		catch (IndexOutOfBoundsException ex) {
			return null;
		}
	}

	private static @Nullable String hostName(ByteBuffer hello, int from, int end) {
		int at = from + 2;
		while (at + 3 <= end) {
			int type = unsignedByte(hello, at);
			int length = unsignedShort(hello, at + 1);
			if (type == HOST_NAME && at + 3 + length <= end && length > 0) {
				byte[] name = new byte[length];
				hello.get(at + 3, name);
				return new String(name, StandardCharsets.US_ASCII);
			}
			at += 3 + length;
		}
		return null;
	}

	private static int unsignedByte(ByteBuffer buffer, int index) {
		return Byte.toUnsignedInt(buffer.get(index));
	}

	private static int unsignedShort(ByteBuffer buffer, int index) {
		return (unsignedByte(buffer, index) << 8) | unsignedByte(buffer, index + 1);
	}

}
