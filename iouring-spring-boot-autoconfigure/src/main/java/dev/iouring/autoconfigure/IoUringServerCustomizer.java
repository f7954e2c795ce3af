package dev.iouring.autoconfigure;

import java.util.function.UnaryOperator;

import dev.iouring.server.ListenerSettings;
import dev.iouring.server.ServerSettings;
import dev.iouring.server.codec.FrameDecoderFactory;

/**
 * Callback that adjusts the {@link ServerSettings} built from the {@code iouring.*} properties before the
 * server is created. Customizer beans run in {@link org.springframework.core.Ordered order}, each
 * receiving the previous one's result, so they see (and may override) everything the properties set.
 *
 * <p>Use one for what properties cannot express, such as a listener's framing:
 * <pre class="code">
 * &#64;Bean
 * IoUringServerCustomizer respFraming() {
 *     return IoUringServerCustomizer.framing("redis", RespDecoder::new);
 * }
 * </pre>
 *
 * <p>Change settings through {@link ServerSettings#toBuilder()}, {@link ServerSettings#withListener} or
 * {@link #listener}, which carry every other value over, rather than the record's constructor, whose
 * argument list grows with each new setting:
 * <pre class="code">
 * &#64;Bean
 * IoUringServerCustomizer moreLoops() {
 *     return (settings) -&gt; settings.toBuilder().eventLoops(settings.eventLoops() * 2).build();
 * }
 * </pre>
 */
@FunctionalInterface
public interface IoUringServerCustomizer {

	/**
	 * Returns the settings to use instead of {@code settings}.
	 * @param settings the settings so far
	 * @return the customized settings (may be {@code settings} itself)
	 */
	ServerSettings customize(ServerSettings settings);

	/**
	 * Returns a customizer that cuts the bytes received by one listener into frames.
	 * @param listenerName the listener, as named under {@code iouring.server.listeners} (or
	 * {@code default} when none is configured)
	 * @param framing creates the decoder of each connection
	 * @return the customizer; it fails with {@link IllegalArgumentException} if no listener has that name
	 */
	static IoUringServerCustomizer framing(String listenerName, FrameDecoderFactory framing) {
		return listener(listenerName, (listener) -> listener.withFraming(framing));
	}

	/**
	 * Returns a customizer that changes one listener and leaves everything else as it was.
	 * @param listenerName the listener, as named under {@code iouring.server.listeners} (or
	 * {@code default} when none is configured)
	 * @param change what to do to it, e.g.
	 * {@code (listener) -> listener.withHandlerExecution(HandlerExecution.VIRTUAL_THREADS)}
	 * @return the customizer; it fails with {@link IllegalArgumentException} if no listener has that name
	 */
	static IoUringServerCustomizer listener(String listenerName, UnaryOperator<ListenerSettings> change) {
		return (settings) -> settings.withListener(listenerName, change);
	}

}
