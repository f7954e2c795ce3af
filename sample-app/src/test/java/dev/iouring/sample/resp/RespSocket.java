package dev.iouring.sample.resp;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A raw RESP2 client over a real socket, for tests that need to control exactly what is sent and when
 * replies are read. Replies are decoded as: {@code +text} and {@code -text} as the whole line (type
 * byte included), integers as {@link Long}, bulk strings as {@code byte[]} ({@code null} for
 * {@code $-1}) and arrays as {@link List}. Every read has a deadline: the socket timeout.
 */
final class RespSocket implements AutoCloseable {

	private final Socket socket;

	private final InputStream in;

	private final OutputStream out;

	/**
	 * Connects to a port on the loopback address.
	 * @param port the server's port
	 * @param readTimeoutMillis the longest a read may wait
	 * @throws IOException if the connection fails
	 */
	RespSocket(int port, int readTimeoutMillis) throws IOException {
		this.socket = new Socket(InetAddress.getLoopbackAddress(), port);
		this.socket.setSoTimeout(readTimeoutMillis);
		this.socket.setTcpNoDelay(true);
		this.in = new BufferedInputStream(this.socket.getInputStream(), 64 * 1024);
		this.out = this.socket.getOutputStream();
	}

	Socket socket() {
		return this.socket;
	}

	/**
	 * Sends a command as a multibulk request and reads its reply.
	 * @param arguments the command name and arguments
	 * @return the decoded reply
	 */
	Object call(String... arguments) throws IOException {
		send(RespClient.command(arguments).getBytes(StandardCharsets.ISO_8859_1));
		return read();
	}

	void send(byte[] bytes) throws IOException {
		this.out.write(bytes);
		this.out.flush();
	}

	/**
	 * Reads one reply.
	 * @return the decoded reply
	 * @throws EOFException if the server closed the connection first
	 */
	Object read() throws IOException {
		int type = this.in.read();
		if (type < 0) {
			throw new EOFException("connection closed before a reply");
		}
		String line = line();
		return switch (type) {
			case '+', '-' -> (char) type + line;
			case ':' -> Long.parseLong(line);
			case '$' -> bulk(Integer.parseInt(line));
			case '*' -> array(Integer.parseInt(line));
			default -> throw new IOException("not a RESP reply: '" + (char) type + line + "'");
		};
	}

	/**
	 * Reads a bulk-string reply into a caller's buffer, for large replies read many times.
	 * @param into where the value goes; must be exactly the expected length
	 * @return whether the reply was a bulk string of that length
	 */
	boolean readBulkInto(byte[] into) throws IOException {
		int type = this.in.read();
		if (type != '$' || Integer.parseInt(line()) != into.length) {
			return false;
		}
		readFully(into);
		return this.in.read() == '\r' && this.in.read() == '\n';
	}

	/**
	 * Reads until the server closes the connection, discarding what comes.
	 * @return {@code true} if the connection ended (end of stream or reset), {@code false} if the read
	 * timed out first
	 */
	boolean awaitClose() throws IOException {
		try {
			while (this.in.read() >= 0) {
				// Discard: only the end matters.
			}
			return true;
		}
		catch (SocketTimeoutException ex) {
			return false;
		}
		catch (SocketException ex) {
			return true;
		}
	}

	/**
	 * Reads until the server closes the connection, counting what comes.
	 * @return how many bytes arrived before the end (end of stream or reset), or -1 if the read timed out
	 * first
	 */
	long bytesUntilClose() throws IOException {
		long count = 0;
		try {
			for (int b = this.in.read(); b >= 0; b = this.in.read()) {
				count++;
			}
			return count;
		}
		catch (SocketTimeoutException ex) {
			return -1;
		}
		catch (SocketException ex) {
			return count;
		}
	}

	@Override
	public void close() throws IOException {
		this.socket.close();
	}

	private byte[] bulk(int length) throws IOException {
		if (length < 0) {
			return null;
		}
		byte[] value = new byte[length];
		readFully(value);
		if (this.in.read() != '\r' || this.in.read() != '\n') {
			throw new IOException("bulk string of " + length + " bytes not followed by CRLF");
		}
		return value;
	}

	private List<Object> array(int count) throws IOException {
		List<Object> elements = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			elements.add(read());
		}
		return elements;
	}

	private void readFully(byte[] into) throws IOException {
		int got = 0;
		while (got < into.length) {
			int n = this.in.read(into, got, into.length - got);
			if (n < 0) {
				throw new EOFException("connection closed inside a bulk string");
			}
			got += n;
		}
	}

	private String line() throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		for (int b = this.in.read(); b != '\r'; b = this.in.read()) {
			if (b < 0) {
				throw new EOFException("connection closed inside a reply line");
			}
			line.write(b);
		}
		if (this.in.read() != '\n') {
			throw new IOException("reply line not ended by CRLF");
		}
		return line.toString(StandardCharsets.ISO_8859_1);
	}

}
