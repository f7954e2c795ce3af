package dev.iouring.sample.line;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import dev.iouring.sample.resp.RecordingConnection;
import dev.iouring.server.Bytes;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The line handler, fed one decoded line at a time as a line codec would.
 */
class UppercaseLineHandlerTest {

	private final UppercaseLineHandler handler = new UppercaseLineHandler();

	private final RecordingConnection connection = new RecordingConnection();

	@Test
	void repliesWithTheLineInUpperCase() {
		receive("hello, world");
		receive("");
		receive("straße");
		assertThat(new String(this.connection.writtenBytes(), StandardCharsets.UTF_8))
			.isEqualTo("HELLO, WORLD\n\nSTRASSE\n");
		assertThat(this.connection.isClosed()).isFalse();
	}

	@Test
	void closesOnQuit() {
		receive("quit");
		assertThat(this.connection.written()).isEmpty();
		assertThat(this.connection.isClosed()).isTrue();
	}

	private void receive(String line) {
		this.handler.onData(this.connection, Bytes.wrap(line.getBytes(StandardCharsets.UTF_8)));
	}

}
