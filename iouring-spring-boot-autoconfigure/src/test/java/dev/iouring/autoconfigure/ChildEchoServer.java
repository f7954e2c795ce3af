package dev.iouring.autoconfigure;

import java.io.IOException;
import java.io.InputStream;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import dev.iouring.server.TcpServer;

/**
 * What the echo applications a test starts in a JVM of its own ({@link ChildApplication}) do in their
 * main method: end with the parent, start on port 0 with one loop, and print the line the test waits for.
 */
final class ChildEchoServer {

	private ChildEchoServer() {
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
