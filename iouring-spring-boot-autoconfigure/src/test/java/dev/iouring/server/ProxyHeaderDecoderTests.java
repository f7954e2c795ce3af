package dev.iouring.server;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import dev.iouring.server.ProxyHeader.Command;
import dev.iouring.server.ProxyHeader.Family;
import dev.iouring.server.ProxyHeader.Protocol;
import dev.iouring.server.ProxyHeaderDecoder.Outcome;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * {@link ProxyHeaderDecoder} against HAProxy's {@code doc/proxy-protocol.txt}. Every stream is decoded
 * whole, one byte at a time, cut at each single position and at random positions, and must give the
 * same outcome, the same header and the same bytes passed on to the codec each time. The views fed are
 * overwritten after each call, so a decoder that kept one instead of copying would show.
 */
class ProxyHeaderDecoderTests {

	private static final byte[] V2_SIGNATURE = HexFormat.of().parseHex("0d0a0d0a000d0a515549540a");

	private static final byte[] DATA = ascii("PING\r\n");

	// ---- version 1 ----

	@Test
	void v1Tcp4GivesTheClientAndPassesTheRestOn() throws Exception {
		Decoded decoded = decode(ProxyProtocolMode.ON, concat(ascii("PROXY TCP4 192.0.2.1 198.51.100.7 56324 443\r\n"), DATA));
		assertThat(decoded.outcome).isEqualTo(Outcome.DONE);
		ProxyHeader header = decoded.header;
		assertThat(header.version()).isEqualTo(1);
		assertThat(header.command()).isEqualTo(Command.PROXY);
		assertThat(header.family()).isEqualTo(Family.INET);
		assertThat(header.protocol()).isEqualTo(Protocol.STREAM);
		assertThat(header.sourceAddress()).isEqualTo(endpoint("192.0.2.1", 56324));
		assertThat(header.destinationAddress()).isEqualTo(endpoint("198.51.100.7", 443));
		assertThat(header.tlvTypes()).isEmpty();
		assertThat(decoded.passedOn).isEqualTo(DATA);
	}

	@Test
	void v1Tcp6TakesEveryTextFormOfAnIpv6Address() throws Exception {
		assertV1Tcp6("2001:db8::1", "2001:db8:0:0:0:0:0:1");
		assertV1Tcp6("2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1");
		assertV1Tcp6("::", "0:0:0:0:0:0:0:0");
		assertV1Tcp6("::1", "0:0:0:0:0:0:0:1");
		assertV1Tcp6("fe80::", "fe80:0:0:0:0:0:0:0");
		assertV1Tcp6("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0");
		assertV1Tcp6("::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8");
		assertV1Tcp6("64:ff9b::192.0.2.33", "64:ff9b:0:0:0:0:c000:221");
		assertV1Tcp6("0:0:0:0:0:0:13.1.68.3", "0:0:0:0:0:0:d01:4403");
	}

	@Test
	void v1Tcp6WithAnIpv4MappedAddressGivesTheIpv4Address() throws Exception {
		Decoded decoded = decode(ProxyProtocolMode.ON, ascii("PROXY TCP6 ::ffff:192.0.2.1 ::1 1 2\r\n"));
		assertThat(decoded.header.family()).isEqualTo(Family.INET6);
		assertThat(decoded.header.sourceAddress()).isEqualTo(endpoint("192.0.2.1", 1));
	}

	@Test
	void v1UnknownKeepsTheRealEndpointsAndIgnoresTheRestOfTheLine() {
		for (String line : List.of("PROXY UNKNOWN\r\n", "PROXY UNKNOWN whatever the sender wrote\r\n",
				"PROXY UNKNOWN ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n")) {
			Decoded decoded = decode(ProxyProtocolMode.ON, concat(ascii(line), DATA));
			assertThat(decoded.outcome).as(line).isEqualTo(Outcome.DONE);
			assertThat(decoded.header.command()).isEqualTo(Command.PROXY);
			assertThat(decoded.header.family()).isEqualTo(Family.UNSPECIFIED);
			assertThat(decoded.header.sourceAddress()).isNull();
			assertThat(decoded.header.destinationAddress()).isNull();
			assertThat(decoded.passedOn).isEqualTo(DATA);
		}
	}

	@Test
	void v1LineOfTheLongest107BytesIsAcceptedAndOneByteMoreIsNot() {
		String longest = "PROXY UNKNOWN ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";
		assertThat(longest).hasSize(ProxyHeaderDecoder.MAX_V1_LENGTH);
		assertThat(decode(ProxyProtocolMode.ON, ascii(longest)).outcome).isEqualTo(Outcome.DONE);
		Decoded tooLong = decode(ProxyProtocolMode.ON, ascii(longest.replace("UNKNOWN ", "UNKNOWN  ")));
		assertThat(tooLong.outcome).isEqualTo(Outcome.FAILED);
		assertThat(tooLong.failure).startsWith("PROXY v1 header has no CRLF within 107 bytes: 'PROXY UNKNOWN  f'...");
	}

	@Test
	void v1WithoutCrlfWithin107BytesFailsOnceThe107thByteArrives() {
		ProxyHeaderDecoder decoder = new ProxyHeaderDecoder(ProxyProtocolMode.ON);
		byte[] line = ascii("PROXY TCP4 " + "1".repeat(200));
		assertThat(decoder.feed(Bytes.wrap(line, 0, 106))).isEqualTo(Outcome.NEED_MORE);
		assertThat(decoder.feed(Bytes.wrap(line, 106, 1))).isEqualTo(Outcome.FAILED);
	}

	@Test
	void malformedV1LinesFailNamingTheFault() {
		assertV1Fails("PROXY TCP4 192.0.2.1 198.51.100.7 56324 443\n", "PROXY v1 header ends with a bare LF instead of CRLF");
		assertV1Fails("PROXY TCP4 192.0.2.1 198.51.100.7 56324 443\rX\r\n", "PROXY v1 header holds byte 0x0d at 43");
		assertV1Fails("PROXY TCP4 192.0.2.1 198.51.100.7 56324 65536\r\n", "PROXY v1 header's destination port '65536'");
		assertV1Fails("PROXY TCP4 192.0.2.1 198.51.100.7 056324 443\r\n", "PROXY v1 header's source port '056324'");
		assertV1Fails("PROXY TCP4 192.0.2.1 198.51.100.7 01 443\r\n", "PROXY v1 header's source port '01'");
		assertV1Fails("PROXY TCP4 192.0.2.1 198.51.100.7 -1 443\r\n", "PROXY v1 header's source port '-1'");
		assertV1Fails("PROXY TCP4 192.0.2.1 198.51.100.7 http 443\r\n", "PROXY v1 header's source port 'http'");
		assertV1Fails("PROXY TCP4 256.0.2.1 198.51.100.7 1 2\r\n", "PROXY v1 header's source address '256.0.2.1' is not an IPv4 address (TCP4)");
		assertV1Fails("PROXY TCP4 192.0.2.01 198.51.100.7 1 2\r\n", "PROXY v1 header's source address '192.0.2.01'");
		assertV1Fails("PROXY TCP4 192.0.2 198.51.100.7 1 2\r\n", "PROXY v1 header's source address '192.0.2'");
		assertV1Fails("PROXY TCP4 192.0.2.1.5 198.51.100.7 1 2\r\n", "PROXY v1 header's source address");
		assertV1Fails("PROXY TCP4 192.0.2.1 localhost 1 2\r\n", "PROXY v1 header's destination address 'localhost'");
		assertV1Fails("PROXY TCP4 ::1 ::1 1 2\r\n", "PROXY v1 header's source address '::1' is not an IPv4 address");
		assertV1Fails("PROXY TCP6 192.0.2.1 ::1 1 2\r\n", "PROXY v1 header's source address '192.0.2.1' is not an IPv6 address (TCP6)");
		assertV1Fails("PROXY TCP6 2001:db8::1::2 ::1 1 2\r\n", "PROXY v1 header's source address '2001:db8::1::2'");
		assertV1Fails("PROXY TCP6 1:2:3:4:5:6:7:8:9 ::1 1 2\r\n", "PROXY v1 header's source address");
		assertV1Fails("PROXY TCP6 1:2:3:4:5:6:7 ::1 1 2\r\n", "PROXY v1 header's source address");
		assertV1Fails("PROXY TCP6 1:2:3:4:5:6:7:8:: ::1 1 2\r\n", "PROXY v1 header's source address");
		assertV1Fails("PROXY TCP6 12345::1 ::1 1 2\r\n", "PROXY v1 header's source address");
		assertV1Fails("PROXY TCP6 g::1 ::1 1 2\r\n", "PROXY v1 header's source address");
		assertV1Fails("PROXY TCP6 :1::2 ::1 1 2\r\n", "PROXY v1 header's source address");
		assertV1Fails("PROXY TCP6 ::1.2.3.4:1 ::1 1 2\r\n", "PROXY v1 header's source address");
		assertV1Fails("PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n", "PROXY v1 header's source address 'fe80::1%eth0'");
		assertV1Fails("PROXY TCP4 192.0.2.1  198.51.100.7 1 2\r\n", "PROXY v1 TCP4 header must give source address");
		assertV1Fails("PROXY TCP4 192.0.2.1 198.51.100.7 1 2 \r\n", "PROXY v1 TCP4 header must give source address");
		assertV1Fails("PROXY TCP4 192.0.2.1 198.51.100.7 1\r\n", "PROXY v1 TCP4 header must give source address");
		assertV1Fails("PROXY TCP4\r\n", "PROXY v1 TCP4 header must give source address");
		assertV1Fails("PROXY TCP5 192.0.2.1 198.51.100.7 1 2\r\n", "PROXY v1 header names protocol 'TCP5'; it must be TCP4, TCP6 or UNKNOWN");
		assertV1Fails("PROXY tcp4 192.0.2.1 198.51.100.7 1 2\r\n", "PROXY v1 header names protocol 'tcp4'");
		assertV1Fails("PROXY UNKNOWNX\r\n", "PROXY v1 header names protocol 'UNKNOWNX'");
		assertV1Fails("PROXY \r\n", "PROXY v1 header names protocol ''");
		assertV1Fails("PROXY TCP4 192.0.2.1 198.51.100.7 1 \u00e92\r\n", "PROXY v1 header holds byte 0xe9");
	}

	// ---- version 2 ----

	@Test
	void v2ProxyOverIpv4GivesTheClientAndTheTlvs() throws Exception {
		byte[] uniqueId = HexFormat.of().parseHex("00112233445566778899");
		byte[] header = v2(0x21, 0x11, ipv4Block("192.0.2.1", "198.51.100.7", 56324, 443), tlv(0x01, ascii("h2")),
				tlv(0x04, new byte[5]), tlv(0x02, "пример.example".getBytes(StandardCharsets.UTF_8)),
				tlv(0x05, uniqueId), tlv(0xE0, ascii("first")), tlv(0xE0, ascii("second")));
		Decoded decoded = decode(ProxyProtocolMode.ON, concat(header, DATA));
		assertThat(decoded.outcome).isEqualTo(Outcome.DONE);
		ProxyHeader proxy = decoded.header;
		assertThat(proxy.version()).isEqualTo(2);
		assertThat(proxy.command()).isEqualTo(Command.PROXY);
		assertThat(proxy.family()).isEqualTo(Family.INET);
		assertThat(proxy.protocol()).isEqualTo(Protocol.STREAM);
		assertThat(proxy.sourceAddress()).isEqualTo(endpoint("192.0.2.1", 56324));
		assertThat(proxy.destinationAddress()).isEqualTo(endpoint("198.51.100.7", 443));
		assertThat(proxy.alpn()).isEqualTo("h2");
		assertThat(proxy.authority()).isEqualTo("пример.example");
		assertThat(proxy.uniqueId()).isEqualTo(uniqueId);
		assertThat(proxy.tlvTypes()).containsExactly(0x01, 0x02, 0x05, 0xE0);
		assertThat(proxy.tlv(0xE0)).isEqualTo(ascii("first"));
		assertThat(proxy.tlv(0x30)).isNull();
		proxy.uniqueId()[0] = 9;
		assertThat(proxy.uniqueId()).as("a copy each time").isEqualTo(uniqueId);
		assertThat(decoded.passedOn).isEqualTo(DATA);
	}

	@Test
	void v2ProxyOverIpv6AndUdpAreRead() throws Exception {
		ByteBuffer block = ByteBuffer.allocate(36)
			.put(InetAddress.getByName("2001:db8::1").getAddress())
			.put(InetAddress.getByName("2001:db8::2").getAddress())
			.putShort((short) 65535)
			.putShort((short) 7000);
		Decoded tcp = decode(ProxyProtocolMode.ON, v2(0x21, 0x21, block.array()));
		assertThat(tcp.header.family()).isEqualTo(Family.INET6);
		assertThat(tcp.header.sourceAddress()).isEqualTo(endpoint("2001:db8::1", 65535));
		assertThat(tcp.header.destinationAddress()).isEqualTo(endpoint("2001:db8::2", 7000));
		Decoded udp = decode(ProxyProtocolMode.ON, v2(0x21, 0x12, ipv4Block("192.0.2.1", "192.0.2.2", 53, 53)));
		assertThat(udp.header.protocol()).isEqualTo(Protocol.DGRAM);
		assertThat(udp.header.sourceAddress()).isEqualTo(endpoint("192.0.2.1", 53));
	}

	@Test
	void v2ProxyOverUnixSocketsAndUnspecifiedKeepTheRealEndpoints() {
		byte[] paths = new byte[216];
		System.arraycopy(ascii("/run/client.sock"), 0, paths, 0, 16);
		Decoded unix = decode(ProxyProtocolMode.ON, concat(v2(0x21, 0x31, paths, tlv(0x30, ascii("blue"))), DATA));
		assertThat(unix.header.family()).isEqualTo(Family.UNIX);
		assertThat(unix.header.sourceAddress()).isNull();
		assertThat(unix.header.tlv(ProxyHeader.TYPE_NETNS)).isEqualTo(ascii("blue"));
		assertThat(unix.passedOn).isEqualTo(DATA);
		Decoded unspecified = decode(ProxyProtocolMode.ON, concat(v2(0x21, 0x00, new byte[0]), DATA));
		assertThat(unspecified.header.command()).isEqualTo(Command.PROXY);
		assertThat(unspecified.header.family()).isEqualTo(Family.UNSPECIFIED);
		assertThat(unspecified.header.sourceAddress()).isNull();
		assertThat(unspecified.passedOn).isEqualTo(DATA);
	}

	@Test
	void v2LocalIsAcceptedAndItsBlockSkippedWhateverItHolds() {
		Decoded empty = decode(ProxyProtocolMode.ON, concat(v2(0x20, 0x00, new byte[0]), DATA));
		assertThat(empty.header.command()).isEqualTo(Command.LOCAL);
		assertThat(empty.header.family()).isEqualTo(Family.UNSPECIFIED);
		assertThat(empty.header.sourceAddress()).isNull();
		assertThat(empty.passedOn).isEqualTo(DATA);
		Decoded withAddresses = decode(ProxyProtocolMode.ON,
				concat(v2(0x20, 0xFF, ascii("not addresses at all")), DATA));
		assertThat(withAddresses.header.command()).isEqualTo(Command.LOCAL);
		assertThat(withAddresses.header.sourceAddress()).isNull();
		assertThat(withAddresses.passedOn).isEqualTo(DATA);
	}

	@Test
	void v2ChecksumIsVerified() {
		byte[] header = v2(0x21, 0x11, ipv4Block("192.0.2.1", "192.0.2.2", 1, 2), tlv(0x01, ascii("h2")),
				tlv(0x03, new byte[4]));
		CRC32C crc = new CRC32C();
		crc.update(header);
		ByteBuffer.wrap(header).putInt(header.length - 4, (int) crc.getValue());
		Decoded good = decode(ProxyProtocolMode.ON, header);
		assertThat(good.outcome).isEqualTo(Outcome.DONE);
		assertThat(good.header.tlvTypes()).containsExactly(0x01, 0x03);
		header[17] ^= 1;
		assertThat(decode(ProxyProtocolMode.ON, header).failure).startsWith("PROXY v2 header's CRC32c is 0x");
		assertV2Fails(v2(0x21, 0x11, ipv4Block("192.0.2.1", "192.0.2.2", 1, 2), tlv(0x03, new byte[2])),
				"PROXY v2 header's CRC32c TLV is 2 bytes; it must be 4");
	}

	@Test
	void v2LengthUpToTheBoundIsReadAndBeyondItFailsOnceTheLengthArrives() {
		byte[] addresses = ipv4Block("192.0.2.1", "192.0.2.2", 1, 2);
		byte[] largest = v2(0x21, 0x11, addresses, tlv(0x04, new byte[ProxyHeaderDecoder.MAX_V2_LENGTH - 12 - 3]));
		assertThat(largest).hasSize(16 + ProxyHeaderDecoder.MAX_V2_LENGTH);
		assertThat(decode(ProxyProtocolMode.ON, largest).header.sourceAddress()).isEqualTo(endpoint("192.0.2.1", 1));
		byte[] tooLarge = v2(0x21, 0x11, addresses, tlv(0x04, new byte[ProxyHeaderDecoder.MAX_V2_LENGTH - 12 - 2]));
		ProxyHeaderDecoder decoder = new ProxyHeaderDecoder(ProxyProtocolMode.ON);
		assertThat(decoder.feed(Bytes.wrap(tooLarge, 0, 15))).isEqualTo(Outcome.NEED_MORE);
		assertThat(decoder.feed(Bytes.wrap(tooLarge, 15, 1))).isEqualTo(Outcome.FAILED);
		assertThat(decoder.failure())
			.isEqualTo("PROXY v2 header announces 4097 bytes of addresses and TLVs; this server accepts at most 4096");
	}

	@Test
	void v2WithAnotherVersionOrCommandFailsOnceThe13thByteArrives() {
		for (int versionCommand : new int[] { 0x11, 0x31, 0x01, 0xF1, 0x22, 0x2F }) {
			byte[] header = v2(versionCommand, 0x11, ipv4Block("192.0.2.1", "192.0.2.2", 1, 2));
			ProxyHeaderDecoder decoder = new ProxyHeaderDecoder(ProxyProtocolMode.OPTIONAL);
			assertThat(decoder.feed(Bytes.wrap(header, 0, 12))).isEqualTo(Outcome.NEED_MORE);
			assertThat(decoder.feed(Bytes.wrap(header, 12, 1))).as("0x%02x", versionCommand).isEqualTo(Outcome.FAILED);
		}
		assertV2Fails(v2(0x11, 0x11, new byte[12]), "PROXY v2 header has version 1 (byte 0x11); only version 2 exists");
		assertV2Fails(v2(0x22, 0x11, new byte[12]), "PROXY v2 header has command 0x2; it must be 0 (LOCAL) or 1 (PROXY)");
	}

	@Test
	void malformedV2BlocksFailNamingTheFault() {
		for (int familyProtocol : new int[] { 0x01, 0x02, 0x10, 0x13, 0x20, 0x30, 0x41, 0xF1 }) {
			assertV2Fails(v2(0x21, familyProtocol, new byte[216]), String.format(
					"PROXY v2 header has family and protocol 0x%02x; it must be 0x00 (unspecified)", familyProtocol));
		}
		assertV2Fails(v2(0x21, 0x11, new byte[8]),
				"PROXY v2 header is 8 bytes after its fixed part, too short for the 12 address bytes of family INET");
		assertV2Fails(v2(0x21, 0x21, new byte[12]), "PROXY v2 header is 12 bytes after its fixed part, too short for the 36");
		assertV2Fails(v2(0x21, 0x31, new byte[215]), "PROXY v2 header is 215 bytes after its fixed part, too short for the 216 address bytes of family UNIX");
		byte[] addresses = ipv4Block("192.0.2.1", "192.0.2.2", 1, 2);
		assertV2Fails(v2(0x21, 0x11, addresses, new byte[] { 0x01, 0x00 }),
				"PROXY v2 header ends 2 bytes into a TLV's 3-byte type and length");
		assertV2Fails(v2(0x21, 0x11, addresses, new byte[] { 0x01, 0x00, 0x05, 'h', '2' }),
				"PROXY v2 header's TLV 0x01 at 28 claims 5 bytes, but the header has 2 left");
		assertV2Fails(v2(0x21, 0x11, addresses, tlv(0x05, new byte[129])),
				"PROXY v2 header's unique id is 129 bytes; at most 128 are allowed");
		assertThat(decode(ProxyProtocolMode.ON, v2(0x21, 0x11, addresses, tlv(0x05, new byte[128]))).header.uniqueId())
			.hasSize(128);
	}

	// ---- required header, end of stream, misuse ----

	@Test
	void requiredHeaderMissingFailsAtTheFirstByteThatRulesItOut() {
		Decoded decoded = decode(ProxyProtocolMode.ON, ascii("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n"));
		assertThat(decoded.outcome).isEqualTo(Outcome.FAILED);
		assertThat(decoded.failure).isEqualTo(
				"the connection did not start with a PROXY protocol header: 'GET / HTTP/1.1\\x0d\\x0a'...");
		ProxyHeaderDecoder decoder = new ProxyHeaderDecoder(ProxyProtocolMode.ON);
		assertThat(decoder.feed(Bytes.wrap(ascii("PRO")))).isEqualTo(Outcome.NEED_MORE);
		assertThat(decoder.feed(Bytes.wrap(ascii("MPT")))).isEqualTo(Outcome.FAILED);
		assertThat(decoder.failure()).isEqualTo("the connection did not start with a PROXY protocol header: 'PROMPT'");
		assertThat(decode(ProxyProtocolMode.ON, new byte[] { 0x0D, 0x0A, 0x00, '\'', '\\' }).failure)
			.as("bytes a peer sends are escaped in the log")
			.isEqualTo("the connection did not start with a PROXY protocol header: '\\x0d\\x0a\\x00\\x27\\x5c'");
	}

	@Test
	void truncatedHeadersFailWhenTheStreamEnds() {
		byte[] v1 = ascii("PROXY TCP4 192.0.2.1 198.51.100.7 56324 443\r\n");
		byte[] v2 = v2(0x21, 0x11, ipv4Block("192.0.2.1", "192.0.2.2", 1, 2));
		for (ProxyProtocolMode mode : List.of(ProxyProtocolMode.ON, ProxyProtocolMode.OPTIONAL)) {
			Decoded partV1 = decode(mode, Arrays.copyOf(v1, 20));
			assertThat(partV1.outcome).isEqualTo(Outcome.FAILED);
			assertThat(partV1.failure).isEqualTo("the connection ended after 20 bytes of a PROXY v1 header: "
					+ "'PROXY TCP4 192.0'...");
			Decoded partV2 = decode(mode, Arrays.copyOf(v2, v2.length - 1));
			assertThat(partV2.outcome).isEqualTo(Outcome.FAILED);
			assertThat(partV2.failure).startsWith("the connection ended after 27 bytes of a PROXY v2 header: '\\x0d\\x0a");
		}
		assertThat(decode(ProxyProtocolMode.ON, ascii("PROX")).failure)
			.isEqualTo("the connection ended after 4 bytes of what could only be a PROXY header: 'PROX'");
	}

	@Test
	void aPeerThatSendsNothingBeforeClosingIsAnOrdinaryClose() {
		for (ProxyProtocolMode mode : List.of(ProxyProtocolMode.ON, ProxyProtocolMode.OPTIONAL)) {
			ProxyHeaderDecoder decoder = new ProxyHeaderDecoder(mode);
			assertThat(decoder.feed(Bytes.empty())).isEqualTo(Outcome.NEED_MORE);
			assertThat(decoder.endOfStream()).isEqualTo(Outcome.DONE);
			assertThat(decoder.header()).isNull();
			assertThat(decoder.replay().length()).isZero();
		}
	}

	@Test
	void theDecoderTakesNoBytesOnceDecidedAndRefusesModeOff() {
		ProxyHeaderDecoder decoder = new ProxyHeaderDecoder(ProxyProtocolMode.ON);
		assertThat(decoder.feed(Bytes.wrap(ascii("PROXY UNKNOWN\r\n")))).isEqualTo(Outcome.DONE);
		assertThatIllegalStateException().isThrownBy(() -> decoder.feed(Bytes.wrap(DATA)))
			.withMessage("the PROXY header stage already ended (DONE); later bytes belong to the codec");
		assertThatIllegalStateException().isThrownBy(decoder::endOfStream);
		assertThatIllegalArgumentException().isThrownBy(() -> new ProxyHeaderDecoder(ProxyProtocolMode.OFF))
			.withMessage("a listener with proxy-protocol off reads no header");
	}

	// ---- optional header ----

	@Test
	void optionalModePassesOrdinaryDataOnUntouched() {
		List<byte[]> streams = List.of(DATA, ascii("GET / HTTP/1.1\r\n\r\n"), ascii("GET"), ascii("P"),
				ascii("PROXYX TCP4\r\n"), ascii("PROX\r\n"), ascii("proxy TCP4 1.2.3.4 1.2.3.4 1 2\r\n"),
				new byte[] { 0x00, 0x01, (byte) 0xFF, 0x0D, 0x0A }, ascii("\r\n\r\nhello"),
				Arrays.copyOf(V2_SIGNATURE, 11), concat(Arrays.copyOf(V2_SIGNATURE, 11), ascii("X")),
				ascii("*1\r\n$4\r\nPING\r\n"));
		for (byte[] stream : streams) {
			Decoded decoded = decode(ProxyProtocolMode.OPTIONAL, stream);
			assertThat(decoded.outcome).as(HexFormat.of().formatHex(stream)).isEqualTo(Outcome.DONE);
			assertThat(decoded.header).isNull();
			assertThat(decoded.passedOn).as(HexFormat.of().formatHex(stream)).isEqualTo(stream);
		}
	}

	@Test
	void optionalModeReadsAHeaderWhenOneIsSent() {
		Decoded v1 = decode(ProxyProtocolMode.OPTIONAL, concat(ascii("PROXY TCP4 192.0.2.1 198.51.100.7 1 2\r\n"), DATA));
		assertThat(v1.header.sourceAddress()).isEqualTo(endpoint("192.0.2.1", 1));
		assertThat(v1.passedOn).isEqualTo(DATA);
		Decoded v2 = decode(ProxyProtocolMode.OPTIONAL, concat(v2(0x21, 0x11, ipv4Block("192.0.2.9", "192.0.2.2", 3, 4)), DATA));
		assertThat(v2.header.sourceAddress()).isEqualTo(endpoint("192.0.2.9", 3));
		assertThat(v2.passedOn).isEqualTo(DATA);
	}

	@Test
	void optionalModeStillFailsAHeaderThatStartedAndIsMalformed() {
		assertThat(decode(ProxyProtocolMode.OPTIONAL, ascii("PROXY TCP4 nonsense\r\n")).failure)
			.startsWith("PROXY v1 TCP4 header must give source address");
		assertThat(decode(ProxyProtocolMode.OPTIONAL, v2(0x21, 0x11, new byte[3])).outcome).isEqualTo(Outcome.FAILED);
	}

	/** Whatever a peer sends, cut however, the decoder decides the same and never throws. */
	@Property(tries = 400)
	void anyBytesCutAnyWayGiveOneVerdict(@ForAll @Size(max = 40) byte[] tail, @ForAll @IntRange(max = 3) int start,
			@ForAll boolean optional) {
		byte[][] starts = { new byte[0], ascii("PROXY "), V2_SIGNATURE, concat(V2_SIGNATURE, new byte[] { 0x21, 0x11, 0, 12 }) };
		byte[] stream = concat(starts[start], tail);
		Decoded decoded = decode(optional ? ProxyProtocolMode.OPTIONAL : ProxyProtocolMode.ON, stream);
		if (decoded.outcome == Outcome.DONE && decoded.header == null) {
			assertThat(decoded.passedOn).isEqualTo((optional) ? stream : new byte[0]);
		}
	}

	// ---- harness ----

	/** What decoding a stream gave: the outcome, the header, and every byte the codec would get after it. */
	record Decoded(Outcome outcome, @Nullable ProxyHeader header, byte[] passedOn, @Nullable String failure) {

		String verdict() {
			return this.outcome + " " + describe(this.header) + " " + HexFormat.of().formatHex(this.passedOn);
		}

	}

	/**
	 * Decodes {@code stream} cut every way this class checks, asserts that each gives the same verdict,
	 * and returns the one from the stream fed whole.
	 */
	static Decoded decode(ProxyProtocolMode mode, byte[] stream) {
		Decoded whole = decode(mode, stream, List.of(stream.length));
		List<List<Integer>> cuttings = new ArrayList<>();
		List<Integer> oneByteEach = new ArrayList<>();
		for (int i = 1; i <= stream.length; i++) {
			oneByteEach.add(1);
		}
		cuttings.add(oneByteEach);
		for (int cut = 1; cut < Math.min(stream.length, 300); cut++) {
			cuttings.add(List.of(cut, stream.length - cut));
		}
		Random random = new Random(stream.length);
		for (int round = 0; round < 20; round++) {
			List<Integer> sizes = new ArrayList<>();
			for (int left = stream.length; left > 0;) {
				int size = Math.min(left, random.nextInt(8));
				sizes.add(size);
				left -= size;
			}
			cuttings.add(sizes);
		}
		for (List<Integer> sizes : cuttings) {
			assertThat(decode(mode, stream, sizes).verdict()).as("cut into %s", sizes).isEqualTo(whole.verdict());
		}
		return whole;
	}

	private static Decoded decode(ProxyProtocolMode mode, byte[] stream, List<Integer> sizes) {
		ProxyHeaderDecoder decoder = new ProxyHeaderDecoder(mode);
		byte[] scratch = new byte[stream.length + 8];
		int at = 0;
		for (int size : sizes) {
			System.arraycopy(stream, at, scratch, 4, size);
			Outcome outcome = decoder.feed(Bytes.wrap(scratch, 4, size));
			Arrays.fill(scratch, (byte) 0x55);
			if (outcome == Outcome.FAILED) {
				return new Decoded(outcome, null, new byte[0], decoder.failure());
			}
			if (outcome == Outcome.DONE) {
				assertThat(decoder.consumed()).isBetween(0, size);
				byte[] rest = concat(decoder.replay().toByteArray(),
						Arrays.copyOfRange(stream, at + decoder.consumed(), stream.length));
				return new Decoded(outcome, decoder.header(), rest, null);
			}
			at += size;
		}
		Outcome outcome = decoder.endOfStream();
		return new Decoded(outcome, decoder.header(), decoder.replay().toByteArray(), decoder.failure());
	}

	private static String describe(@Nullable ProxyHeader header) {
		if (header == null) {
			return "none";
		}
		StringBuilder text = new StringBuilder(header.toString());
		for (int type : header.tlvTypes()) {
			text.append(' ').append(type).append('=').append(HexFormat.of().formatHex(header.tlv(type)));
		}
		return text.toString();
	}

	private static void assertV1Tcp6(String source, String expected) throws Exception {
		Decoded decoded = decode(ProxyProtocolMode.ON, ascii("PROXY TCP6 " + source + " ::1 56324 443\r\n"));
		assertThat(decoded.outcome).as(source).isEqualTo(Outcome.DONE);
		assertThat(decoded.header.family()).isEqualTo(Family.INET6);
		assertThat(decoded.header.sourceAddress()).as(source).isEqualTo(endpoint(expected, 56324));
		assertThat(decoded.header.destinationAddress()).isEqualTo(endpoint("::1", 443));
	}

	private static void assertV1Fails(String line, String failure) {
		Decoded decoded = decode(ProxyProtocolMode.ON, concat(line.getBytes(StandardCharsets.ISO_8859_1), DATA));
		assertThat(decoded.outcome).as(line).isEqualTo(Outcome.FAILED);
		assertThat(decoded.failure).as(line).startsWith(failure);
	}

	private static void assertV2Fails(byte[] header, String failure) {
		Decoded decoded = decode(ProxyProtocolMode.ON, concat(header, DATA));
		assertThat(decoded.outcome).isEqualTo(Outcome.FAILED);
		assertThat(decoded.failure).startsWith(failure);
	}

	/** A v2 header: signature, the two given bytes, the length of what follows, then what follows. */
	static byte[] v2(int versionCommand, int familyProtocol, byte[]... parts) {
		byte[] rest = concat(parts);
		return concat(V2_SIGNATURE, new byte[] { (byte) versionCommand, (byte) familyProtocol,
				(byte) (rest.length >>> 8), (byte) rest.length }, rest);
	}

	static byte[] tlv(int type, byte[] value) {
		return concat(new byte[] { (byte) type, (byte) (value.length >>> 8), (byte) value.length }, value);
	}

	private static byte[] ipv4Block(String source, String destination, int sourcePort, int destinationPort) {
		try {
			return ByteBuffer.allocate(12)
				.put(InetAddress.getByName(source).getAddress())
				.put(InetAddress.getByName(destination).getAddress())
				.putShort((short) sourcePort)
				.putShort((short) destinationPort)
				.array();
		}
		catch (java.net.UnknownHostException ex) {
			throw new IllegalArgumentException(ex);
		}
	}

	private static InetSocketAddress endpoint(String address, int port) {
		try {
			return new InetSocketAddress(InetAddress.getByName(address), port);
		}
		catch (java.net.UnknownHostException ex) {
			throw new IllegalArgumentException(ex);
		}
	}

	static byte[] ascii(String text) {
		return text.getBytes(StandardCharsets.US_ASCII);
	}

	static byte[] concat(byte[]... parts) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		for (byte[] part : parts) {
			out.writeBytes(part);
		}
		return out.toByteArray();
	}

}
