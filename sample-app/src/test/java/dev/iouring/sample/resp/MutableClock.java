package dev.iouring.sample.resp;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/**
 * A clock that moves only when a test says so, for expiry tests that never sleep.
 */
final class MutableClock implements InstantSource {

	private volatile long millis = 1_700_000_000_000L;

	void advance(Duration duration) {
		this.millis += duration.toMillis();
	}

	@Override
	public Instant instant() {
		return Instant.ofEpochMilli(this.millis);
	}

	@Override
	public long millis() {
		return this.millis;
	}

}
