package dev.iouring.server;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executor;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLHandshakeException;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * {@link TlsSession} against a real client {@link SSLEngine}, bytes moved in memory: handshakes of both
 * protocol versions, data both ways whatever the cut of the records, delegated tasks off the caller,
 * mutual TLS, server names, close_notify both ways, and the bounds a hostile peer meets.
 */
class TlsSessionTests {

	@TempDir
	static Path directory;

	static TestCertificates certificates;

	@BeforeAll
	static void certificates() throws Exception {
		certificates = TestCertificates.generate(directory, "localhost", "api.example.com", "client",
				"intruder@" + TestCertificates.OTHER_CA);
	}

	private static SSLEngine server(TlsSettings.ClientAuth clientAuth) throws Exception {
		SSLContext context = certificates.context("localhost", TestCertificates.CA);
		return TlsSettings.builder(() -> TlsContext.of("test", context)).clientAuth(clientAuth).build().createEngine(null);
	}

	private static SSLEngine client(String... protocols) throws Exception {
		return TlsPair.clientEngine(certificates.context(null, TestCertificates.CA), null, protocols);
	}

	private static byte[] random(int length) {
		byte[] bytes = new byte[length];
		new Random(length).nextBytes(bytes);
		return bytes;
	}

	@Test
	void handshakeCompletesWithTls13() throws Exception {
		try (TlsPair pair = TlsPair.of(server(TlsSettings.ClientAuth.NONE), client())) {
			assertThat(pair.server.negotiated()).isNull();
			pair.exchange();
			assertThat(pair.server.handshakeFinished()).isTrue();
			NegotiatedTls negotiated = pair.server.negotiated();
			assertThat(negotiated.protocol()).isEqualTo("TLSv1.3");
			assertThat(negotiated.cipherSuite()).startsWith("TLS_");
			assertThat(negotiated.peerCertificates()).isEmpty();
			assertThat(pair.client.getSession().getProtocol()).isEqualTo("TLSv1.3");
		}
	}

	@Test
	void handshakeCompletesWithTls12() throws Exception {
		try (TlsPair pair = TlsPair.of(server(TlsSettings.ClientAuth.NONE), client("TLSv1.2"))) {
			pair.exchange();
			assertThat(pair.server.handshakeFinished()).isTrue();
			assertThat(pair.server.negotiated().protocol()).isEqualTo("TLSv1.2");
			assertThat(pair.server.negotiated().cipherSuite()).contains("ECDHE_ECDSA");
		}
	}

	@Test
	void dataFlowsBothWaysIntact() throws Exception {
		byte[] up = random(300_000);
		byte[] down = random(200_000);
		try (TlsPair pair = TlsPair.of(server(TlsSettings.ClientAuth.NONE), client())) {
			pair.exchange();
			pair.clientSends(up);
			assertThat(pair.server.write(ByteBuffer.wrap(down), pair.toPeer)).isTrue();
			pair.exchange();
			assertThat(pair.serverPlaintext.toByteArray()).isEqualTo(up);
			assertThat(pair.clientPlaintext.toByteArray()).isEqualTo(down);
		}
	}

	@Test
	void recordsSplitOneByteAtATimeArriveIntact() throws Exception {
		byte[] up = random(40_000);
		try (TlsPair pair = TlsPair.of(server(TlsSettings.ClientAuth.NONE), client("TLSv1.2"))) {
			pair.chunk = 1;
			pair.exchange();
			assertThat(pair.server.handshakeFinished()).isTrue();
			pair.clientSends(up);
			pair.exchange();
			assertThat(pair.serverPlaintext.toByteArray()).isEqualTo(up);
		}
	}

	@Test
	void manyRecordsInOneChunkArriveInOrderInFewCalls() throws Exception {
		try (TlsPair pair = TlsPair.of(server(TlsSettings.ClientAuth.NONE), client())) {
			pair.exchange();
			StringBuilder expected = new StringBuilder();
			ByteBuffer all = ByteBuffer.allocate(64 * 1024);
			for (int i = 0; i < 200; i++) {
				String line = "record " + i + "\n";
				expected.append(line);
				pair.clientSends(line.getBytes(StandardCharsets.US_ASCII));
				all.put(pair.clientWraps());
			}
			int callsBefore = pair.plaintextCalls;
			pair.serverReceives(java.util.Arrays.copyOf(all.array(), all.position()));
			assertThat(pair.serverPlaintext.toString(StandardCharsets.US_ASCII)).isEqualTo(expected.toString());
			assertThat(pair.plaintextCalls - callsBefore).as("deliveries for 200 small records").isLessThan(20);
		}
	}

	@Test
	void delegatedTasksRunOffTheCallingThread() throws Exception {
		try (TlsPair pair = TlsPair.of(server(TlsSettings.ClientAuth.NONE), client())) {
			pair.exchange();
			assertThat(pair.sawTaskWait).isTrue();
			assertThat(pair.taskThreads).isNotEmpty().doesNotContain(Thread.currentThread());
			assertThat(pair.taskThreads).allSatisfy((thread) -> assertThat(thread.isVirtual()).isTrue());
		}
	}

	@Test
	void mutualTlsNeedExposesTheClientsChain() throws Exception {
		SSLEngine client = TlsPair.clientEngine(certificates.context("client", TestCertificates.CA), null);
		try (TlsPair pair = TlsPair.of(server(TlsSettings.ClientAuth.NEED), client)) {
			pair.exchange();
			List<X509Certificate> chain = pair.server.negotiated().peerCertificates();
			assertThat(chain).hasSize(2);
			assertThat(chain.get(0).getSubjectX500Principal().getName()).isEqualTo("CN=client");
			assertThat(chain.get(1)).isEqualTo(certificates.x509(TestCertificates.CA));
		}
	}

	@Test
	void mutualTlsNeedRefusesAClientWithoutCertificateAndTellsIt() throws Exception {
		try (TlsPair pair = TlsPair.of(server(TlsSettings.ClientAuth.NEED), client())) {
			Throwable failure = catchThrowable(pair::exchange);
			assertThat(failure).isInstanceOf(TlsException.class).hasMessageStartingWith("TLS handshake failed: ");
			assertThat(((TlsException) failure).duringHandshake()).isTrue();
			assertThatExceptionOfType(SSLHandshakeException.class).isThrownBy(pair::clientUnwraps);
		}
	}

	@Test
	void mutualTlsNeedRefusesAClientOfAnotherCa() throws Exception {
		SSLEngine client = TlsPair.clientEngine(certificates.context("intruder", TestCertificates.CA), null);
		try (TlsPair pair = TlsPair.of(server(TlsSettings.ClientAuth.NEED), client)) {
			assertThatExceptionOfType(TlsException.class).isThrownBy(pair::exchange)
				.satisfies((ex) -> assertThat(ex.duringHandshake()).isTrue());
			assertThat(pair.server.handshakeFinished()).isFalse();
		}
	}

	@Test
	void mutualTlsWantAcceptsAClientWithoutCertificate() throws Exception {
		try (TlsPair pair = TlsPair.of(server(TlsSettings.ClientAuth.WANT), client())) {
			pair.exchange();
			assertThat(pair.server.handshakeFinished()).isTrue();
			assertThat(pair.server.negotiated().peerCertificates()).isEmpty();
		}
	}

	@Test
	void clientDataSentWithItsFinishedWaitsOutTheTaskAndArrives() throws Exception {
		List<Runnable> held = new ArrayList<>();
		Executor gate = held::add;
		SSLEngine client = TlsPair.clientEngine(certificates.context("client", TestCertificates.CA), null);
		try (TlsPair pair = TlsPair.of(server(TlsSettings.ClientAuth.NEED), client, gate, 1024)) {
			pair.serverReceives(pair.clientWraps());
			runHeld(held, pair);
			pair.clientSends("sent with Finished".getBytes(StandardCharsets.US_ASCII));
			java.io.ByteArrayOutputStream flight = new java.io.ByteArrayOutputStream();
			while (pair.client.getHandshakeStatus() != javax.net.ssl.SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING) {
				pair.clientUnwraps();
				flight.writeBytes(pair.clientWraps());
			}
			assertThat(pair.server.handshakeFinished()).isFalse();
			pair.serverReceives(flight.toByteArray());
			assertThat(pair.server.waitingForTask()).isTrue();
			assertThat(pair.server.write(ByteBuffer.wrap("early reply".getBytes(StandardCharsets.US_ASCII)), pair.toPeer))
				.isTrue();
			runHeld(held, pair);
			pair.exchange();
			assertThat(pair.serverPlaintext.toString(StandardCharsets.US_ASCII)).isEqualTo("sent with Finished");
			assertThat(pair.clientPlaintext.toString(StandardCharsets.US_ASCII)).isEqualTo("early reply");
		}
	}

	private static void runHeld(List<Runnable> held, TlsPair pair) throws Exception {
		while (!held.isEmpty()) {
			held.remove(0).run();
			pair.resumeServer();
		}
	}

	@Test
	void ciphertextArrivingWhileATaskRunsIsBounded() throws Exception {
		List<Runnable> held = new ArrayList<>();
		try (TlsPair pair = TlsPair.of(server(TlsSettings.ClientAuth.NONE), client(), held::add, 1024)) {
			pair.serverReceives(pair.clientWraps());
			assertThat(pair.server.waitingForTask()).isTrue();
			byte[] flood = new byte[16 * 1024];
			Throwable failure = null;
			for (int i = 0; i < 10 && failure == null; i++) {
				failure = catchThrowable(() -> pair.serverReceives(flood));
			}
			assertThat(failure).isInstanceOf(TlsException.class).hasMessageContaining("a handshake task was running");
			assertThat(pair.server.allocatedBytes()).isLessThanOrEqualTo(TlsEngineDriver.STASHED_RECORDS * 17_000 + 40_000);
		}
	}

	@Test
	void closeNotifyFromTheServerEndsTheClientsStream() throws Exception {
		try (TlsPair pair = TlsPair.of(server(TlsSettings.ClientAuth.NONE), client())) {
			pair.exchange();
			assertThat(pair.server.write(ByteBuffer.wrap("bye".getBytes(StandardCharsets.US_ASCII)), pair.toPeer))
				.isTrue();
			pair.server.close(pair.toPeer);
			assertThat(pair.server.outboundDone()).isTrue();
			pair.clientUnwraps();
			assertThat(pair.clientPlaintext.toString(StandardCharsets.US_ASCII)).isEqualTo("bye");
			assertThat(pair.client.isInboundDone()).isTrue();
			assertThatExceptionOfType(IllegalStateException.class)
				.isThrownBy(() -> pair.server.write(ByteBuffer.wrap(new byte[1]), pair.toPeer));
		}
	}

	@Test
	void closeNotifyFromTheClientIsTheEndOfItsStream() throws Exception {
		try (TlsPair pair = TlsPair.of(server(TlsSettings.ClientAuth.NONE), client())) {
			pair.exchange();
			pair.clientSends("last words".getBytes(StandardCharsets.US_ASCII));
			pair.serverReceives(pair.clientWraps());
			assertThat(pair.server.peerClosed()).isFalse();
			pair.client.closeOutbound();
			pair.serverReceives(pair.clientWraps());
			assertThat(pair.server.peerClosed()).isTrue();
			assertThat(pair.serverPlaintext.toString(StandardCharsets.US_ASCII)).isEqualTo("last words");
			assertThat(pair.server.write(ByteBuffer.wrap("after".getBytes(StandardCharsets.US_ASCII)), pair.toPeer))
				.as("TLS 1.3 lets the server go on writing after the client's close_notify")
				.isTrue();
			pair.clientUnwraps();
			assertThat(pair.clientPlaintext.toString(StandardCharsets.US_ASCII)).isEqualTo("after");
		}
	}

	@Test
	void plaintextSentToATlsPortFails() throws Exception {
		try (TlsPair pair = TlsPair.of(server(TlsSettings.ClientAuth.NONE), client())) {
			assertThatExceptionOfType(TlsException.class)
				.isThrownBy(() -> pair.serverReceives("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII)))
				.satisfies((ex) -> assertThat(ex.duringHandshake()).isTrue());
		}
	}

	@Test
	void plaintextSentToAPortThatChoosesByServerNameMeetsTheDefaultEngineAndFails() throws Exception {
		SSLContext context = certificates.context("localhost", null);
		TlsSettings settings = TlsSettings.builder(() -> TlsContext.of("default", context))
			.serverName("api.example.com", () -> TlsContext.of("api", context))
			.build();
		try (TlsPair pair = TlsPair.of(settings, client())) {
			assertThatExceptionOfType(TlsException.class)
				.isThrownBy(() -> pair.serverReceives("PING\r\n".getBytes(StandardCharsets.US_ASCII)))
				.satisfies((ex) -> assertThat(ex.duringHandshake()).isTrue());
			assertThat(pair.server.sslSession()).isNotNull();
		}
	}

	@Test
	void garbageFailsWithoutGrowingTheBuffers() throws Exception {
		try (TlsPair pair = TlsPair.of(server(TlsSettings.ClientAuth.NONE), client())) {
			pair.exchange();
			byte[] garbage = random(1 << 20);
			garbage[0] = 23;
			garbage[1] = 3;
			garbage[2] = 3;
			long before = pair.server.allocatedBytes();
			assertThatExceptionOfType(TlsException.class).isThrownBy(() -> pair.serverReceives(garbage))
				.satisfies((ex) -> assertThat(ex.duringHandshake()).isFalse());
			assertThat(pair.server.allocatedBytes()).isEqualTo(before);
		}
	}

	@Test
	void aRecordHeaderClaimingTooMuchFailsAtOnce() throws Exception {
		try (TlsPair pair = TlsPair.of(server(TlsSettings.ClientAuth.NONE), client())) {
			byte[] header = { 22, 3, 3, (byte) 0xff, (byte) 0xff };
			assertThatExceptionOfType(TlsException.class).isThrownBy(() -> pair.serverReceives(header));
			assertThat(pair.server.allocatedBytes()).isLessThan(64 * 1024);
		}
	}

	@Test
	void plaintextWrittenBeforeTheHandshakeIsBoundedAndSentAfterIt() throws Exception {
		try (TlsPair pair = TlsPair.of(server(TlsSettings.ClientAuth.NONE), client(), null, 100)) {
			assertThat(pair.server.write(ByteBuffer.wrap(new byte[60]), pair.toPeer)).isTrue();
			ByteBuffer tooMuch = ByteBuffer.wrap(new byte[41]);
			assertThat(pair.server.write(tooMuch, pair.toPeer)).isFalse();
			assertThat(tooMuch.remaining()).isEqualTo(41);
			assertThat(pair.server.write(ByteBuffer.wrap(random(40)), pair.toPeer)).isTrue();
			pair.exchange();
			byte[] expected = new byte[100];
			System.arraycopy(random(40), 0, expected, 60, 40);
			assertThat(pair.clientPlaintext.toByteArray()).isEqualTo(expected);
		}
	}

	@Test
	void closeDuringTheHandshakeWaitsForPendingPlaintext() throws Exception {
		try (TlsPair pair = TlsPair.of(server(TlsSettings.ClientAuth.NONE), client(), null, 100)) {
			assertThat(pair.server.write(ByteBuffer.wrap("greeting".getBytes(StandardCharsets.US_ASCII)), pair.toPeer))
				.isTrue();
			pair.server.close(pair.toPeer);
			assertThat(pair.server.outboundDone()).isFalse();
			pair.exchange();
			assertThat(pair.server.outboundDone()).isTrue();
			assertThat(pair.clientPlaintext.toString(StandardCharsets.US_ASCII)).isEqualTo("greeting");
			assertThat(pair.client.isInboundDone()).isTrue();
		}
	}

	@Test
	void serverNameChoosesTheContextAndFallsBackToTheDefault() throws Exception {
		SSLContext fallback = certificates.context("localhost", null);
		SSLContext api = certificates.context("api.example.com", null);
		TlsSettings settings = TlsSettings.builder(() -> TlsContext.of("default", fallback))
			.serverName("*.example.com", () -> TlsContext.of("api", api))
			.build();
		SSLContext trusting = certificates.context(null, TestCertificates.CA);
		assertThat(subject(settings, TlsPair.clientEngine(trusting, "api.example.com"), 1)).isEqualTo("CN=api.example.com");
		assertThat(subject(settings, TlsPair.clientEngine(trusting, "www.example.com"), Integer.MAX_VALUE))
			.isEqualTo("CN=api.example.com");
		assertThat(subject(settings, TlsPair.clientEngine(trusting, "a.b.example.com"), 7)).isEqualTo("CN=localhost");
		assertThat(subject(settings, TlsPair.clientEngine(trusting, null), Integer.MAX_VALUE)).isEqualTo("CN=localhost");
	}

	private static String subject(TlsSettings settings, SSLEngine client, int chunk) throws Exception {
		try (TlsPair pair = TlsPair.of(settings, client)) {
			pair.chunk = chunk;
			pair.exchange();
			X509Certificate presented = (X509Certificate) client.getSession().getPeerCertificates()[0];
			List<javax.net.ssl.SNIServerName> names = client.getSSLParameters().getServerNames();
			String requested = (names == null || names.isEmpty()) ? null
					: ((javax.net.ssl.SNIHostName) names.get(0)).getAsciiName();
			assertThat(pair.server.negotiated().serverName()).isEqualTo(requested);
			return presented.getSubjectX500Principal().getName();
		}
	}

	@Test
	void betweenCallsOnlyKeptInputHoldsABufferAndReleaseGivesItBack() throws Exception {
		try (TlsPair pair = TlsPair.of(server(TlsSettings.ClientAuth.NONE), client())) {
			pair.exchange();
			pair.clientSends(random(40_000));
			pair.exchange();
			assertThat(pair.serverPlaintext.size()).isEqualTo(40_000);
			assertThat(pair.server.allocatedBytes()).as("buffers held between calls after an exchange").isZero();
		}
		List<Runnable> held = new ArrayList<>();
		TlsPair pair = TlsPair.of(server(TlsSettings.ClientAuth.NONE), client(), held::add, 1024);
		pair.serverReceives(pair.clientWraps());
		assertThat(pair.server.waitingForTask()).isTrue();
		pair.serverReceives(new byte[100]);
		assertThat(pair.server.allocatedBytes()).as("input kept while a task runs").isPositive();
		pair.close();
		pair.close();
		assertThat(pair.server.allocatedBytes()).isZero();
	}

}
