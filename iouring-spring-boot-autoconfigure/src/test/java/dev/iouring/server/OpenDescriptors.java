package dev.iouring.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Reads this process's open descriptors from /proc/self/fd, to check that a stopped server holds none.
 */
public final class OpenDescriptors {

	static {
		// The JDK creates one socket of its own (a "pre-close" socketpair end) the first time a java.net
		// socket is closed, and keeps it for the life of the JVM. Create it now so counts before and
		// after a test compare our sockets only.
		try (java.net.ServerSocket warmUp = new java.net.ServerSocket(0)) {
			warmUp.getLocalPort();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private OpenDescriptors() {
	}

	/** Returns how many io_uring instances this process holds. */
	public static long ioUringCount() {
		return count("anon_inode:[io_uring]");
	}

	/** Returns how many sockets this process holds. */
	public static long socketCount() {
		return count("socket:");
	}

	/** Returns how many epoll instances (NIO selectors on Linux) this process holds. */
	public static long pollerCount() {
		return count("anon_inode:[eventpoll]");
	}

	/** Returns how many eventfds (io_uring loop wake-ups, NIO selector wake-ups) this process holds. */
	public static long eventFdCount() {
		return count("anon_inode:[eventfd]");
	}

	private static long count(String prefix) {
		try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
			return fds.filter((fd) -> {
				try {
					return Files.readSymbolicLink(fd).toString().startsWith(prefix);
				}
				catch (IOException ex) {
					return false;
				}
			}).count();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
