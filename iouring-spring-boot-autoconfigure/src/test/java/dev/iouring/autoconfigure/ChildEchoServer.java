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
 * A tiny echo application that tests start in a JVM of its own ({@link ChildApplication}), for what
 * only a launch decides (the JVM's native access, which classes a start loads). It ends with its parent,
 * starts on port 0 with one loop, passing its arguments on as properties, and prints one line the test
 * waits for once it serves: the transport and the port. Its static methods serve the other child
 * applications too.
 */
@SpringBootConfiguration
@ImportAutoConfiguration(IoUringServerAutoConfiguration.class)
public class ChildEchoServer {

	/** Printed, followed by the transport and port, once the server serves. */
	static final String SERVING = "CHILD-ECHO-SERVER serving: ";

	@Bean
	TcpHandler echo() {
		return (connection, data) -> connection.write(data);
	}

	public static void main(String[] args) {
		exitWhenTheParentGoes();
		serve(ChildEchoServer.class, SERVING, args);
	}

	/**
	 * Starts the application and prints {@code marker}, the transport and the port once it serves.
	 * @param application the application's configuration class
	 * @param marker what the printed line starts with
	 * @param args the application's arguments
	 */
	static void serve(Class<?> application, String marker, String[] args) {
		ConfigurableApplicationContext context = new SpringApplicationBuilder(application)
			.web(WebApplicationType.NONE)
			.properties("iouring.server.port=0", "iouring.server.event-loops=1")
			.run(args);
		TcpServer server = context.getBean(TcpServer.class);
		System.out.println(marker + server.transport() + " " + server.port());
	}

	/**
	 * The test keeps this process's standard input open; end of stream means it is gone (even killed),
	 * and this process must not outlive it.
	 */
	static void exitWhenTheParentGoes() {
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
