package dev.iouring.sample.resp;

/**
 * Bounds on what one client may send, so that a connection's memory stays bounded whatever arrives.
 * A command over a bound is answered with a protocol error and the connection is closed, as Redis
 * does. Redis's own bounds are far larger (512 MiB bulk strings, 1 GiB query buffers); a sample server
 * keeps them small.
 *
 * @param maxArguments the most arguments in one command, name included
 * @param maxBulkLength the longest bulk string (argument) in bytes
 * @param maxInlineLength the longest inline command line in bytes, line ending excluded
 * @param maxCommandLength the most bytes of received commands a connection holds before executing them:
 * one command arriving in pieces (so also the longest command), or the pipeline kept while the
 * connection is not writable
 */
public record RespLimits(int maxArguments, int maxBulkLength, int maxInlineLength, int maxCommandLength) {

	/**
	 * The sample's limits: 1024 arguments, 512 KiB bulk strings, 64 KiB inline lines (as Redis) and
	 * 1 MiB of pending commands, which holds a SET of the largest value with room to spare.
	 */
	public static final RespLimits DEFAULTS = new RespLimits(1024, 512 * 1024, 64 * 1024, 1024 * 1024);

	public RespLimits {
		if (maxArguments < 1) {
			throw new IllegalArgumentException("maxArguments must be positive but was " + maxArguments);
		}
		if (maxBulkLength < 0) {
			throw new IllegalArgumentException("maxBulkLength must not be negative but was " + maxBulkLength);
		}
		if (maxInlineLength < 1) {
			throw new IllegalArgumentException("maxInlineLength must be positive but was " + maxInlineLength);
		}
		if (maxCommandLength < maxInlineLength + 2) {
			throw new IllegalArgumentException("maxCommandLength must hold an inline line and its CRLF ("
					+ (maxInlineLength + 2) + " bytes) but was " + maxCommandLength);
		}
	}

}
