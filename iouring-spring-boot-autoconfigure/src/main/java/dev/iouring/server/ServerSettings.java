package dev.iouring.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;

import dev.iouring.ring.RingOptions;

/**
 * Everything an {@link IoUringServer} needs: ring and buffer sizes, event loops, write water marks and
 * its listeners. Built with {@link #builder()}; invariants are checked in {@link Builder#build()} with
 * messages that name the setting.
 *
 * <p>To change a few settings of existing ones (in an {@code IoUringServerCustomizer}, say), use
 * {@link #toBuilder()} or {@link #withListener}: unlike the canonical constructor, they keep on working,
 * and keep every other value, when a later version adds a setting.
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
 * @param closeLimit the longest a closing connection waits for its peer, to take the queued bytes and
 * then to end its stream ({@link #DEFAULT_CLOSE_LIMIT}); no property sets it, tests shorten it
 */
public record ServerSettings(RingOptions ring, int bufferCount, int bufferSize, int eventLoops,
		int writeHighWaterMark, int writeLowWaterMark, List<ListenerSettings> listeners, long writeLimit,
		Duration closeLimit) {

	/**
	 * Default write limit: 64 times the high water mark, room for a handler that answers one request
	 * with megabytes, while 10,000 peers that never read cannot pin more than 40 GiB between them, and
	 * one cannot pin more than 4 MiB.
	 */
	public static final long DEFAULT_WRITE_LIMIT = 4L * 1024 * 1024;

	/**
	 * Default close limit: a peer that reads nothing, or never stops sending, cannot keep a closing
	 * connection (and its queued bytes) longer.
	 */
	public static final Duration DEFAULT_CLOSE_LIMIT = Duration.ofSeconds(30);

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
				defaultWriteLimit(writeHighWaterMark));
	}

	/**
	 * Creates settings with the default close limit.
	 * @param ring how each loop's ring is set up
	 * @param bufferCount provided buffers per loop
	 * @param bufferSize bytes per provided buffer
	 * @param eventLoops number of event-loop threads
	 * @param writeHighWaterMark the high water mark
	 * @param writeLowWaterMark the low water mark
	 * @param listeners the listeners
	 * @param writeLimit the write limit
	 */
	public ServerSettings(RingOptions ring, int bufferCount, int bufferSize, int eventLoops, int writeHighWaterMark,
			int writeLowWaterMark, List<ListenerSettings> listeners, long writeLimit) {
		this(ring, bufferCount, bufferSize, eventLoops, writeHighWaterMark, writeLowWaterMark, listeners, writeLimit,
				DEFAULT_CLOSE_LIMIT);
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
		if (Objects.requireNonNull(closeLimit, "closeLimit").isNegative() || closeLimit.isZero()) {
			throw new IllegalArgumentException("the close limit must be positive but was " + closeLimit);
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
	 * Returns a builder holding these settings, to change some and build new ones. A write limit equal to
	 * the default for the high water mark is left to follow the water marks, as in a fresh builder, so
	 * raising them does not trip over the old default.
	 * @return a new builder
	 */
	public Builder toBuilder() {
		Builder builder = new Builder().ring(this.ring)
			.buffers(this.bufferCount, this.bufferSize)
			.eventLoops(this.eventLoops)
			.writeWaterMarks(this.writeLowWaterMark, this.writeHighWaterMark)
			.listeners(this.listeners)
			.closeLimit(this.closeLimit);
		if (this.writeLimit != defaultWriteLimit(this.writeHighWaterMark)) {
			builder.writeLimit(this.writeLimit);
		}
		return builder;
	}

	/**
	 * Returns a copy in which one listener is replaced by what {@code change} makes of it, in its place
	 * among the others; everything else stays.
	 * @param name the listener's name
	 * @param change what to do to it, e.g. {@code (listener) -> listener.withFraming(Framing.line())}
	 * @return the new settings
	 * @throws IllegalArgumentException if no listener has that name, or the changed one takes the name of
	 * another
	 */
	public ServerSettings withListener(String name, UnaryOperator<ListenerSettings> change) {
		ListenerSettings target = listener(name);
		List<ListenerSettings> changed = new ArrayList<>(this.listeners.size());
		for (ListenerSettings listener : this.listeners) {
			changed.add((listener == target)
					? Objects.requireNonNull(change.apply(listener), "the change of listener '" + name + "' returned null")
					: listener);
		}
		return new ServerSettings(this.ring, this.bufferCount, this.bufferSize, this.eventLoops,
				this.writeHighWaterMark, this.writeLowWaterMark, changed, this.writeLimit, this.closeLimit);
	}

	private static long defaultWriteLimit(int writeHighWaterMark) {
		return Math.max(DEFAULT_WRITE_LIMIT, writeHighWaterMark);
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

		private Duration closeLimit = DEFAULT_CLOSE_LIMIT;

		private final List<ListenerSettings> listeners = new ArrayList<>();

		private Builder() {
		}

		/**
		 * Sets how each loop's ring is set up.
		 * @param ring the ring options
		 * @return this builder
		 */
		public Builder ring(RingOptions ring) {
			this.ring = ring;
			return this;
		}

		/**
		 * Sets the provided buffers of each loop.
		 * @param count how many, a power of two
		 * @param size bytes per buffer
		 * @return this builder
		 */
		public Builder buffers(int count, int size) {
			this.bufferCount = count;
			this.bufferSize = size;
			return this;
		}

		/**
		 * Sets the number of event-loop threads.
		 * @param eventLoops the number of loops
		 * @return this builder
		 */
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

		/**
		 * Sets the longest a closing connection waits for its peer. Package-private: no property sets it;
		 * tests shorten it to see the limit act.
		 * @param limit the limit, positive
		 * @return this builder
		 */
		Builder closeLimit(Duration limit) {
			this.closeLimit = limit;
			return this;
		}

		/**
		 * Sets the queued outbound bytes per connection at which reading pauses and resumes.
		 * @param low reading resumes once the queue falls to this
		 * @param high reading pauses once the queue passes this
		 * @return this builder
		 */
		public Builder writeWaterMarks(int low, int high) {
			this.writeLowWaterMark = low;
			this.writeHighWaterMark = high;
			return this;
		}

		/**
		 * Adds a listener after those added so far.
		 * @param listener the listener
		 * @return this builder
		 */
		public Builder listener(ListenerSettings listener) {
			this.listeners.add(listener);
			return this;
		}

		/**
		 * Replaces the listeners added so far.
		 * @param listeners the listeners, in order
		 * @return this builder
		 */
		public Builder listeners(List<ListenerSettings> listeners) {
			this.listeners.clear();
			this.listeners.addAll(listeners);
			return this;
		}

		/**
		 * Builds the settings, checking every invariant.
		 * @return the settings
		 * @throws IllegalArgumentException naming the setting that is out of range
		 */
		public ServerSettings build() {
			return new ServerSettings(this.ring, this.bufferCount, this.bufferSize, this.eventLoops,
					this.writeHighWaterMark, this.writeLowWaterMark, this.listeners,
					(this.writeLimit > 0) ? this.writeLimit : defaultWriteLimit(this.writeHighWaterMark),
					this.closeLimit);
		}

	}

}
