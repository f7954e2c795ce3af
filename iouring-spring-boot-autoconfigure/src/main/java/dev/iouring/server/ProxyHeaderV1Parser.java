package dev.iouring.server;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;

import org.jspecify.annotations.Nullable;

import dev.iouring.server.ProxyHeader.Command;
import dev.iouring.server.ProxyHeader.Family;
import dev.iouring.server.ProxyHeader.Protocol;

/**
 * Parses a complete PROXY protocol version 1 line, as HAProxy's {@code doc/proxy-protocol.txt} section
 * 2.1 defines it:
 *
 * <pre>
 * "PROXY" SP ( "TCP4" | "TCP6" ) SP src-address SP dst-address SP src-port SP dst-port CRLF
 * "PROXY" SP "UNKNOWN" [ anything but CRLF ] CRLF
 * </pre>
 *
 * Fields are separated by exactly one space; IPv4 addresses are four decimal numbers 0 to 255 without
 * leading zeros, IPv6 addresses colon-separated groups of one to four hex digits with at most one
 * {@code ::} (and an optional dotted IPv4 tail, which {@code inet_ntop} writes for mapped addresses), ports
 * decimal 0 to 65535 without leading zeros. Addresses are parsed here, never handed to
 * {@link InetAddress#getByName}, so no text from the wire can cause a name lookup.
 */
final class ProxyHeaderV1Parser {

	/** Bytes before the protocol field: {@code "PROXY "}. */
	static final int PREFIX_LENGTH = 6;

	/** Groups of 16 bits in an IPv6 address. */
	private static final int IPV6_GROUPS = 8;

	private ProxyHeaderV1Parser() {
	}

	/**
	 * Parses a line.
	 * @param line bytes holding the line from its first byte
	 * @param length the line's length, its LF included; it starts with {@code "PROXY "} and ends with LF
	 * @return the header
	 * @throws ProxyProtocolException if the line breaks the format
	 */
	static ProxyHeader parse(Bytes line, int length) throws ProxyProtocolException {
		if (line.getByte(length - 2) != '\r') {
			throw new ProxyProtocolException("PROXY v1 header ends with a bare LF instead of CRLF");
		}
		int end = length - 2;
		StringBuilder text = new StringBuilder(end - PREFIX_LENGTH);
		for (int i = PREFIX_LENGTH; i < end; i++) {
			int b = line.getUnsignedByte(i);
			if (b < 0x20 || b > 0x7E) {
				throw new ProxyProtocolException(String.format(
						"PROXY v1 header holds byte 0x%02x at %d, where only printable US-ASCII is allowed", b, i));
			}
			text.append((char) b);
		}
		String fields = text.toString();
		if (fields.equals("UNKNOWN") || fields.startsWith("UNKNOWN ")) {
			// The sender could not fill the line; the receiver ignores the rest and keeps the real endpoints.
			return new ProxyHeader(1, Command.PROXY, Family.UNSPECIFIED, Protocol.UNSPECIFIED, null, null,
					new LinkedHashMap<>());
		}
		String[] parts = fields.split(" ", -1);
		Family family = switch (parts[0]) {
			case "TCP4" -> Family.INET;
			case "TCP6" -> Family.INET6;
			default -> throw new ProxyProtocolException(
					"PROXY v1 header names protocol '" + parts[0] + "'; it must be TCP4, TCP6 or UNKNOWN");
		};
		if (parts.length != 5) {
			throw new ProxyProtocolException("PROXY v1 " + parts[0] + " header must give source address, "
					+ "destination address, source port and destination port separated by single spaces: '"
					+ fields + "'");
		}
		InetAddress source = address(family, parts[1], "source");
		InetAddress destination = address(family, parts[2], "destination");
		int sourcePort = port(parts[3], "source");
		int destinationPort = port(parts[4], "destination");
		return new ProxyHeader(1, Command.PROXY, family, Protocol.STREAM, new InetSocketAddress(source, sourcePort),
				new InetSocketAddress(destination, destinationPort), new LinkedHashMap<>());
	}

	private static InetAddress address(Family family, String text, String which) throws ProxyProtocolException {
		byte[] bytes = (family == Family.INET) ? ipv4(text) : ipv6(text);
		if (bytes == null) {
			throw new ProxyProtocolException("PROXY v1 header's " + which + " address '" + text + "' is not an "
					+ ((family == Family.INET) ? "IPv4 address (TCP4)" : "IPv6 address (TCP6)"));
		}
		try {
			return InetAddress.getByAddress(bytes);
		}
		catch (UnknownHostException ex) {
			throw new IllegalStateException("an address of " + bytes.length + " bytes", ex);
		}
	}

	private static int port(String text, String which) throws ProxyProtocolException {
		int port = decimal(text, 5);
		if (port < 0 || port > 65535) {
			throw new ProxyProtocolException("PROXY v1 header's " + which + " port '" + text
					+ "' is not a decimal number from 0 to 65535 without leading zeros");
		}
		return port;
	}

	/** An IPv4 address in dotted decimal, or {@code null}. */
	static byte @Nullable [] ipv4(String text) {
		String[] parts = text.split("\\.", -1);
		if (parts.length != 4) {
			return null;
		}
		byte[] bytes = new byte[4];
		for (int i = 0; i < 4; i++) {
			int value = decimal(parts[i], 3);
			if (value < 0 || value > 255) {
				return null;
			}
			bytes[i] = (byte) value;
		}
		return bytes;
	}

	/** An IPv6 address in the text forms of RFC 4291 section 2.2, or {@code null}. */
	static byte @Nullable [] ipv6(String text) {
		int gap = text.indexOf("::");
		if (gap >= 0 && text.indexOf("::", gap + 1) >= 0) {
			return null;
		}
		int[] groups = new int[IPV6_GROUPS + 1];
		int head;
		int tail;
		if (gap < 0) {
			head = groups(text, groups, 0, true);
			tail = 0;
			if (head != IPV6_GROUPS) {
				return null;
			}
		}
		else {
			head = (gap == 0) ? 0 : groups(text.substring(0, gap), groups, 0, false);
			if (head < 0) {
				return null;
			}
			String rest = text.substring(gap + 2);
			tail = rest.isEmpty() ? 0 : groups(rest, groups, head, true);
			// The gap stands for one or more zero groups.
			if (tail < 0 || head + tail >= IPV6_GROUPS) {
				return null;
			}
		}
		byte[] bytes = new byte[16];
		for (int i = 0; i < head; i++) {
			put(bytes, i, groups[i]);
		}
		for (int i = 0; i < tail; i++) {
			put(bytes, IPV6_GROUPS - tail + i, groups[head + i]);
		}
		return bytes;
	}

	/**
	 * Reads colon-separated groups into {@code groups} from {@code at}, a dotted IPv4 tail allowed last
	 * when {@code last}; returns how many 16-bit groups were read, or -1 if the text is not groups.
	 */
	private static int groups(String text, int[] groups, int at, boolean last) {
		String[] parts = text.split(":", -1);
		int count = 0;
		for (int i = 0; i < parts.length; i++) {
			String part = parts[i];
			if (last && i == parts.length - 1 && part.indexOf('.') >= 0) {
				byte[] ipv4 = ipv4(part);
				if (ipv4 == null || at + count + 2 > IPV6_GROUPS) {
					return -1;
				}
				groups[at + count++] = ((ipv4[0] & 0xFF) << 8) | (ipv4[1] & 0xFF);
				groups[at + count++] = ((ipv4[2] & 0xFF) << 8) | (ipv4[3] & 0xFF);
				continue;
			}
			int value = hex(part);
			if (value < 0 || at + count >= IPV6_GROUPS) {
				return -1;
			}
			groups[at + count++] = value;
		}
		return count;
	}

	private static void put(byte[] bytes, int group, int value) {
		bytes[2 * group] = (byte) (value >>> 8);
		bytes[2 * group + 1] = (byte) value;
	}

	/** One to four hex digits as a number, or -1. */
	private static int hex(String text) {
		if (text.isEmpty() || text.length() > 4) {
			return -1;
		}
		int value = 0;
		for (int i = 0; i < text.length(); i++) {
			int digit = Character.digit(text.charAt(i), 16);
			if (digit < 0) {
				return -1;
			}
			value = (value << 4) | digit;
		}
		return value;
	}

	/**
	 * One to {@code maxDigits} ASCII decimal digits without a leading zero (zero itself aside) as a
	 * number, or -1.
	 */
	private static int decimal(String text, int maxDigits) {
		if (text.isEmpty() || text.length() > maxDigits || (text.length() > 1 && text.charAt(0) == '0')) {
			return -1;
		}
		int value = 0;
		for (int i = 0; i < text.length(); i++) {
			char ch = text.charAt(i);
			if (ch < '0' || ch > '9') {
				return -1;
			}
			value = value * 10 + (ch - '0');
		}
		return value;
	}

}
