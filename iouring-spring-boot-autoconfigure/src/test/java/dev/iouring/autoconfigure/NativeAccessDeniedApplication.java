package dev.iouring.autoconfigure;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.context.annotation.Bean;

import dev.iouring.server.TcpHandler;

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
		ChildEchoServer.exitWhenTheParentGoes();
		ChildEchoServer.serve(NativeAccessDeniedApplication.class, SERVING, args);
	}

}
