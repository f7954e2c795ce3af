package dev.iouring.sample.line;

import java.util.Locale;

import dev.iouring.server.Bytes;
import dev.iouring.server.Connection;
import dev.iouring.server.TcpHandler;

/**
 * Answers each line with the same line in upper case, and closes the connection on the line
 * {@code quit}. Meant for a listener with line framing, so each {@link #onData} call receives exactly
 * one line without its delimiter. Keeps no state, so one bean serves every connection.
 */
public final class UppercaseLineHandler implements TcpHandler {

	private static final String QUIT = "quit";

	@Override
	public void onData(Connection connection, Bytes line) {
		String text = line.toUtf8();
		if (QUIT.equals(text)) {
			connection.close();
			return;
		}
		connection.write(text.toUpperCase(Locale.ROOT) + "\n");
	}

}
