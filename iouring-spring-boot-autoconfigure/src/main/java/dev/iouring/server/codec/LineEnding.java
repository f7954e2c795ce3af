package dev.iouring.server.codec;

/**
 * What ends a line written by {@link FrameEncoder#line(LineEnding)}. The {@code line} codec reads both,
 * so the choice is the peer's: text protocols of the internet (SMTP, HTTP, RESP) ask for CRLF, Unix
 * tools for LF.
 */
public enum LineEnding {

	/** A line feed alone, {@code \n}. */
	LF(new byte[] { '\n' }),

	/** A carriage return and a line feed, {@code \r\n}. */
	CRLF(new byte[] { '\r', '\n' });

	private final byte[] delimiter;

	LineEnding(byte[] delimiter) {
		this.delimiter = delimiter;
	}

	/**
	 * Returns the bytes of this line ending.
	 * @return a new array holding them
	 */
	public byte[] bytes() {
		return this.delimiter.clone();
	}

	/** The bytes themselves, never changed, for the encoder to write without a copy. */
	byte[] delimiter() {
		return this.delimiter;
	}

}
