package dev.iouring.server;

/**
 * Closes the connections of a loop whose deadline passed: a close that waited too long for its peer, an
 * idle connection, or a frame that takes too long to arrive (the answers to earlier frames are sent
 * first). One sweep over the loop's connections when {@link ConnectionTimers} says one is due, rather
 * than a timer per connection.
 *
 * <p>Threads: the loop thread only.
 */
final class DeadlineSweep {

	private DeadlineSweep() {
	}

	static void closeOverdue(ConnectionCore core, ConnectionTimers timers) {
		LiveConnections live = core.live();
		long now = core.turnNanos;
		for (int i = live.size() - 1; i >= 0; i--) {
			if (i >= live.size()) {
				// An onClose handler closed others too: look again at the next sweep.
				continue;
			}
			ServedConnection connection = live.get(i);
			switch (timers.due(connection.listener.index, connection.closeDeadline, connection.lastActive,
					connection.frameStarted, connection.setupDeadline, now)) {
				case CLOSE -> {
					if (peerHasEverything(connection, now)) {
						core.closeNow(connection, connection.closeReason);
					}
				}
				case IDLE -> core.closeNow(connection, CloseReason.IDLE_TIMEOUT);
				case SETUP -> {
					core.faults.log().info("Closing {}: its setup (PROXY header, TLS handshake) did not finish in time",
							connection);
					connection.inputEnded = true;
					core.closeAfterFlush(connection, connection.pipeline.setupTimedOut());
				}
				case FRAME -> {
					core.faults.log().info("Closing {}: a frame did not finish within the frame timeout", connection);
					connection.inputEnded = true;
					core.closeAfterFlush(connection, CloseReason.FRAME_TIMEOUT);
				}
				case NOTHING -> {
				}
			}
		}
	}

	/**
	 * Whether a lingering connection whose peer went quiet may be closed now: only once the peer's kernel
	 * has acknowledged every byte sent, where the transport can tell (or the close's hard deadline
	 * passed). A peer slow to read still holds part of the reply in our send buffer; if it sends again as
	 * the socket closes, the kernel answers with a reset and discards that part.
	 */
	private static boolean peerHasEverything(ServedConnection connection, long now) {
		if (!connection.lingering || connection.closeDeadline.isPastLimit(now)) {
			return true;
		}
		if (connection.io.unacknowledgedBytes() > 0) {
			connection.closeDeadline.peerSent(now);
			return false;
		}
		return true;
	}

}
