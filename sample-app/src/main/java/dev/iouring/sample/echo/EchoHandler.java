package dev.iouring.sample.echo;

import org.springframework.stereotype.Component;

import dev.iouring.server.Bytes;
import dev.iouring.server.Connection;
import dev.iouring.server.TcpHandler;

/**
 * Sends every byte back. The received view is written straight back: no copy in the handler.
 */
@Component("echoHandler")
public class EchoHandler implements TcpHandler {

	@Override
	public void onData(Connection connection, Bytes data) {
		connection.write(data);
	}

}
