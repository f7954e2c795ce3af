package dev.iouring.autoconfigure;

import java.io.IOException;
import java.io.InputStream;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import dev.iouring.server.TcpHandler;
import dev.iouring.server.TcpServer;

/**
 * A tiny echo application that {@link NativeAccessDeniedTests} starts in a JVM of its own run with
 * {@code --illegal-native-access=deny}, on port 0, passing its arguments on as properties. It prints
 * one line the test waits for once it serves: the transport and the port.
 */
@SpringBootConfiguration
@ImportAutoConfiguration(IoUringServerAutoConfiguration.class)
public class NativeAccessDeniedApplication {

	/** Printed, followed by the transport and port, once the server serves. */
	static final String SERVING = "NATIVE-ACCESS-DENIED-APP serving: ";

	@Bean
	TcpHandler echo() {
		return (connection, data) -> connection.write(data);
	}

	public static void main(String[] args) {
		exitWhenTheParentGoes();
		ConfigurableApplicationContext context = new SpringApplicationBuilder(NativeAccessDeniedApplication.class)
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
