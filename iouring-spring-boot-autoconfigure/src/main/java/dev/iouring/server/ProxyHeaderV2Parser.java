package dev.iouring.server;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.zip.CRC32C;

import dev.iouring.server.ProxyHeader.Command;
import dev.iouring.server.ProxyHeader.Family;
import dev.iouring.server.ProxyHeader.Protocol;

/**
 * Parses a complete PROXY protocol version 2 block, as HAProxy's {@code doc/proxy-protocol.txt}
 * section 2.2 defines it:
 *
 * <pre>
 * offset  size  field
 *      0    12  signature 0D 0A 0D 0A 00 0D 0A 51 55 49 54 0A
 *     12     1  version (high nibble, 2) and command (low nibble: 0 LOCAL, 1 PROXY)
 *     13     1  family (high nibble: 0 UNSPEC, 1 INET, 2 INET6, 3 UNIX)
 *               and protocol (low nibble: 0 UNSPEC, 1 STREAM, 2 DGRAM)
 *     14     2  length of what follows, big-endian
 *     16     -  addresses: INET  src(4) dst(4) sport(2) dport(2)          = 12 bytes
 *                          INET6 src(16) dst(16) sport(2) dport(2)        = 36 bytes
 *                          UNIX  src(108) dst(108)                        = 216 bytes
 *      -     -  TLVs to the end: type(1) length(2, big-endian) value(length)
 * </pre>
 *
 * A {@code LOCAL} block is accepted whatever its family and its bytes are skipped, as the specification
 * says. For {@code PROXY}, only the family and protocol pairs the specification lists are accepted
 * (unspecified, or a known family with STREAM or DGRAM). A CRC32c TLV is verified; a unique id longer
 * than 128 bytes, or a TLV running past the block, is refused.
 */
final class ProxyHeaderV2Parser {

	/** The fixed part: signature, version and command, family and protocol, length. */
	static final int FIXED_LENGTH = 16;

	/** Offset of the version and command byte. */
	static final int VERSION_COMMAND = 12;

	/** Offset of the family and protocol byte. */
	static final int FAMILY_PROTOCOL = 13;

	/** Offset of the big-endian length of the addresses and TLVs. */
	static final int LENGTH = 14;

	/** The only version the specification defines, in the high nibble. */
	static final int VERSION_2 = 0x2;

	private static final int COMMAND_LOCAL = 0x0;

	private static final int COMMAND_PROXY = 0x1;

	/** Address block sizes by family nibble: UNSPEC, INET, INET6, UNIX. */
	private static final int[] ADDRESS_LENGTH = { 0, 12, 36, 216 };

	private static final int TLV_HEADER_LENGTH = 3;

	/** Longest unique id the specification allows (section 2.2.5). */
	private static final int MAX_UNIQUE_ID_LENGTH = 128;

	private static final int CRC32C_LENGTH = 4;

	private ProxyHeaderV2Parser() {
	}

	/**
	 * Checks the version and command byte as soon as it arrives, so a wrong one fails without waiting
	 * for the rest of the block.
	 * @param versionCommand the 13th byte
	 * @throws ProxyProtocolException if the version is not 2 or the command neither LOCAL nor PROXY
	 */
	static void checkVersionAndCommand(int versionCommand) throws ProxyProtocolException {
		int version = versionCommand >>> 4;
		if (version != VERSION_2) {
			throw new ProxyProtocolException(String.format(
					"PROXY v2 header has version %d (byte 0x%02x); only version 2 exists", version, versionCommand));
		}
		int command = versionCommand & 0x0F;
		if (command != COMMAND_LOCAL && command != COMMAND_PROXY) {
			throw new ProxyProtocolException(String.format(
					"PROXY v2 header has command 0x%x; it must be 0 (LOCAL) or 1 (PROXY)", command));
		}
	}

	/**
	 * Parses a block.
	 * @param block bytes holding the block from its first byte
	 * @param length the block's length: {@value #FIXED_LENGTH} plus its length field
	 * @return the header
	 * @throws ProxyProtocolException if the block breaks the format
	 */
	static ProxyHeader parse(Bytes block, int length) throws ProxyProtocolException {
		int versionCommand = block.getUnsignedByte(VERSION_COMMAND);
		checkVersionAndCommand(versionCommand);
		if ((versionCommand & 0x0F) == COMMAND_LOCAL) {
			return new ProxyHeader(2, Command.LOCAL, Family.UNSPECIFIED, Protocol.UNSPECIFIED, null, null,
					new LinkedHashMap<>());
		}
		int familyProtocol = block.getUnsignedByte(FAMILY_PROTOCOL);
		int familyBits = familyProtocol >>> 4;
		int protocolBits = familyProtocol & 0x0F;
		boolean unspecified = familyProtocol == 0x00;
		if (!unspecified && (familyBits < 1 || familyBits > 3 || protocolBits < 1 || protocolBits > 2)) {
			throw new ProxyProtocolException(String.format("PROXY v2 header has family and protocol 0x%02x; "
					+ "it must be 0x00 (unspecified) or 0x11, 0x12, 0x21, 0x22, 0x31, 0x32", familyProtocol));
		}
		// The enums list their constants in the order of the specification's nibble values.
		Family family = Family.values()[familyBits];
		Protocol protocol = Protocol.values()[protocolBits];
		int addressLength = ADDRESS_LENGTH[familyBits];
		if (length - FIXED_LENGTH < addressLength) {
			throw new ProxyProtocolException("PROXY v2 header is " + (length - FIXED_LENGTH) + " bytes after its "
					+ "fixed part, too short for the " + addressLength + " address bytes of family " + family);
		}
		InetSocketAddress source = null;
		InetSocketAddress destination = null;
		if (family == Family.INET || family == Family.INET6) {
			int size = (family == Family.INET) ? 4 : 16;
			int ports = FIXED_LENGTH + 2 * size;
			source = new InetSocketAddress(address(block, FIXED_LENGTH, size),
					block.getUnsignedShort(ports, ByteOrder.BIG_ENDIAN));
			destination = new InetSocketAddress(address(block, FIXED_LENGTH + size, size),
					block.getUnsignedShort(ports + 2, ByteOrder.BIG_ENDIAN));
		}
		LinkedHashMap<Integer, byte[]> tlvs = tlvs(block, FIXED_LENGTH + addressLength, length);
		return new ProxyHeader(2, Command.PROXY, family, protocol, source, destination, tlvs);
	}

	private static InetAddress address(Bytes block, int offset, int size) {
		byte[] bytes = new byte[size];
		block.copyTo(offset, bytes, 0, size);
		try {
			return InetAddress.getByAddress(bytes);
		}
		catch (UnknownHostException ex) {
			throw new IllegalStateException("an address of " + size + " bytes", ex);
		}
	}

	private static LinkedHashMap<Integer, byte[]> tlvs(Bytes block, int from, int length)
			throws ProxyProtocolException {
		LinkedHashMap<Integer, byte[]> tlvs = new LinkedHashMap<>();
		int at = from;
		while (at < length) {
			if (length - at < TLV_HEADER_LENGTH) {
				throw new ProxyProtocolException("PROXY v2 header ends " + (length - at)
						+ " bytes into a TLV's 3-byte type and length");
			}
			int type = block.getUnsignedByte(at);
			int valueLength = block.getUnsignedShort(at + 1, ByteOrder.BIG_ENDIAN);
			int value = at + TLV_HEADER_LENGTH;
			if (valueLength > length - value) {
				throw new ProxyProtocolException(String.format("PROXY v2 header's TLV 0x%02x at %d claims %d bytes, "
						+ "but the header has %d left", type, at, valueLength, length - value));
			}
			if (type == ProxyHeader.TYPE_UNIQUE_ID && valueLength > MAX_UNIQUE_ID_LENGTH) {
				throw new ProxyProtocolException("PROXY v2 header's unique id is " + valueLength
						+ " bytes; at most " + MAX_UNIQUE_ID_LENGTH + " are allowed");
			}
			if (type == ProxyHeader.TYPE_CRC32C) {
				verifyChecksum(block, length, value, valueLength);
			}
			if (type != ProxyHeader.TYPE_NOOP && !tlvs.containsKey(type)) {
				byte[] bytes = new byte[valueLength];
				block.copyTo(value, bytes, 0, valueLength);
				tlvs.put(type, bytes);
			}
			at = value + valueLength;
		}
		return tlvs;
	}

	/**
	 * The checksum covers the whole header with its own four bytes taken as zero (RFC 4960 appendix B
	 * CRC32c, the one {@link CRC32C} computes), and is sent big-endian.
	 */
	private static void verifyChecksum(Bytes block, int length, int value, int valueLength)
			throws ProxyProtocolException {
		if (valueLength != CRC32C_LENGTH) {
			throw new ProxyProtocolException(
					"PROXY v2 header's CRC32c TLV is " + valueLength + " bytes; it must be " + CRC32C_LENGTH);
		}
		byte[] header = new byte[length];
		block.copyTo(0, header, 0, length);
		long expected = block.getUnsignedInt(value, ByteOrder.BIG_ENDIAN);
		for (int i = 0; i < CRC32C_LENGTH; i++) {
			header[value + i] = 0;
		}
		CRC32C crc = new CRC32C();
		crc.update(header);
		if (crc.getValue() != expected) {
			throw new ProxyProtocolException(String.format(
					"PROXY v2 header's CRC32c is 0x%08x but its bytes sum to 0x%08x", expected, crc.getValue()));
		}
	}

}
