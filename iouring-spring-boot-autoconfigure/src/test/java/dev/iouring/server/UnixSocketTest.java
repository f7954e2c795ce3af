package dev.iouring.server;

import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Reading {@code unix:} addresses and socket file permissions, and the limits of a {@code sockaddr_un}.
 */
class UnixSocketTest {

	@Test
	void octalAndSymbolicPermissionsMeanTheSame() {
		assertThat(UnixSocket.parsePermissions("0660")).isEqualTo(PosixFilePermissions.fromString("rw-rw----"));
		assertThat(UnixSocket.parsePermissions("750")).isEqualTo(PosixFilePermissions.fromString("rwxr-x---"));
		assertThat(UnixSocket.parsePermissions("0001")).isEqualTo(PosixFilePermissions.fromString("--------x"));
		assertThat(UnixSocket.parsePermissions("rw-------")).isEqualTo(PosixFilePermissions.fromString("rw-------"));
	}

	@Test
	void specialBitsAndNonsenseAreRefused() {
		for (String bad : new String[] { "1777", "0888", "rw-rw-rw", "rwsr-xr-x", "", "u+rw" }) {
			assertThatIllegalArgumentException().as(bad).isThrownBy(() -> UnixSocket.parsePermissions(bad))
				.withMessage("permissions must be written like 'rw-rw----' or in octal like '0660' (setuid, setgid and "
						+ "sticky bits are not allowed) but were '" + bad + "'");
		}
	}

	@Test
	void pathsAndAbstractNamesReadBackAsWritten() {
		UnixSocket path = UnixSocket.parse("unix:/run/app.sock", UnixSocket.DEFAULT_PERMISSIONS);
		assertThat(path.abstractNamespace()).isFalse();
		assertThat(path.name()).isEqualTo("/run/app.sock");
		assertThat(path).hasToString("unix:/run/app.sock");
		UnixSocket hidden = UnixSocket.parse("unix:@app", UnixSocket.DEFAULT_PERMISSIONS);
		assertThat(hidden.abstractNamespace()).isTrue();
		assertThat(hidden.name()).isEqualTo("app");
		assertThat(hidden.path()).isNull();
		assertThat(hidden.socketAddress()).isNull();
		assertThat(hidden).hasToString("unix:@app");
	}

	@Test
	void aNameFillsSunPathLessOneByteAtMost() {
		assertThat(new UnixSocket("/" + "x".repeat(106), false, UnixSocket.DEFAULT_PERMISSIONS).nameBytes()).hasSize(107);
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new UnixSocket("é".repeat(54), true, UnixSocket.DEFAULT_PERMISSIONS))
			.withMessageContaining("takes at most 107 bytes (the kernel's sun_path)")
			.withMessageContaining("has 108");
		assertThatIllegalArgumentException().isThrownBy(() -> UnixSocket.parse("unix:@", UnixSocket.DEFAULT_PERMISSIONS))
			.withMessageContaining("a Unix socket needs a path after 'unix:'");
		assertThatIllegalArgumentException().isThrownBy(() -> new UnixSocket("a\0b", false, UnixSocket.DEFAULT_PERMISSIONS))
			.withMessage("a Unix socket name must not contain a NUL character");
	}

	@Test
	void aUnixListenerTakesNoPortAddressOrReusePort() {
		ListenerSettings tcp = ListenerSettings.of("local", 7000, (connection, data) -> {
		}).withReusePort(true);
		ListenerSettings unix = tcp.withUnixSocket(UnixSocket.parse("unix:/run/a.sock", UnixSocket.DEFAULT_PERMISSIONS));
		assertThat(unix.port()).isZero();
		assertThat(unix.reusePort()).isFalse();
		assertThatIllegalArgumentException().isThrownBy(() -> unix.withReusePort(true))
			.withMessage("listener 'local' listens on unix:/run/a.sock, which has no network address, port or "
					+ "SO_REUSEPORT; leave those unset");
	}

}
