package dev.iouring.autoconfigure.metrics;

import java.util.List;

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

	double rejected() {
		long sum = 0;
		for (ListenerStats stats : this.perLoop) {
			sum += stats.rejected();
		}
		return sum;
	}

	double framesReceived() {
		long sum = 0;
		for (ListenerStats stats : this.perLoop) {
			sum += stats.framesReceived();
		}
		return sum;
	}

	double closed(CloseReason reason) {
		long sum = 0;
		for (ListenerStats stats : this.perLoop) {
			sum += stats.closed(reason);
		}
		return sum;
	}

}
