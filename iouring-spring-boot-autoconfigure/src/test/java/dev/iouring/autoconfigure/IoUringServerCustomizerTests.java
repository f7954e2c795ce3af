package dev.iouring.autoconfigure;

import org.junit.jupiter.api.Test;

import dev.iouring.server.HandlerExecution;
import dev.iouring.server.ListenerSettings;
import dev.iouring.server.ServerSettings;
import dev.iouring.server.TcpHandler;
import dev.iouring.server.codec.FrameDecoderFactory;
import dev.iouring.server.codec.Framing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The customizer helpers change one listener and carry every other setting over, the write limit
 * included (which rebuilding through the shorter record constructor used to reset).
 */
class IoUringServerCustomizerTests {

	private static final TcpHandler HANDLER = (connection, data) -> connection.write(data);

	private static final ServerSettings SETTINGS = ServerSettings.builder()
		.eventLoops(2)
		.writeLimit(9_999_999)
		.listener(ListenerSettings.of("echo", 0, HANDLER))
		.listener(ListenerSettings.of("redis", 0, HANDLER))
		.build();

	@Test
	void framingSetsOneListenersDecoderAndKeepsTheRest() {
		FrameDecoderFactory lines = Framing.line();
		ServerSettings customized = IoUringServerCustomizer.framing("redis", lines).customize(SETTINGS);
		assertThat(customized.listener("redis").framing()).isSameAs(lines);
		assertThat(customized.listener("echo")).isSameAs(SETTINGS.listener("echo"));
		assertThat(customized.writeLimit()).isEqualTo(9_999_999);
		assertThat(customized.eventLoops()).isEqualTo(2);
	}

	@Test
	void listenerAppliesAnyChangeToOneListener() {
		ServerSettings customized = IoUringServerCustomizer
			.listener("echo", (listener) -> listener.withHandlerExecution(HandlerExecution.VIRTUAL_THREADS))
			.customize(SETTINGS);
		assertThat(customized.listener("echo").handlerExecution()).isEqualTo(HandlerExecution.VIRTUAL_THREADS);
		assertThat(customized.listener("redis")).isSameAs(SETTINGS.listener("redis"));
		assertThat(customized.writeLimit()).isEqualTo(9_999_999);
	}

	@Test
	void anUnknownListenerFailsWithItsName() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> IoUringServerCustomizer.framing("missing", Framing.line()).customize(SETTINGS))
			.withMessageContaining("'missing'");
	}

}
