package dev.iouring.server;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.iouring.ring.RingOptions;
import dev.iouring.server.codec.Framing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

/**
 * Changing existing settings without the canonical constructor: {@link ServerSettings#toBuilder()} and
 * {@link ServerSettings#withListener} carry every value they are not asked to change.
 */
class ServerSettingsTest {

	private static final TcpHandler HANDLER = (connection, data) -> connection.write(data);

	private static ServerSettings custom() {
		return ServerSettings.builder()
			.ring(RingOptions.of(64, 256))
			.buffers(128, 8192)
			.eventLoops(3)
			.writeWaterMarks(1000, 2000)
			.writeLimit(123_456)
			.listener(ListenerSettings.of("first", 7001, HANDLER))
			.listener(ListenerSettings.of("second", 7002, HANDLER).withLimits(5, Duration.ofSeconds(9)))
			.listener(ListenerSettings.of("third", 7003, HANDLER))
			.build();
	}

	@Test
	void toBuilderBuildsEqualSettings() {
		ServerSettings settings = custom();
		assertThat(settings.toBuilder().build()).isEqualTo(settings);
		ServerSettings defaults = ServerSettings.builder().listener(ListenerSettings.of("only", 0, HANDLER)).build();
		assertThat(defaults.toBuilder().build()).isEqualTo(defaults);
	}

	@Test
	void toBuilderChangesOnlyWhatItIsTold() {
		ServerSettings changed = custom().toBuilder().eventLoops(5).build();
		assertThat(changed.eventLoops()).isEqualTo(5);
		assertThat(changed.writeLimit()).as("a write limit set by hand is kept").isEqualTo(123_456);
		assertThat(changed.listeners()).isEqualTo(custom().listeners());
		assertThat(changed.ring()).isEqualTo(custom().ring());
		assertThat(changed.bufferCount()).isEqualTo(128);
	}

	@Test
	void aDefaultWriteLimitFollowsRaisedWaterMarksAsInAFreshBuilder() {
		ServerSettings defaults = ServerSettings.builder().listener(ListenerSettings.of("only", 0, HANDLER)).build();
		assertThat(defaults.writeLimit()).isEqualTo(ServerSettings.DEFAULT_WRITE_LIMIT);
		int eightMiB = 8 * 1024 * 1024;
		ServerSettings raised = defaults.toBuilder().writeWaterMarks(eightMiB / 2, eightMiB).build();
		assertThat(raised.writeLimit()).isEqualTo(eightMiB);
	}

	@Test
	void withListenerReplacesThatListenerInItsPlace() {
		ServerSettings settings = custom();
		ServerSettings framed = settings.withListener("second", (listener) -> listener.withFraming(Framing.line()));
		assertThat(framed.listeners()).extracting(ListenerSettings::name).containsExactly("first", "second", "third");
		assertThat(framed.listener("second").framing()).isNotNull();
		assertThat(framed.listener("second").maxConnections()).isEqualTo(5);
		assertThat(framed.listener("first")).isSameAs(settings.listener("first"));
		assertThat(framed.listener("third")).isSameAs(settings.listener("third"));
		assertThat(framed.writeLimit()).isEqualTo(123_456);
		assertThat(framed.toBuilder().listeners(settings.listeners()).build()).isEqualTo(settings);
	}

	@Test
	void withListenerRefusesAnUnknownNameANullResultAndADuplicateName() {
		ServerSettings settings = custom();
		assertThatIllegalArgumentException().isThrownBy(() -> settings.withListener("fourth", (listener) -> listener))
			.withMessage("no listener named 'fourth'");
		assertThatNullPointerException().isThrownBy(() -> settings.withListener("first", (listener) -> null))
			.withMessageContaining("listener 'first'");
		ListenerSettings clash = ListenerSettings.of("third", 7009, HANDLER);
		assertThatIllegalArgumentException().isThrownBy(() -> settings.withListener("first", (listener) -> clash))
			.withMessageContaining("'third' appears twice");
	}

}
