package dev.iouring.server.codec;

import dev.iouring.server.Bytes;

/**
 * Receives the frames a {@link FrameDecoder} finds.
 */
@FunctionalInterface
public interface FrameSink {

	/**
	 * One complete frame.
	 * @param frame the frame's bytes, valid during this call only
	 */
	void onFrame(Bytes frame);

}
