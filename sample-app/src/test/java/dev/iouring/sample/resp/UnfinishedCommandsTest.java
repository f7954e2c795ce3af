package dev.iouring.sample.resp;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The budget's bookkeeping and the timeout's arithmetic of {@link UnfinishedCommands}; the closes they
 * cause are tested over sockets in {@link RespPendingBudgetEndToEndTests} and
 * {@link RespCommandTimeoutEndToEndTests}.
 */
class UnfinishedCommandsTest {

	@Test
	void aReservationThatWouldPassTheBudgetIsRefusedAndTakesNothing() {
		try (UnfinishedCommands unfinished = new UnfinishedCommands(Duration.ZERO, 1000)) {
			assertThat(unfinished.reserve(600)).isTrue();
			assertThat(unfinished.reserve(401)).isFalse();
			assertThat(unfinished.heldBytes()).isEqualTo(600);
			assertThat(unfinished.reserve(400)).isTrue();
			unfinished.release(1000);
			assertThat(unfinished.heldBytes()).isZero();
		}
	}

	@Test
	void aZeroBudgetRefusesNothing() {
		try (UnfinishedCommands unfinished = new UnfinishedCommands(Duration.ZERO, 0)) {
			assertThat(unfinished.reserve(Integer.MAX_VALUE)).isTrue();
			assertThat(unfinished.reserve(Integer.MAX_VALUE)).isTrue();
		}
	}

	@Test
	void aCommandIsOverdueOnlyPastTheTimeoutAndOnlyWhenOneIsUnderWay() {
		try (UnfinishedCommands unfinished = new UnfinishedCommands(Duration.ofSeconds(2), 0)) {
			long started = 1_000_000_001L;
			assertThat(unfinished.isOverdue(started, started + Duration.ofSeconds(2).toNanos())).isFalse();
			assertThat(unfinished.isOverdue(started, started + Duration.ofSeconds(2).toNanos() + 1)).isTrue();
			assertThat(unfinished.isOverdue(0, started + Duration.ofHours(1).toNanos())).isFalse();
		}
		try (UnfinishedCommands noTimeout = new UnfinishedCommands(Duration.ZERO, 0)) {
			assertThat(noTimeout.isOverdue(1, Duration.ofDays(1).toNanos())).isFalse();
		}
	}

	@Test
	void negativeBoundsAreRejected() {
		assertThatIllegalArgumentException().isThrownBy(() -> new UnfinishedCommands(Duration.ofSeconds(-1), 0))
			.withMessage("commandTimeout must not be negative but was PT-1S");
		assertThatIllegalArgumentException().isThrownBy(() -> new UnfinishedCommands(Duration.ZERO, -1))
			.withMessage("budget must not be negative but was -1");
	}

}
