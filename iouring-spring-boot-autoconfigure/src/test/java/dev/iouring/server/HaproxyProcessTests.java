package dev.iouring.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.iouring.server.HaproxyProcess.Sender;
import dev.iouring.server.ProxyHeader.Command;
import dev.iouring.server.ProxyHeader.Family;
import dev.iouring.server.ProxyHeaderDecoder.Outcome;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link HaproxyProcess} relays a client to a plain {@link ServerSocket} backend, and the header it
 * prepends, read off the backend socket as it arrives, decodes with {@link ProxyHeaderDecoder} to the
 * client's own endpoint: the decoder checked against HAProxy's real output, v1, v2, and v2 with TLVs
 * (its CRC32c included). The bytes behind the header reach the backend intact, and the reply the client.
 */
class HaproxyProcessTests {

	private static final int TIMEOUT_MILLIS = 20_000;

	private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

	@TempDir
	Path dir;

	@ParameterizedTest
	@EnumSource(Sender.class)
	void haproxysHeaderDecodesToTheClientAndTheBytesBehindItPassIntact(Sender sender) throws Exception {
		byte[] payload = new byte[64 * 1024];
		new Random(42).nextBytes(payload);
		try (ServerSocket backend = new ServerSocket(0, 8, LOOPBACK);
				HaproxyProcess haproxy = HaproxyProcess.start(this.dir, backend.getLocalPort(), sender);
				Socket client = new Socket(LOOPBACK, haproxy.port())) {
			backend.setSoTimeout(TIMEOUT_MILLIS);
			client.setSoTimeout(TIMEOUT_MILLIS);
			client.getOutputStream().write(payload);
			try (Socket relayed = backend.accept()) {
				relayed.setSoTimeout(TIMEOUT_MILLIS);
				InputStream in = relayed.getInputStream();
				ProxyHeaderDecoder decoder = new ProxyHeaderDecoder(ProxyProtocolMode.ON);
				ByteArrayOutputStream afterHeader = new ByteArrayOutputStream();
				byte[] buffer = new byte[4096];
				Outcome outcome = Outcome.NEED_MORE;
				while (outcome == Outcome.NEED_MORE) {
					int read = in.read(buffer);
					outcome = (read < 0) ? decoder.endOfStream() : decoder.feed(Bytes.wrap(buffer, 0, read));
					if (outcome == Outcome.DONE) {
						afterHeader.write(decoder.replay().toByteArray());
						afterHeader.write(buffer, decoder.consumed(), read - decoder.consumed());
					}
				}
				assertThat(outcome).as("%s, haproxy said: %s", decoder.failure(), haproxy.output())
					.isEqualTo(Outcome.DONE);
				assertHeader(decoder.header(), sender, client, haproxy.port());
				afterHeader.write(in.readNBytes(payload.length - afterHeader.size()));
				assertThat(Arrays.equals(afterHeader.toByteArray(), payload)).as("bytes behind the header intact")
					.isTrue();
				relayed.getOutputStream().write("world\n".getBytes(StandardCharsets.US_ASCII));
				assertThat(new String(client.getInputStream().readNBytes(6), StandardCharsets.US_ASCII))
					.isEqualTo("world\n");
			}
		}
	}

	private static void assertHeader(ProxyHeader header, Sender sender, Socket client, int frontendPort)
			throws IOException {
		assertThat(header.version()).isEqualTo((sender == Sender.V1) ? 1 : 2);
		assertThat(header.command()).isEqualTo(Command.PROXY);
		assertThat(header.family()).isEqualTo(Family.INET);
		assertThat(header.sourceAddress()).isEqualTo(client.getLocalSocketAddress());
		assertThat(header.destinationAddress()).isEqualTo(new InetSocketAddress(LOOPBACK, frontendPort));
		if (sender == Sender.V2_WITH_TLVS) {
			// The checksum was verified, or decoding would have failed.
			assertThat(header.tlvTypes()).contains(ProxyHeader.TYPE_CRC32C, ProxyHeader.TYPE_UNIQUE_ID,
					ProxyHeader.TYPE_SSL);
			assertThat(new String(header.uniqueId(), StandardCharsets.US_ASCII))
				.isEqualTo(HaproxyProcess.UNIQUE_ID_PREFIX + "127.0.0.1:" + client.getLocalPort());
			assertThat(header.tlv(ProxyHeader.TYPE_SSL)[0]).as("client flags: a plain, not a TLS, client").isZero();
		}
		else {
			assertThat(header.tlvTypes()).isEmpty();
		}
	}

}
