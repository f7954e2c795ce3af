package dev.iouring.sample.resp;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import dev.iouring.server.Bytes;

/**
 * Drives a {@link RespHandler} over a {@link RecordingConnection}, the way a client would: encodes
 * commands, feeds them as received chunks and returns what the handler answered.
 */
final class RespClient {

	final MutableClock clock = new MutableClock();

	final KeyValueStore store = new KeyValueStore(this.clock);

	final RespHandler handler;

	final RecordingConnection connection = new RecordingConnection();

	RespClient() {
		this(RespLimits.DEFAULTS);
	}

	RespClient(RespLimits limits) {
		this.handler = new RespHandler(this.store, limits);
		this.handler.onOpen(this.connection);
	}

	/**
	 * Sends one command as a multibulk request and returns the reply.
	 * @param arguments the command name and arguments
	 * @return everything written in answer, as ISO-8859-1 text
	 */
	String call(String... arguments) {
		return send(command(arguments));
	}

	/**
	 * Feeds bytes as one received chunk and returns what was written in answer.
	 * @param chunk the bytes, ISO-8859-1 encoded
	 * @return the answer as ISO-8859-1 text
	 */
	String send(String chunk) {
		return send(chunk.getBytes(StandardCharsets.ISO_8859_1));
	}

	/**
	 * Feeds bytes as one received chunk and returns what was written in answer.
	 * @param chunk the bytes
	 * @return the answer as ISO-8859-1 text
	 */
	String send(byte[] chunk) {
		this.handler.onData(this.connection, Bytes.wrap(chunk));
		return this.connection.takeWritten();
	}

	/**
	 * Encodes a command as a RESP multibulk request.
	 * @param arguments the command name and arguments, ISO-8859-1 text
	 * @return the request
	 */
	static String command(String... arguments) {
		StringBuilder request = new StringBuilder("*").append(arguments.length).append("\r\n");
		for (String argument : arguments) {
			request.append('$').append(argument.length()).append("\r\n").append(argument).append("\r\n");
		}
		return request.toString();
	}

	/**
	 * Encodes a command with binary arguments as a RESP multibulk request.
	 * @param arguments the arguments
	 * @return the request bytes
	 */
	static byte[] command(byte[]... arguments) {
		ByteArrayOutputStream request = new ByteArrayOutputStream();
		request.writeBytes(("*" + arguments.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
		for (byte[] argument : arguments) {
			request.writeBytes(("$" + argument.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
			request.writeBytes(argument);
			request.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
		}
		return request.toByteArray();
	}

}
