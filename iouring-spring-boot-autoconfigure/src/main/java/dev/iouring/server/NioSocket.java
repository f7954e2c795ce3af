package dev.iouring.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.jspecify.annotations.Nullable;

/**
 * The NIO half of one connection: its channel and selection key. Interest follows the core's state:
 * {@code OP_READ} while the connection wants bytes, {@code OP_WRITE} only while the socket refused part of
 * the outbound queue. Pausing a connection is dropping {@code OP_READ}: unread bytes wait in the kernel,
 * so nothing received is ever dropped.
 *
 * <p>Threads: the loop thread only, except the address and credentials methods (NIO channels answer
 * those from any thread; the answer is kept, as it cannot change).
 */
final class NioSocket implements ConnectionIo {

	/** Reads of one connection per turn, so one fast sender cannot starve the loop's other connections. */
	private static final int MAX_READS_PER_TURN = 16;

	final SocketChannel channel;

	private final NioEventLoop loop;

	private @Nullable SelectionKey key;

	/** The interest set last given to {@link #key}. */
	private int interestOps;

	/** The socket's send buffer was full: OP_WRITE is wanted until the queue is empty. */
	private boolean waitingForSocket;

	private volatile @Nullable InetSocketAddress remoteAddress;

	private volatile @Nullable InetSocketAddress localAddress;

	/** Whether the channel is a Unix domain socket's. */
	private final boolean unix;

	private volatile @Nullable PeerCredentials credentials;

	NioSocket(NioEventLoop loop, SocketChannel channel, boolean unix) {
		this.loop = loop;
		this.channel = channel;
		this.unix = unix;
	}

	void register(SelectionKey key) {
		this.key = key;
		this.interestOps = key.interestOps();
	}

	@Override
	public void readingChanged(ServedConnection connection) {
		if (connection.state == ServedConnection.CLOSED || this.key == null) {
			return;
		}
		int ops = (ConnectionCore.wantsToRead(connection) ? SelectionKey.OP_READ : 0)
				| (this.waitingForSocket ? SelectionKey.OP_WRITE : 0);
		if (ops != this.interestOps) {
			this.interestOps = ops;
			this.key.interestOps(ops);
		}
	}

	/** The selector says the channel is ready: write what it now takes, read what arrived. */
	void ready(ServedConnection connection, int readyOps) {
		if ((readyOps & SelectionKey.OP_WRITE) != 0 && connection.state != ServedConnection.CLOSED) {
			this.waitingForSocket = false;
			send(connection);
		}
		if ((readyOps & SelectionKey.OP_READ) != 0 && connection.state != ServedConnection.CLOSED) {
			read(connection);
		}
	}

	private void read(ServedConnection connection) {
		ByteBuffer buffer = this.loop.readBuffer;
		ConnectionCore core = connection.core;
		for (int i = 0; i < MAX_READS_PER_TURN && ConnectionCore.wantsToRead(connection); i++) {
			buffer.clear();
			int n;
			try {
				n = this.channel.read(buffer);
			}
			catch (IOException ex) {
				failed(connection, "recv", ex);
				return;
			}
			if (n < 0) {
				core.endOfStream(connection);
				break;
			}
			if (n == 0) {
				break;
			}
			core.received(connection, this.loop.view(n));
			if (n < buffer.capacity()) {
				break;
			}
		}
		readingChanged(connection);
	}

	@Override
	public void send(ServedConnection connection) {
		if (this.waitingForSocket) {
			return;
		}
		OutboundQueue queue = connection.outbound;
		ByteBuffer[] gather = this.loop.gather;
		try {
			while (!queue.isEmpty() && connection.state != ServedConnection.CLOSED) {
				long n = this.channel.write(gather, 0, queue.gather(gather));
				if (n == 0) {
					break;
				}
				connection.core.sent(connection, n);
			}
		}
		catch (IOException ex) {
			failed(connection, "send", ex);
			return;
		}
		if (connection.state != ServedConnection.CLOSED) {
			this.waitingForSocket = !queue.isEmpty();
			readingChanged(connection);
		}
	}

	private static void failed(ServedConnection connection, String op, IOException ex) {
		connection.core.socketFailed(connection, op, Failures.isPeerGone(ex), Failures.errorName(ex));
	}

	@Override
	public boolean sending() {
		return false;
	}

	@Override
	public void shutdownOutput(ServedConnection connection) throws IOException {
		this.channel.shutdownOutput();
	}

	/**
	 * NIO gives no descriptor to ask the kernel with: a quiet lingering peer is closed after its quiet
	 * time. On a Unix socket every byte sent is in the peer's receive queue at once, and a close does not
	 * discard it, so nothing waits.
	 */
	@Override
	public long unacknowledgedBytes() {
		return this.unix ? 0 : -1;
	}

	@Override
	public void close(ServedConnection connection) {
		// Closing the channel cancels its key; the descriptor goes at the selector's next select.
		ListenerChannels.closeQuietly(this.channel);
	}

	@Override
	public void abandon() {
		ListenerChannels.closeQuietly(this.channel);
	}

	@Override
	public @Nullable InetSocketAddress remoteAddress() {
		InetSocketAddress address = this.remoteAddress;
		if (address == null) {
			try {
				// A Unix socket's peer has a UnixDomainSocketAddress (usually unnamed): no IP address.
				address = (this.channel.getRemoteAddress() instanceof InetSocketAddress inet) ? inet : null;
				this.remoteAddress = address;
			}
			catch (IOException ex) {
				return null;
			}
		}
		return address;
	}

	@Override
	public @Nullable InetSocketAddress localAddress() {
		InetSocketAddress address = this.localAddress;
		if (address == null) {
			try {
				address = (this.channel.getLocalAddress() instanceof InetSocketAddress inet) ? inet : null;
				this.localAddress = address;
			}
			catch (IOException ex) {
				return null;
			}
		}
		return address;
	}

	/**
	 * The JDK reads SO_PEERCRED as a {@link UnixDomainPrincipal}: the user and group names, with neither
	 * the numbers nor the pid.
	 */
	@Override
	public @Nullable PeerCredentials peerCredentials() {
		if (!this.unix) {
			return null;
		}
		PeerCredentials credentials = this.credentials;
		if (credentials == null) {
			try {
				UnixDomainPrincipal principal = this.channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
				credentials = new PeerCredentials(PeerCredentials.UNKNOWN, PeerCredentials.UNKNOWN,
						PeerCredentials.UNKNOWN, principal.user().getName(), principal.group().getName());
				this.credentials = credentials;
			}
			catch (IOException | UnsupportedOperationException ex) {
				return null;
			}
		}
		return credentials;
	}

	@Override
	public String describe() {
		return ", transport=nio";
	}

}
