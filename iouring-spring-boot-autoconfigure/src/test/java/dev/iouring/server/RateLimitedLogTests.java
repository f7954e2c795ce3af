package dev.iouring.server;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rate-limited log and the frame-timeout bookkeeping, without sockets.
 */
class RateLimitedLogTests {

	@Test
	void logsAtMostItsLimitPerIntervalAndCountsTheRest() {
		RateLimitedLog log = new RateLimitedLog(LoggerFactory.getLogger(RateLimitedLogTests.class), 3,
				Long.MAX_VALUE / 4);
		for (int i = 0; i < 1000; i++) {
			log.info("line {}", i);
		}
		assertThat(log.suppressed()).isEqualTo(997);
	}

	@Test
	void aNewIntervalStartsCountingAfresh() {
		RateLimitedLog log = new RateLimitedLog(LoggerFactory.getLogger(RateLimitedLogTests.class), 2, 0);
		for (int i = 0; i < 10; i++) {
			log.info("line {}", i);
		}
		assertThat(log.suppressed()).isZero();
	}

	@Test
	void aFrameMarkIsSetWhenAFrameBeginsKeptWhileItLastsAndMovedWhenOneCompletes() {
		assertThat(ConnectionTimers.frameMark(0, false, 0, 100)).isZero();
		long started = ConnectionTimers.frameMark(0, false, 5, 100);
		assertThat(started).isNotZero();
		assertThat(ConnectionTimers.frameMark(started, false, 9, 900)).isEqualTo(started);
		assertThat(ConnectionTimers.frameMark(started, true, 3, 900)).isEqualTo(900 | 1);
		assertThat(ConnectionTimers.frameMark(started, true, 0, 900)).isZero();
	}

}
