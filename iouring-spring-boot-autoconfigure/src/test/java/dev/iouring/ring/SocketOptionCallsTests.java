package dev.iouring.ring;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The socket option calls of {@link Sockets} against the kernel: a listening socket opened with a
 * receive-buffer cap carries it before any connection arrives, set and read values round-trip, and the
 * kernel's refusal comes back as an errno rather than an exception.
 */
class SocketOptionCallsTests {

	private static final InetSocketAddress LOOPBACK_ANY_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(),
			0);

	@Test
	void aListenerOpenedWithAReceiveBufferCapCarriesItDoubledAsTheKernelReportsIt() {
		int fd = Sockets.openListener(LOOPBACK_ANY_PORT, 16, 32 * 1024);
		try {
			assertThat(Sockets.intOption(fd, Sockets.SOL_SOCKET, Sockets.SO_RCVBUF)).isEqualTo(2 * 32 * 1024);
			assertThat(Sockets.intOption(fd, Sockets.IPPROTO_TCP, Sockets.TCP_NODELAY)).isOne();
		}
		finally {
			Sockets.close(fd);
		}
	}

	@Test
	void aListenerOpenedWithoutACapKeepsTheKernelDefault() {
		int capped = Sockets.openListener(LOOPBACK_ANY_PORT, 16, 8 * 1024);
		int plain = Sockets.openListener(LOOPBACK_ANY_PORT, 16);
		try {
			assertThat(Sockets.intOption(plain, Sockets.SOL_SOCKET, Sockets.SO_RCVBUF))
				.isNotEqualTo(Sockets.intOption(capped, Sockets.SOL_SOCKET, Sockets.SO_RCVBUF));
		}
		finally {
			Sockets.close(capped);
			Sockets.close(plain);
		}
	}

	@Test
	void setValuesReadBackAndARefusedValueReturnsItsErrno() {
		int fd = Sockets.openListener(LOOPBACK_ANY_PORT, 16);
		try {
			assertThat(Sockets.setIntOption(fd, Sockets.IPPROTO_TCP, Sockets.TCP_KEEPIDLE, 90)).isZero();
			assertThat(Sockets.intOption(fd, Sockets.IPPROTO_TCP, Sockets.TCP_KEEPIDLE)).isEqualTo(90);
			assertThat(Sockets.setIntOption(fd, Sockets.IPPROTO_TCP, Sockets.TCP_USER_TIMEOUT, 2500)).isZero();
			assertThat(Sockets.intOption(fd, Sockets.IPPROTO_TCP, Sockets.TCP_USER_TIMEOUT)).isEqualTo(2500);
			// MAX_TCP_KEEPCNT is 127.
			assertThat(Sockets.setIntOption(fd, Sockets.IPPROTO_TCP, Sockets.TCP_KEEPCNT, 128)).isEqualTo(Errno.EINVAL);
		}
		finally {
			Sockets.close(fd);
		}
	}

}
