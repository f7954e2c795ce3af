package dev.iouring.server;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLParameters;

import org.jspecify.annotations.Nullable;

/**
 * A server {@link TlsSession} and a client {@link SSLEngine} wired together in memory, the test playing
 * the connection's loop: it feeds the session what the client wrapped (in chunks of a chosen size),
 * runs {@link TlsSession#resume} when delegated tasks report back, and unwraps on the client what the
 * session sent. No sockets: this checks the stage alone; the loops' tests check it over the network.
 */
public final class TlsPair implements AutoCloseable {

	/** Longest wait for a delegated task to report back. */
	private static final Duration TASK_DEADLINE = Duration.ofSeconds(30);

	final TlsSession server;

	final SSLEngine client;

	final ByteArrayOutputStream serverPlaintext = new ByteArrayOutputStream();

	final ByteArrayOutputStream clientPlaintext = new ByteArrayOutputStream();

	final List<Thread> taskThreads = new CopyOnWriteArrayList<>();

	final LinkedBlockingQueue<Boolean> tasksDone = new LinkedBlockingQueue<>();

	int plaintextCalls;

	/** Bytes per {@link TlsSession#received} call. */
	int chunk = Integer.MAX_VALUE;

	boolean sawTaskWait;

	private final ByteArrayOutputStream toClient = new ByteArrayOutputStream();

	private ByteBuffer clientIn = ByteBuffer.allocate(64 * 1024).flip();

	private ByteBuffer clientOut = ByteBuffer.allocate(0);

	final TlsSink plaintextUp = (segment, offset, length) -> {
		this.plaintextCalls++;
		this.serverPlaintext.writeBytes(segment.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE));
	};

	final TlsSink toPeer = (segment, offset, length) -> this.toClient
		.writeBytes(segment.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE));

	private TlsPair(@Nullable SSLEngine serverEngine, @Nullable TlsSettings settings, SSLEngine client,
			@Nullable Executor offLoop, int maxPendingPlaintext) {
		Executor tasks = (offLoop != null) ? offLoop : (task) -> Thread.ofVirtual().name("tls-task").start(() -> {
			this.taskThreads.add(Thread.currentThread());
			task.run();
		});
		Runnable done = () -> this.tasksDone.add(Boolean.TRUE);
		this.server = (serverEngine != null) ? new TlsSession(serverEngine, tasks, done, maxPendingPlaintext)
				: new TlsSession(settings, null, tasks, done, maxPendingPlaintext);
		this.client = client;
	}

	static TlsPair of(SSLEngine serverEngine, SSLEngine client) {
		return new TlsPair(serverEngine, null, client, null, 64 * 1024);
	}

	static TlsPair of(SSLEngine serverEngine, SSLEngine client, Executor offLoop, int maxPendingPlaintext) {
		return new TlsPair(serverEngine, null, client, offLoop, maxPendingPlaintext);
	}

	static TlsPair of(TlsSettings settings, SSLEngine client) {
		return new TlsPair(null, settings, client, null, 64 * 1024);
	}

	/**
	 * A client engine for a context, asking for a host name (SNI) when one is given.
	 * @param context the client's context
	 * @param serverName the host name to send, or {@code null} for none
	 * @param protocols the protocols to enable, or none for the defaults
	 */
	public static SSLEngine clientEngine(SSLContext context, @Nullable String serverName, String... protocols) {
		SSLEngine engine = context.createSSLEngine();
		engine.setUseClientMode(true);
		SSLParameters parameters = engine.getSSLParameters();
		if (serverName != null) {
			parameters.setServerNames(List.of(new SNIHostName(serverName)));
		}
		if (protocols.length > 0) {
			parameters.setProtocols(protocols);
		}
		engine.setSSLParameters(parameters);
		try {
			engine.beginHandshake();
		}
		catch (javax.net.ssl.SSLException ex) {
			throw new IllegalStateException(ex);
		}
		return engine;
	}

	/**
	 * Runs a handshake between a listener's TLS and a client, and returns the chain the server presented.
	 * @param settings the listener's TLS
	 * @param client the client engine
	 * @return the server's certificates as the client saw them
	 */
	public static Certificate[] serverChain(TlsSettings settings, SSLEngine client) throws Exception {
		try (TlsPair pair = of(settings, client)) {
			pair.exchange();
			if (!pair.server.handshakeFinished()) {
				throw new AssertionError("handshake did not finish");
			}
			return client.getSession().getPeerCertificates();
		}
	}

	/** Queues plaintext for the client to send on the next exchange. */
	void clientSends(byte[] data) {
		ByteBuffer grown = ByteBuffer.allocate(this.clientOut.remaining() + data.length);
		grown.put(this.clientOut).put(data).flip();
		this.clientOut = grown;
	}

	/** Wraps everything the client has to send (handshake messages, queued plaintext) into bytes. */
	byte[] clientWraps() throws Exception {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		ByteBuffer net = ByteBuffer.allocate(this.client.getSession().getPacketBufferSize());
		while (true) {
			runClientTasks();
			boolean data = this.clientOut.hasRemaining()
					&& this.client.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING;
			if (!data && this.client.getHandshakeStatus() != HandshakeStatus.NEED_WRAP) {
				return out.toByteArray();
			}
			net.clear();
			SSLEngineResult result = this.client.wrap(data ? this.clientOut : ByteBuffer.allocate(0), net);
			out.write(net.array(), 0, net.position());
			if (result.bytesProduced() == 0) {
				return out.toByteArray();
			}
		}
	}

	/** Feeds bytes to the server in chunks, answering task hand-backs as the loop would. */
	void serverReceives(byte[] bytes) throws Exception {
		for (int at = 0; at < bytes.length; at += this.chunk) {
			int length = Math.min(this.chunk, bytes.length - at);
			this.server.received(ByteBuffer.wrap(bytes, at, length).slice(), this.plaintextUp, this.toPeer);
			if (this.server.waitingForTask()) {
				this.sawTaskWait = true;
			}
		}
	}

	/** Waits for the server's delegated tasks to report back, then resumes it, as the loop would. */
	boolean resumeServer() throws Exception {
		if (!this.server.waitingForTask()) {
			return false;
		}
		if (this.tasksDone.poll(TASK_DEADLINE.toMillis(), TimeUnit.MILLISECONDS) == null) {
			throw new AssertionError("delegated tasks did not report back within " + TASK_DEADLINE);
		}
		this.server.resume(this.plaintextUp, this.toPeer);
		return true;
	}

	/** Unwraps on the client what the server sent; returns whether it consumed anything. */
	boolean clientUnwraps() throws Exception {
		byte[] sent = this.toClient.toByteArray();
		this.toClient.reset();
		ByteBuffer in = ByteBuffer.allocate(this.clientIn.remaining() + sent.length);
		in.put(this.clientIn).put(sent).flip();
		this.clientIn = in;
		ByteBuffer app = ByteBuffer.allocate(this.client.getSession().getApplicationBufferSize());
		boolean consumed = false;
		while (in.hasRemaining() && !this.client.isInboundDone()
				&& this.client.getHandshakeStatus() != HandshakeStatus.NEED_WRAP) {
			SSLEngineResult result = this.client.unwrap(in, app);
			runClientTasks();
			this.clientPlaintext.write(app.array(), 0, app.position());
			app.clear();
			consumed |= result.bytesConsumed() > 0;
			if (result.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW
					|| (result.bytesConsumed() == 0 && result.bytesProduced() == 0)) {
				break;
			}
		}
		return consumed;
	}

	/** Moves bytes both ways until neither side has anything more to say. */
	void exchange() throws Exception {
		for (int round = 0; round < 100_000; round++) {
			byte[] wrapped = clientWraps();
			serverReceives(wrapped);
			boolean resumed = resumeServer();
			boolean unwrapped = clientUnwraps();
			if (wrapped.length == 0 && !resumed && !unwrapped) {
				return;
			}
		}
		throw new AssertionError("client and server kept talking");
	}

	private void runClientTasks() {
		for (Runnable task = this.client.getDelegatedTask(); task != null; task = this.client.getDelegatedTask()) {
			task.run();
		}
	}

	@Override
	public void close() {
		this.server.release();
	}

}
