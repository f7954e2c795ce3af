package dev.iouring.autoconfigure.metrics;

import java.util.List;
import java.util.function.ToLongFunction;

import dev.iouring.server.CloseReason;
import dev.iouring.server.ListenerStats;

/**
 * One listener's figures summed over the event loops, for the meters that are tagged by listener but
 * not by loop. Meters hold their state object weakly, so {@link IoUringMetrics} keeps these instances.
 */
final class ListenerTotals {

	private final String listener;

	private final ListenerStats[] perLoop;

	ListenerTotals(String listener, List<ListenerStats> perLoop) {
		this.listener = listener;
		this.perLoop = perLoop.toArray(ListenerStats[]::new);
	}

	String listener() {
		return this.listener;
	}

	long rejected() {
		return sum(ListenerStats::rejected);
	}

	long framesReceived() {
		return sum(ListenerStats::framesReceived);
	}

	long handshakesSucceeded() {
		return sum(ListenerStats::handshakesSucceeded);
	}

	long handshakesFailed() {
		return sum(ListenerStats::handshakesFailed);
	}

	long handshakesTimedOut() {
		return sum(ListenerStats::handshakesTimedOut);
	}

	long handshakeNanos() {
		return sum(ListenerStats::handshakeNanos);
	}

	long closed(CloseReason reason) {
		return sum((stats) -> stats.closed(reason));
	}

	private long sum(ToLongFunction<ListenerStats> figure) {
		long sum = 0;
		for (ListenerStats stats : this.perLoop) {
			sum += figure.applyAsLong(stats);
		}
		return sum;
	}

}
