package dev.iouring.autoconfigure;

import java.io.IOException;
import java.io.InputStream;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import dev.iouring.ring.IoUringSeccompFilter;
import dev.iouring.server.TcpHandler;
import dev.iouring.server.TcpServer;

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
		exitWhenTheParentGoes();
		try {
			IoUringSeccompFilter.install();
		}
		catch (RuntimeException ex) {
			System.out.println(NO_SECCOMP + ex.getMessage());
			System.exit(3);
		}
		ConfigurableApplicationContext context = new SpringApplicationBuilder(IoUringRefusedApplication.class)
			.web(WebApplicationType.NONE)
			.properties("iouring.server.port=0", "iouring.server.event-loops=1")
			.run(args);
		TcpServer server = context.getBean(TcpServer.class);
		System.out.println(SERVING + server.transport() + " " + server.port());
	}

	/**
	 * The test keeps this process's standard input open; end of stream means it is gone (even killed),
	 * and this process must not outlive it.
	 */
	private static void exitWhenTheParentGoes() {
		Thread.ofPlatform().daemon().name("parent-watch").start(() -> {
			try (InputStream in = System.in) {
				while (in.read() >= 0) {
					// Nothing is sent; reading only waits for the end of the stream.
				}
			}
			catch (IOException ex) {
				// The pipe broke: the parent is gone all the same.
			}
			System.exit(0);
		});
	}

}
