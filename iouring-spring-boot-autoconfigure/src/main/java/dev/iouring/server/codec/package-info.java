/**
 * Framing codecs: cutting a connection's byte stream into frames.
 *
 * <p>{@link dev.iouring.server.codec.FrameDecoder} is the contract the server calls; {@link
 * dev.iouring.server.codec.Framing} creates the built-in codecs (line, delimiter, length-field, fixed) and
 * {@link dev.iouring.server.codec.FramingSpec} describes one by name and options, as configuration does.
 * Every codec bounds its frames with a maximum size and keeps at most one partial frame in memory.
 *
 * <p>{@link dev.iouring.server.codec.FrameEncoder} is the other direction: it writes a payload onto a
 * connection with the framing a peer's decoder expects, made from the same options
 * ({@link dev.iouring.server.codec.FramingSpec#encoder()}) so both ends agree by construction.
 * Plain Java: no Spring, no Micrometer.
 */
@NullMarked
package dev.iouring.server.codec;

import org.jspecify.annotations.NullMarked;
