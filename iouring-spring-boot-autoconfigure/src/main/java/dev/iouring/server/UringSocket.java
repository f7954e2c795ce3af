package dev.iouring.server;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;

import org.jspecify.annotations.Nullable;

import dev.iouring.ring.Cqe;
import dev.iouring.ring.Errno;
import dev.iouring.ring.NativeCallException;
import dev.iouring.ring.SocketStructs;
import dev.iouring.ring.Sockets;
import dev.iouring.ring.UnixSockets;

/**
 * The io_uring half of one connection: its socket descriptor, its slot in the loop's table, and the
 * requests it has in the kernel. It turns the connection's completions into events for the
 * {@link ConnectionCore} and the core's wishes into submissions: a multishot receive into the loop's
 * buffer ring while the connection wants to read, one send (or sendmsg over up to 16 chunks) at a time.
 *
 * <p>Backpressure: a multishot receive may still complete after the connection stopped reading. Those
 * buffers are held, undelivered and in order ({@link HeldReceives}), and delivered when it reads again;
 * past the loop's hold budget they are delivered at once instead, so a slow peer never starves the
 * others of buffers.
 *
 * <p>Requests in the kernel are counted in {@code pendingOps}; the descriptor is closed and the slot
 * freed only when the connection is closed and that count is zero, so no completion can ever reach a
 * later connection in the same slot (the slot's generation is in every request's user data too).
 *
 * <p>Threads: the loop thread only, except the address methods.
 */
final class UringSocket implements ConnectionIo {

	/** MSG_NOSIGNAL (include/linux/socket.h): a send to a closed peer returns EPIPE instead of SIGPIPE. */
	private static final int MSG_NOSIGNAL = 0x4000;

	private final UringEventLoop loop;

	final int slot;

	final int generation;

	int fd;

	private final HeldReceives held;

	/** Set right after the core opened the connection. */
	@Nullable ServedConnection connection;

	/** Requests in the kernel for this connection; the slot is freed when it reaches zero after close. */
	int pendingOps;

	private boolean recvArmed;

	private boolean recvCancelRequested;

	private boolean sendInFlight;

	/** A receive failed with ENOBUFS: it waits in the loop's starved queue to be armed again. */
	boolean starved;

	private volatile @Nullable InetSocketAddress remoteAddress;

	private volatile @Nullable InetSocketAddress localAddress;

	/** The listener's Unix socket, or {@code null} on TCP. */
	private final @Nullable UnixSocket unixSocket;

	private volatile @Nullable PeerCredentials credentials;

	UringSocket(UringEventLoop loop, int slot, int generation, int fd, HeldReceives.Budget budget,
			@Nullable UnixSocket unixSocket) {
		this.loop = loop;
		this.unixSocket = unixSocket;
		this.slot = slot;
		this.generation = generation;
		this.fd = fd;
		this.held = new HeldReceives(budget);
	}

	long userData(int op) {
		return UserData.encode(op, this.slot, this.generation);
	}

	// ---- receive ----

	@Override
	public void readingChanged(ServedConnection connection) {
		if (connection.state != ServedConnection.OPEN) {
			recycleHeld();
		}
		else {
			deliverHeld(connection);
		}
		if (connection.state == ServedConnection.CLOSED) {
			return;
		}
		if (ConnectionCore.wantsToRead(connection)) {
			if (!this.recvArmed) {
				armRecv();
			}
		}
		else {
			cancelRecv();
		}
	}

	/** Arms a receive again if the connection still wants one (after a cancel, or when buffers returned). */
	void rearmIfReading(ServedConnection connection) {
		if (!this.recvArmed && connection.state != ServedConnection.CLOSED && ConnectionCore.wantsToRead(connection)) {
			armRecv();
		}
	}

	private void armRecv() {
		this.loop.sq.prepMultishotRecv(this.fd, UringEventLoop.BUFFER_GROUP, userData(UserData.RECV));
		this.recvArmed = true;
		this.recvCancelRequested = false;
		this.pendingOps++;
	}

	private void cancelRecv() {
		if (this.recvArmed && !this.recvCancelRequested) {
			this.recvCancelRequested = true;
			this.loop.sq.prepCancel(userData(UserData.RECV), userData(UserData.CANCEL));
			this.pendingOps++;
		}
	}

	void onRecv(ServedConnection connection, int res, int flags) {
		if (!Cqe.hasMore(flags)) {
			this.recvArmed = false;
			this.pendingOps--;
		}
		if (Cqe.hasBuffer(flags)) {
			received(connection, Cqe.bufferId(flags), res);
		}
		if (res > 0) {
			rearmIfReading(connection);
		}
		else if (res == 0) {
			if (this.held.isEmpty() || connection.state != ServedConnection.OPEN) {
				this.loop.core.endOfStream(connection);
			}
			else {
				// Delivered after what is held, in order.
				connection.peerClosed = true;
			}
		}
		else if (res == -Errno.ENOBUFS) {
			this.loop.stats.buffersExhausted.increment();
			if (!this.starved && connection.state != ServedConnection.CLOSED && ConnectionCore.wantsToRead(connection)) {
				this.starved = true;
				this.loop.starved(this);
			}
		}
		else if (res == -Errno.ECANCELED) {
			rearmIfReading(connection);
		}
		else {
			socketFailed(connection, "recv", res);
		}
	}

	private void received(ServedConnection connection, int bid, int length) {
		this.loop.buffers.taken();
		boolean holding = length > 0 && connection.state == ServedConnection.OPEN
				&& (!this.held.isEmpty() || connection.unwritable);
		if (holding && this.loop.holdBudget.canHold()) {
			// Backpressure: keep the bytes in their ring buffer, undelivered, until the peer catches up.
			this.held.add(bid, length);
			return;
		}
		try {
			if (holding) {
				// Past the loop's budget: deliver what is held, in order, then these bytes (the queue
				// overshoots the high water mark by the rest of the burst) so the buffers come back.
				while (!this.held.isEmpty() && connection.state == ServedConnection.OPEN) {
					deliverOldestHeld(connection);
				}
			}
			if (length > 0) {
				deliver(connection, bid, length);
			}
		}
		finally {
			this.loop.buffers.recycle(bid);
		}
	}

	private void deliver(ServedConnection connection, int bid, int length) {
		this.loop.core.received(connection, this.loop.view(bid, length));
	}

	/** Delivers held buffers in order while the connection stays writable; then a deferred end of stream. */
	private void deliverHeld(ServedConnection connection) {
		while (!this.held.isEmpty() && !connection.unwritable && connection.state == ServedConnection.OPEN) {
			deliverOldestHeld(connection);
		}
		if (this.held.isEmpty() && connection.peerClosed && connection.state == ServedConnection.OPEN) {
			this.loop.core.endOfStream(connection);
		}
	}

	private void deliverOldestHeld(ServedConnection connection) {
		long entry = this.held.poll();
		int bid = HeldReceives.bufferId(entry);
		try {
			deliver(connection, bid, HeldReceives.length(entry));
		}
		finally {
			this.loop.buffers.recycle(bid);
		}
	}

	private void recycleHeld() {
		while (!this.held.isEmpty()) {
			this.loop.buffers.recycle(HeldReceives.bufferId(this.held.poll()));
		}
	}

	// ---- send ----

	@Override
	public void send(ServedConnection connection) {
		if (this.sendInFlight || this.fd < 0) {
			return;
		}
		OutboundQueue outbound = connection.outbound;
		long userData = userData(UserData.SEND);
		if (outbound.chunkCount() == 1) {
			this.loop.sq.prepSend(this.fd, outbound.firstAddress(), outbound.firstLength(), MSG_NOSIGNAL, userData);
		}
		else {
			MemorySegment message = this.loop.slots.messageHeader(this.slot);
			MemorySegment iovecs = message.asSlice(SocketStructs.MSGHDR_SIZE);
			int count = outbound.prepareIovecs(iovecs, OutboundQueue.MAX_GATHER);
			message.set(ValueLayout.JAVA_LONG, SocketStructs.MSGHDR_IOVLEN, count);
			this.loop.sq.prepSendmsg(this.fd, message.address(), MSG_NOSIGNAL, userData);
		}
		this.sendInFlight = true;
		this.pendingOps++;
	}

	@Override
	public boolean sending() {
		return this.sendInFlight;
	}

	void onSend(ServedConnection connection, int res) {
		this.sendInFlight = false;
		this.pendingOps--;
		if (connection.state == ServedConnection.CLOSED) {
			return;
		}
		if (res < 0) {
			socketFailed(connection, "send", res);
			return;
		}
		this.loop.core.sent(connection, res);
		if (connection.state != ServedConnection.CLOSED && !connection.outbound.isEmpty()) {
			send(connection);
		}
	}

	void onCancel() {
		this.pendingOps--;
	}

	private void socketFailed(ServedConnection connection, String op, int res) {
		boolean peerGone = res == -Errno.ECONNRESET || res == -Errno.EPIPE || res == -Errno.ETIMEDOUT;
		this.loop.core.socketFailed(connection, op, peerGone, Errno.name(res));
	}

	// ---- close ----

	@Override
	public void shutdownOutput(ServedConnection connection) {
		Sockets.shutdown(this.fd, Sockets.SHUT_WR);
	}

	/**
	 * On a Unix socket every byte sent is in the peer's receive queue at once, and a close does not
	 * discard it (the peer reads it before the reset), so nothing waits for an acknowledgement; SIOCOUTQ
	 * there counts what the peer has not read yet, which is not what lingering close asks.
	 */
	@Override
	public long unacknowledgedBytes() {
		return (this.fd < 0 || this.unixSocket != null) ? 0 : Sockets.unacknowledgedBytes(this.fd);
	}

	@Override
	public void close(ServedConnection connection) {
		recycleHeld();
		if (this.recvArmed || this.sendInFlight) {
			this.loop.sq.prepCancelFd(this.fd, userData(UserData.CANCEL));
			this.pendingOps++;
		}
		releaseIfDone(connection);
	}

	/** Closes the descriptor and frees the slot once the connection is closed and nothing is in the kernel. */
	void releaseIfDone(ServedConnection connection) {
		if (connection.state != ServedConnection.CLOSED || this.pendingOps > 0 || this.fd < 0) {
			return;
		}
		Sockets.close(this.fd);
		this.fd = -1;
		this.loop.slots.free(this.slot);
	}

	@Override
	public void abandon() {
		if (this.fd >= 0) {
			Sockets.close(this.fd);
			this.fd = -1;
		}
	}

	// ---- addresses ----

	@Override
	public @Nullable InetSocketAddress remoteAddress() {
		if (this.unixSocket != null) {
			return null;
		}
		InetSocketAddress address = this.remoteAddress;
		if (address == null) {
			address = this.loop.callOnLoop(() -> address(false));
			this.remoteAddress = address;
		}
		return address;
	}

	@Override
	public @Nullable InetSocketAddress localAddress() {
		if (this.unixSocket != null) {
			return null;
		}
		InetSocketAddress address = this.localAddress;
		if (address == null) {
			address = this.loop.callOnLoop(() -> address(true));
			this.localAddress = address;
		}
		return address;
	}

	/**
	 * Asks the socket for an address, on the loop. A peer that already reset makes getpeername fail
	 * (ENOTCONN): that is the peer's doing, so the answer is {@code null}, never an exception.
	 */
	private @Nullable InetSocketAddress address(boolean local) {
		ServedConnection connection = this.connection;
		if (this.fd < 0 || (connection != null && connection.state == ServedConnection.CLOSED)) {
			return null;
		}
		try {
			return local ? Sockets.localAddress(this.fd) : Sockets.remoteAddress(this.fd);
		}
		catch (NativeCallException ex) {
			return null;
		}
	}

	@Override
	public @Nullable PeerCredentials peerCredentials() {
		if (this.unixSocket == null) {
			return null;
		}
		PeerCredentials credentials = this.credentials;
		if (credentials == null) {
			credentials = this.loop.callOnLoop(this::askCredentials);
			this.credentials = credentials;
		}
		return credentials;
	}

	/** Asks the kernel on the loop, where the descriptor cannot be closed under the call. */
	private @Nullable PeerCredentials askCredentials() {
		ServedConnection connection = this.connection;
		if (this.fd < 0 || (connection != null && connection.state == ServedConnection.CLOSED)) {
			return null;
		}
		try {
			UnixSockets.Credentials ucred = UnixSockets.peerCredentials(this.fd);
			return new PeerCredentials(ucred.pid(), Integer.toUnsignedLong(ucred.uid()),
					Integer.toUnsignedLong(ucred.gid()), null, null);
		}
		catch (NativeCallException ex) {
			return null;
		}
	}

	@Override
	public String describe() {
		return "";
	}

}
