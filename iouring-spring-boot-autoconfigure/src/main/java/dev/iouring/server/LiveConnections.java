package dev.iouring.server;

import java.util.Arrays;

/**
 * The connections a loop serves (open, closing or lingering), in no particular order: adding and
 * removing are O(1), each connection knowing its position. Iterate from the end, or over a
 * {@link #snapshot()} where a step may close connections.
 *
 * <p>Threads: the loop thread only.
 */
final class LiveConnections {

	private ServedConnection[] connections = new ServedConnection[64];

	private int size;

	void add(ServedConnection connection) {
		if (this.size == this.connections.length) {
			this.connections = Arrays.copyOf(this.connections, this.size * 2);
		}
		connection.position = this.size;
		this.connections[this.size++] = connection;
	}

	void remove(ServedConnection connection) {
		ServedConnection last = this.connections[--this.size];
		this.connections[this.size] = null;
		if (last != connection) {
			last.position = connection.position;
			this.connections[connection.position] = last;
		}
	}

	int size() {
		return this.size;
	}

	ServedConnection get(int index) {
		return this.connections[index];
	}

	/** A copy of the list, for steps that may close (and so remove) connections as they go. */
	ServedConnection[] snapshot() {
		return Arrays.copyOf(this.connections, this.size);
	}

	/** Bytes queued for sending over every connection. */
	long queuedBytes() {
		long total = 0;
		for (int i = 0; i < this.size; i++) {
			total += this.connections[i].outbound.bytes();
		}
		return total;
	}

}
