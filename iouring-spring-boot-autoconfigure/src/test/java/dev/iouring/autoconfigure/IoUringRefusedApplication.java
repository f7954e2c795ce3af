package dev.iouring.autoconfigure;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.context.annotation.Bean;

import dev.iouring.ring.IoUringSeccompFilter;
import dev.iouring.server.TcpHandler;

/**
 * A tiny echo application, started in a JVM of its own by {@link NioFallbackTests} and
 * {@link IoUringServerTransportTests}, that first makes the kernel refuse io_uring to its process
 * ({@link IoUringSeccompFilter}) and then starts on port 0, with the default
 * {@code iouring.server.transport=auto} unless its arguments set another. It prints one line the test
 * waits for: the transport and port it serves on, or why the filter could not be installed.
 */
@SpringBootConfiguration
@ImportAutoConfiguration(IoUringServerAutoConfiguration.class)
public class IoUringRefusedApplication {

	/** Printed, followed by the transport and port, once the server serves. */
	static final String SERVING = "IOURING-REFUSED-APP serving: ";

	/** Printed, followed by the reason, when this machine cannot refuse io_uring to a process. */
	static final String NO_SECCOMP = "IOURING-REFUSED-APP no seccomp: ";

	@Bean
	TcpHandler echo() {
		return (connection, data) -> connection.write(data);
	}

	public static void main(String[] args) {
		ChildEchoServer.exitWhenTheParentGoes();
		try {
			IoUringSeccompFilter.install();
		}
		catch (RuntimeException ex) {
			System.out.println(NO_SECCOMP + ex.getMessage());
			System.exit(3);
		}
		ChildEchoServer.serve(IoUringRefusedApplication.class, SERVING, args);
	}

}
