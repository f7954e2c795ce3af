package dev.iouring.server;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

import dev.iouring.ring.Cqe;
import dev.iouring.ring.Errno;
import dev.iouring.ring.NativeCallException;
import dev.iouring.ring.Sockets;
import dev.iouring.ring.UnixSockets;

/**
 * The io_uring loop's listening sockets (one per listener; every loop binds the same port with
 * SO_REUSEPORT, or shares the first loop's socket of a Unix listener) and their multishot accepts: it binds them, keeps one accept armed on each, backs off
 * when out of descriptors, and closes them (cancelling the armed accept, which holds its own reference
 * to the socket until the cancel completes).
 *
 * <p>Threads: the loop thread only, except {@link #closeListenSocketsNow()}.
 */
final class UringAcceptor {

	private final UringEventLoop loop;

	private final ListenerRuntime[] listeners;

	private final int[] listenFds;

	private final boolean[] armed;

	final AcceptBackoff backoff = new AcceptBackoff("io_uring");

	UringAcceptor(UringEventLoop loop, ListenerRuntime[] listeners) {
		this.loop = loop;
		this.listeners = listeners;
		this.listenFds = new int[listeners.length];
		Arrays.fill(this.listenFds, -1);
		this.armed = new boolean[listeners.length];
	}

	/** Binds every listener and arms its accept. */
	void open() {
		for (ListenerRuntime listener : this.listeners) {
			this.listenFds[listener.index] = bind(listener);
			arm(listener.index);
		}
	}

	private static int bind(ListenerRuntime listener) {
		if (listener.isUnix()) {
			return bindUnix(listener);
		}
		int port = (listener.boundPort >= 0) ? listener.boundPort : listener.settings.port();
		InetAddress address = listener.settings.address();
		int backlog = listener.settings.backlog();
		// Set before listen, so the window scale offered in the handshake follows the cap.
		int receiveBuffer = listener.settings.socketOptions().receiveBuffer();
		int fd;
		try {
			fd = (address == null) ? bindAnyAddress(port, backlog, receiveBuffer)
					: Sockets.openListener(new InetSocketAddress(address, port), backlog, receiveBuffer);
		}
		catch (NativeCallException ex) {
			if (ex.errno() == Errno.EADDRINUSE) {
				throw new PortInUseException(listener.name(), port, ex);
			}
			throw ex;
		}
		if (listener.boundPort < 0) {
			listener.boundPort = Sockets.localAddress(fd).getPort();
		}
		return fd;
	}

	/**
	 * The first loop binds a Unix listener's socket, sets the file's permissions before it listens (so
	 * nobody can connect while the file has the umask's mode), and keeps the socket; every later loop
	 * accepts on a duplicate of it, and the kernel gives each connection to one of their accepts.
	 */
	private static int bindUnix(ListenerRuntime listener) {
		if (listener.unixListenFd >= 0) {
			return UnixSockets.duplicate(listener.unixListenFd);
		}
		UnixSocket unix = listener.settings.unixSocket();
		int fd;
		try {
			fd = UnixSockets.bind(unix.nameBytes(), unix.abstractNamespace());
		}
		catch (NativeCallException ex) {
			if (ex.errno() == Errno.EADDRINUSE) {
				throw new PortInUseException(listener.name(), unix, "EADDRINUSE: another socket is bound to it", ex);
			}
			throw new IllegalStateException("Unix socket listener '" + listener.name() + "' could not bind " + unix + ": "
					+ ex.getMessage(), ex);
		}
		try {
			if (listener.unixFile != null) {
				listener.unixFile.bound();
			}
			UnixSockets.listen(fd, listener.settings.backlog());
		}
		catch (RuntimeException ex) {
			Sockets.close(fd);
			if (listener.unixFile != null) {
				listener.unixFile.remove();
			}
			throw ex;
		}
		listener.unixListenFd = fd;
		return fd;
	}

	private static int bindAnyAddress(int port, int backlog, int receiveBuffer) {
		try {
			return Sockets.openListener(new InetSocketAddress(Inet6Address.getByName("::"), port), backlog,
					receiveBuffer);
		}
		catch (NativeCallException ex) {
			if (ex.errno() != Errno.EAFNOSUPPORT) {
				throw ex;
			}
		}
		catch (UnknownHostException ex) {
			throw new IllegalStateException(ex);
		}
		return Sockets.openListener(new InetSocketAddress(port), backlog, receiveBuffer);
	}

	/** Re-arms every accept once a back-off is over. */
	void retryIfDue(long now) {
		if (this.backoff.retryDue(now)) {
			for (int i = 0; i < this.listeners.length; i++) {
				arm(i);
			}
		}
	}

	private void arm(int listenerIndex) {
		int fd = this.listenFds[listenerIndex];
		if (fd < 0 || this.armed[listenerIndex] || this.loop.draining || !this.loop.running) {
			return;
		}
		this.loop.sq.prepMultishotAccept(fd, Sockets.SOCK_CLOEXEC, UserData.encode(UserData.ACCEPT, listenerIndex, 0));
		this.armed[listenerIndex] = true;
	}

	void onAccept(int listenerIndex, int res, int flags) {
		if (!Cqe.hasMore(flags)) {
			this.armed[listenerIndex] = false;
		}
		ListenerRuntime listener = this.listeners[listenerIndex];
		if (res >= 0) {
			this.backoff.succeeded(listener.name());
			if (this.loop.draining || !this.loop.running) {
				Sockets.close(res);
			}
			else if (!listener.tryAcquire()) {
				this.loop.listenerStats[listenerIndex].countRejected();
				Sockets.close(res);
			}
			else {
				this.loop.openConnection(listener, res);
			}
		}
		else if (res != -Errno.ECANCELED) {
			this.loop.stats.error("accept", Errno.name(res));
			if (res == -Errno.EMFILE || res == -Errno.ENFILE) {
				this.backoff.failed(listener.name(), Errno.name(res) + " (too many open files)");
				return;
			}
		}
		if (!this.armed[listenerIndex] && !this.backoff.paused()) {
			arm(listenerIndex);
		}
	}

	/** Whether an accept is still in the kernel. */
	boolean anyArmed() {
		for (boolean armed : this.armed) {
			if (armed) {
				return true;
			}
		}
		return false;
	}

	/** Closes the listening sockets through the ring: cancels each armed accept, then closes. */
	void close() {
		for (int i = 0; i < this.listenFds.length; i++) {
			int fd = this.listenFds[i];
			if (fd >= 0) {
				if (this.armed[i]) {
					this.loop.sq.prepCancel(UserData.encode(UserData.ACCEPT, i, 0),
							UserData.encode(UserData.LISTENER_CANCEL, i, 0));
				}
				closeListenSocket(i);
			}
		}
	}

	/** After a fatal failure: closes the listening sockets at once, without the ring. Must not throw. */
	void closeListenSocketsNow() {
		for (int i = 0; i < this.listenFds.length; i++) {
			if (this.listenFds[i] >= 0) {
				closeListenSocket(i);
			}
		}
	}

	/** Closes one listening socket; the owner of a Unix listener's socket also forgets it. */
	private void closeListenSocket(int listenerIndex) {
		int fd = this.listenFds[listenerIndex];
		ListenerRuntime listener = this.listeners[listenerIndex];
		if (listener.unixListenFd == fd) {
			listener.unixListenFd = -1;
		}
		Sockets.close(fd);
		this.listenFds[listenerIndex] = -1;
	}

}
