import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded chaos run against an echo server: a few workers each open a connection, run a random
 * scenario on it, and open the next one, until the duration is over. Every byte that comes back is
 * checked against what was sent.
 *
 * <p>Scenarios: pipelined messages of mixed sizes (1 B to 256 KiB, written by a second thread while the
 * echo is read and checked), a half-close (send, shut down output, read the whole echo, then end of
 * stream), and aborts (reset with SO_LINGER 0 after sending part of a message, or close while the echo
 * is still coming). An abort verifies what it read before it aborted.
 *
 * <p>Runs from source with no dependencies: {@code java SoakClient.java --port 7000 --seconds 600}.
 * Exits 0 when nothing failed and bytes were verified, 1 otherwise, 2 on bad arguments.
 */
public final class SoakClient {

	private static final int MAX_MESSAGE = 256 * 1024;

	private final String host;

	private final int port;

	private final long deadlineNanos;

	private final AtomicLong connections = new AtomicLong();

	private final AtomicLong messages = new AtomicLong();

	private final AtomicLong bytesVerified = new AtomicLong();

	private final AtomicLong aborts = new AtomicLong();

	private final AtomicLong halfCloses = new AtomicLong();

	private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();

	private SoakClient(String host, int port, long seconds) {
		this.host = host;
		this.port = port;
		this.deadlineNanos = System.nanoTime() + seconds * 1_000_000_000L;
	}

	public static void main(String[] args) throws Exception {
		Map<String, String> options = new TreeMap<>(Map.of("host", "127.0.0.1", "seconds", "120", "workers", "8",
				"seed", "1"));
		for (int i = 0; i + 1 < args.length; i += 2) {
			if (!args[i].startsWith("--")) {
				usage("unexpected argument " + args[i]);
			}
			options.put(args[i].substring(2), args[i + 1]);
		}
		if (!options.containsKey("port")) {
			usage("--port is required");
		}
		SoakClient soak = new SoakClient(options.get("host"), Integer.parseInt(options.get("port")),
				Long.parseLong(options.get("seconds")));
		int workers = Integer.parseInt(options.get("workers"));
		long seed = Long.parseLong(options.get("seed"));
		System.out.println("soak: " + workers + " workers against " + soak.host + ":" + soak.port + " for "
				+ options.get("seconds") + " s, seed " + seed);
		List<Thread> threads = new ArrayList<>();
		for (int w = 0; w < workers; w++) {
			SplittableRandom random = new SplittableRandom(seed * 1000 + w);
			threads.add(Thread.ofPlatform().name("soak-" + w).start(() -> soak.work(random)));
		}
		for (Thread thread : threads) {
			thread.join();
		}
		System.out.println(soak.summary());
		soak.failures.stream().limit(20).forEach((failure) -> System.out.println("soak failure: " + failure));
		System.exit((soak.failures.isEmpty() && soak.bytesVerified.get() > 0) ? 0 : 1);
	}

	private static void usage(String problem) {
		System.err.println(problem);
		System.err.println("usage: java SoakClient.java --port P [--host 127.0.0.1] [--seconds 120] [--workers 8] [--seed 1]");
		System.exit(2);
	}

	private String summary() {
		return "soak: connections=" + this.connections + " messages=" + this.messages + " bytes-verified="
				+ this.bytesVerified + " half-closes=" + this.halfCloses + " aborts=" + this.aborts + " failures="
				+ this.failures.size();
	}

	private boolean timeLeft() {
		return System.nanoTime() - this.deadlineNanos < 0;
	}

	private void work(SplittableRandom random) {
		while (timeLeft() && this.failures.size() < 100) {
			int scenario = random.nextInt(10);
			long seed = random.nextLong();
			try (Socket socket = new Socket()) {
				socket.connect(new InetSocketAddress(this.host, this.port), 30_000);
				socket.setSoTimeout(30_000);
				this.connections.incrementAndGet();
				if (scenario < 6) {
					pipelined(socket, new SplittableRandom(seed), false);
				}
				else if (scenario < 8) {
					pipelined(socket, new SplittableRandom(seed), true);
				}
				else {
					abort(socket, new SplittableRandom(seed), scenario == 8);
				}
			}
			catch (Exception | AssertionError ex) {
				this.failures.add("scenario " + scenario + " seed " + seed + ": " + ex);
			}
		}
	}

	/**
	 * Several rounds of pipelined messages; each round is written by another thread while this one reads
	 * and checks the echo. With {@code halfClose}, the last round ends with a shutdown of our output and
	 * the server must answer everything, then end the stream.
	 */
	private void pipelined(Socket socket, SplittableRandom random, boolean halfClose) throws Exception {
		int rounds = 1 + random.nextInt(8);
		for (int round = 0; round < rounds && timeLeft(); round++) {
			boolean last = (round == rounds - 1);
			byte[] payload = payload(random, 1 + random.nextInt(16));
			Thread writer = writeInBackground(socket, payload, random.split(), halfClose && last);
			readAndVerify(socket.getInputStream(), payload, payload.length);
			writer.join();
			this.messages.incrementAndGet();
		}
		if (halfClose) {
			if (!socket.isOutputShutdown()) {
				socket.shutdownOutput();
			}
			if (socket.getInputStream().read() != -1) {
				throw new AssertionError("bytes after the whole echo of a half-closed connection");
			}
			this.halfCloses.incrementAndGet();
		}
	}

	/** Sends part of a message, reads part of the echo, then resets or closes in the middle of it. */
	private void abort(Socket socket, SplittableRandom random, boolean reset) throws Exception {
		byte[] payload = payload(random, 1 + random.nextInt(4));
		int toSend = 1 + random.nextInt(payload.length);
		socket.getOutputStream().write(payload, 0, toSend);
		readAndVerify(socket.getInputStream(), payload, random.nextInt(toSend + 1));
		if (reset) {
			socket.setSoLinger(true, 0);
		}
		this.aborts.incrementAndGet();
	}

	/** Messages of mixed sizes, concatenated: mostly small, some up to 256 KiB. */
	private static byte[] payload(SplittableRandom random, int messages) {
		int total = 0;
		int[] sizes = new int[messages];
		for (int i = 0; i < messages; i++) {
			sizes[i] = random.nextInt(4) == 0 ? 1 + random.nextInt(MAX_MESSAGE) : 1 + random.nextInt(512);
			total += sizes[i];
		}
		byte[] payload = new byte[total];
		for (int i = 0; i < total; i++) {
			payload[i] = (byte) random.nextInt(256);
		}
		return payload;
	}

	private Thread writeInBackground(Socket socket, byte[] payload, SplittableRandom random, boolean shutdownAfter) {
		return Thread.ofVirtual().start(() -> {
			try {
				OutputStream out = socket.getOutputStream();
				int offset = 0;
				while (offset < payload.length) {
					int n = Math.min(payload.length - offset, 1 + random.nextInt(64 * 1024));
					out.write(payload, offset, n);
					offset += n;
				}
				if (shutdownAfter) {
					socket.shutdownOutput();
				}
			}
			catch (IOException ex) {
				this.failures.add("write: " + ex);
			}
		});
	}

	private void readAndVerify(InputStream in, byte[] expected, int length) throws IOException {
		byte[] buffer = new byte[64 * 1024];
		int offset = 0;
		while (offset < length) {
			int n;
			try {
				n = in.read(buffer, 0, Math.min(buffer.length, length - offset));
			}
			catch (SocketException ex) {
				throw new IOException("reset after " + offset + " of " + length + " echoed bytes", ex);
			}
			if (n < 0) {
				throw new IOException("end of stream after " + offset + " of " + length + " echoed bytes");
			}
			for (int i = 0; i < n; i++) {
				if (buffer[i] != expected[offset + i]) {
					throw new AssertionError("echo corrupted at byte " + (offset + i) + " of " + length);
				}
			}
			offset += n;
			this.bytesVerified.addAndGet(n);
		}
	}

}
