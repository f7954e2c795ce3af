package dev.iouring.server;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import dev.iouring.ring.RingOptions;

/**
 * Everything an {@link IoUringServer} needs: ring and buffer sizes, event loops, write water marks and
 * its listeners. Built with {@link #builder()}; invariants are checked in {@link Builder#build()} with
 * messages that name the setting.
 *
 * @param ring how each loop's ring is set up
 * @param bufferCount provided buffers per loop (power of two)
 * @param bufferSize bytes per provided buffer
 * @param eventLoops number of event-loop threads
 * @param writeHighWaterMark queued outbound bytes per connection above which reading pauses
 * @param writeLowWaterMark queued outbound bytes per connection below which reading resumes
 * @param listeners the listeners; at least one, names unique
 * @param writeLimit queued outbound bytes per connection above which the connection is closed with
 * {@link CloseReason#OUTBOUND_OVERFLOW}, whatever the handler does: the hard bound behind the water marks
 */
public record ServerSettings(RingOptions ring, int bufferCount, int bufferSize, int eventLoops,
		int writeHighWaterMark, int writeLowWaterMark, List<ListenerSettings> listeners, long writeLimit) {

	/**
	 * Default write limit: 64 times the high water mark, room for a handler that answers one request
	 * with megabytes, while 10,000 peers that never read cannot pin more than 40 GiB between them, and
	 * one cannot pin more than 4 MiB.
	 */
	public static final long DEFAULT_WRITE_LIMIT = 4L * 1024 * 1024;

	/** Default provided buffers per loop. */
	public static final int DEFAULT_BUFFER_COUNT = 1024;

	/** Default provided buffer size: one 16 KiB message is one completion. */
	public static final int DEFAULT_BUFFER_SIZE = 16 * 1024;

	/** Default write high water mark, as in Netty's WriteBufferWaterMark (64 KiB). */
	public static final int DEFAULT_HIGH_WATER_MARK = 64 * 1024;

	/** Default write low water mark, as in Netty's WriteBufferWaterMark (32 KiB). */
	public static final int DEFAULT_LOW_WATER_MARK = 32 * 1024;

	/**
	 * Creates settings with the default write limit.
	 * @param ring how each loop's ring is set up
	 * @param bufferCount provided buffers per loop
	 * @param bufferSize bytes per provided buffer
	 * @param eventLoops number of event-loop threads
	 * @param writeHighWaterMark the high water mark
	 * @param writeLowWaterMark the low water mark
	 * @param listeners the listeners
	 */
	public ServerSettings(RingOptions ring, int bufferCount, int bufferSize, int eventLoops, int writeHighWaterMark,
			int writeLowWaterMark, List<ListenerSettings> listeners) {
		this(ring, bufferCount, bufferSize, eventLoops, writeHighWaterMark, writeLowWaterMark, listeners,
				Math.max(DEFAULT_WRITE_LIMIT, writeHighWaterMark));
	}

	public ServerSettings {
		listeners = List.copyOf(listeners);
		if (writeLimit < writeHighWaterMark) {
			throw new IllegalArgumentException("write-buffer.limit must be at least the high water mark ("
					+ writeHighWaterMark + " B) but was " + writeLimit + " B");
		}
		if (bufferCount < 1 || bufferCount > 32768 || Integer.bitCount(bufferCount) != 1) {
			throw new IllegalArgumentException(
					"buffers.count must be a power of two between 1 and 32768 but was " + bufferCount);
		}
		if (bufferSize < 64 || bufferSize > 16 * 1024 * 1024) {
			throw new IllegalArgumentException("buffers.size must be between 64 B and 16 MiB but was " + bufferSize);
		}
		if (eventLoops < 1 || eventLoops > 1024) {
			throw new IllegalArgumentException("server.event-loops must be between 1 and 1024 but was " + eventLoops);
		}
		if (writeLowWaterMark < 0 || writeHighWaterMark < writeLowWaterMark) {
			throw new IllegalArgumentException("write-buffer water marks must satisfy 0 <= low <= high but were low="
					+ writeLowWaterMark + ", high=" + writeHighWaterMark);
		}
		if (listeners.isEmpty()) {
			throw new IllegalArgumentException("a server needs at least one listener");
		}
		Set<String> names = new HashSet<>();
		for (ListenerSettings listener : listeners) {
			if (!names.add(listener.name())) {
				throw new IllegalArgumentException("listener names must be unique but '" + listener.name()
						+ "' appears twice");
			}
		}
	}

	/**
	 * Starts a builder with the defaults.
	 * @return a new builder
	 */
	public static Builder builder() {
		return new Builder();
	}

	/**
	 * Returns the listener of the given name.
	 * @param name the listener name
	 * @return the listener settings
	 */
	public ListenerSettings listener(String name) {
		for (ListenerSettings listener : this.listeners) {
			if (listener.name().equals(name)) {
				return listener;
			}
		}
		throw new IllegalArgumentException("no listener named '" + name + "'");
	}

	/**
	 * Builds {@link ServerSettings}.
	 */
	public static final class Builder {

		private RingOptions ring = RingOptions.of(4096, 16384);

		private int bufferCount = DEFAULT_BUFFER_COUNT;

		private int bufferSize = DEFAULT_BUFFER_SIZE;

		private int eventLoops = Runtime.getRuntime().availableProcessors();

		private int writeHighWaterMark = DEFAULT_HIGH_WATER_MARK;

		private int writeLowWaterMark = DEFAULT_LOW_WATER_MARK;

		private long writeLimit;

		private final List<ListenerSettings> listeners = new ArrayList<>();

		private Builder() {
		}

		public Builder ring(RingOptions ring) {
			this.ring = ring;
			return this;
		}

		public Builder buffers(int count, int size) {
			this.bufferCount = count;
			this.bufferSize = size;
			return this;
		}

		public Builder eventLoops(int eventLoops) {
			this.eventLoops = eventLoops;
			return this;
		}

		/**
		 * Sets the hard limit on queued outbound bytes per connection.
		 * @param limit the limit in bytes, at least the high water mark
		 * @return this builder
		 */
		public Builder writeLimit(long limit) {
			this.writeLimit = limit;
			return this;
		}

		public Builder writeWaterMarks(int low, int high) {
			this.writeLowWaterMark = low;
			this.writeHighWaterMark = high;
			return this;
		}

		public Builder listener(ListenerSettings listener) {
			this.listeners.add(listener);
			return this;
		}

		public ServerSettings build() {
			return new ServerSettings(this.ring, this.bufferCount, this.bufferSize, this.eventLoops,
					this.writeHighWaterMark, this.writeLowWaterMark, this.listeners,
					(this.writeLimit > 0) ? this.writeLimit : Math.max(DEFAULT_WRITE_LIMIT, this.writeHighWaterMark));
		}

	}

}
