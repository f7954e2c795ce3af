package dev.iouring.server;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.iouring.ring.NativeMemory;
import dev.iouring.ring.SocketStructs;
import dev.iouring.server.codec.Framing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The engine's small pieces on their own, without a ring or a socket: the user_data encoding, the
 * outbound queue (as iovecs and as gathered buffers), the held-receive FIFO and its budget, and the
 * connection timers.
 */
class EnginePiecesTests {

	/** A close limit for the unit checks of the timers. */
	private static final long LIMIT = Duration.ofSeconds(30).toNanos();

	@Test
	void userDataKeepsOpSlotAndGenerationApartAtTheirLimits() {
		int[] slots = { 0, 1, 65_535, Integer.MAX_VALUE, -1 };
		int[] generations = { 0, 1, UserData.GENERATION_MASK, UserData.GENERATION_MASK + 1 };
		for (int op = UserData.ACCEPT; op <= UserData.TIMER; op++) {
			for (int slot : slots) {
				for (int generation : generations) {
					long userData = UserData.encode(op, slot, generation);
					assertThat(UserData.op(userData)).isEqualTo(op);
					assertThat(UserData.slot(userData)).isEqualTo(slot);
					assertThat(UserData.generation(userData)).isEqualTo(generation & UserData.GENERATION_MASK);
				}
			}
		}
		// A generation that wrapped is a different generation: a late completion cannot pass for a new one.
		assertThat(UserData.encode(UserData.RECV, 7, 1)).isNotEqualTo(UserData.encode(UserData.RECV, 7, 2));
	}

	@Test
	void outboundQueueGathersItsBytesInOrderIntoBuffersForAChannelWrite() {
		ChunkPool pool = new ChunkPool();
		OutboundQueue queue = new OutboundQueue(pool);
		Random random = new Random(11);
		ByteArrayOutputStream expected = new ByteArrayOutputStream();
		ByteArrayOutputStream sent = new ByteArrayOutputStream();
		java.nio.ByteBuffer[] gather = new java.nio.ByteBuffer[OutboundQueue.MAX_GATHER];
		for (int step = 0; step < 1000; step++) {
			byte[] data = new byte[random.nextInt(70_000)];
			random.nextBytes(data);
			queue.append(MemorySegment.ofArray(data), 0, data.length);
			expected.write(data, 0, data.length);
			// A channel takes any part of the gathered buffers, as a short write does.
			int count = queue.gather(gather);
			long available = 0;
			for (int i = 0; i < count; i++) {
				available += gather[i].remaining();
			}
			assertThat(available).isLessThanOrEqualTo(queue.bytes());
			long take = (available == 0) ? 0 : 1 + (long) (random.nextDouble() * available);
			long left = take;
			for (int i = 0; i < count && left > 0; i++) {
				int n = (int) Math.min(left, gather[i].remaining());
				byte[] part = new byte[n];
				gather[i].get(part);
				sent.writeBytes(part);
				left -= n;
			}
			queue.advance(take);
		}
		byte[] all = expected.toByteArray();
		byte[] prefix = sent.toByteArray();
		assertThat(prefix).isEqualTo(java.util.Arrays.copyOf(all, prefix.length));
		assertThat(queue.bytes()).isEqualTo(all.length - prefix.length);
		queue.clear();
		assertThat(pool.freeChunks() + pool.discardedChunks()).isEqualTo(pool.totalChunks());
		pool.release();
	}

	@Test
	void heldReceivesComeBackInArrivalOrderAndShareOneBudgetPerLoop() {
		HeldReceives.Budget budget = new HeldReceives.Budget(5);
		HeldReceives first = new HeldReceives(budget);
		HeldReceives second = new HeldReceives(budget);
		for (int i = 0; i < 3; i++) {
			assertThat(budget.canHold()).isTrue();
			first.add(i, 100 + i);
		}
		second.add(40, Integer.MAX_VALUE);
		second.add(41, 1);
		// Five held across the loop: the budget is spent, whichever connection asks.
		assertThat(budget.canHold()).isFalse();
		assertThat(budget.held()).isEqualTo(5);
		for (int i = 0; i < 3; i++) {
			long entry = first.poll();
			assertThat(HeldReceives.bufferId(entry)).isEqualTo(i);
			assertThat(HeldReceives.length(entry)).isEqualTo(100 + i);
		}
		assertThat(first.isEmpty()).isTrue();
		assertThat(budget.canHold()).isTrue();
		assertThat(HeldReceives.length(second.poll())).isEqualTo(Integer.MAX_VALUE);
		// The FIFO grows past its first array and wraps around without losing order.
		for (int round = 0; round < 50; round++) {
			first.add(round, round);
			first.add(round + 1000, round);
			assertThat(HeldReceives.bufferId(first.poll())).isEqualTo(round);
			assertThat(HeldReceives.bufferId(first.poll())).isEqualTo(round + 1000);
		}
		assertThat(new HeldReceives.Budget(0).canHold()).as("a budget always allows one").isTrue();
	}

	@Test
	void outboundQueueGivesBackTheBytesInOrderThroughItsIovecsAndReturnsEveryChunk() {
		long reserved = NativeMemory.reservedBytes();
		ChunkPool pool = new ChunkPool();
		OutboundQueue queue = new OutboundQueue(pool);
		Random random = new Random(7);
		ByteArrayOutputStream expected = new ByteArrayOutputStream();
		ByteArrayOutputStream sent = new ByteArrayOutputStream();
		try (Arena arena = Arena.ofConfined()) {
			MemorySegment iovecs = arena.allocate(SocketStructs.IOVEC_SIZE * 4, 8);
			for (int step = 0; step < 2000; step++) {
				byte[] data = new byte[random.nextInt(40_000)];
				random.nextBytes(data);
				queue.append(data, 0, data.length);
				expected.write(data, 0, data.length);
				assertThat(queue.bytes()).isEqualTo(expected.size() - sent.size());
				// The kernel takes any part of what the iovecs describe, as a short send does.
				int count = queue.prepareIovecs(iovecs, 4);
				long described = 0;
				for (int i = 0; i < count; i++) {
					described += iovecs.get(ValueLayout.JAVA_LONG, i * SocketStructs.IOVEC_SIZE + SocketStructs.IOVEC_LEN);
				}
				long take = (described == 0) ? 0 : 1 + (long) (random.nextDouble() * described);
				long left = take;
				for (int i = 0; i < count && left > 0; i++) {
					long base = iovecs.get(ValueLayout.JAVA_LONG, i * SocketStructs.IOVEC_SIZE + SocketStructs.IOVEC_BASE);
					long length = iovecs.get(ValueLayout.JAVA_LONG, i * SocketStructs.IOVEC_SIZE + SocketStructs.IOVEC_LEN);
					int n = (int) Math.min(left, length);
					sent.writeBytes(MemorySegment.ofAddress(base).reinterpret(n).toArray(ValueLayout.JAVA_BYTE));
					left -= n;
				}
				queue.advance(take);
			}
		}
		// What was sent is a prefix of what was queued, byte for byte; the queue holds exactly the rest.
		byte[] all = expected.toByteArray();
		byte[] prefix = sent.toByteArray();
		assertThat(prefix).isEqualTo(java.util.Arrays.copyOf(all, prefix.length));
		assertThat(queue.bytes()).isEqualTo(all.length - prefix.length);
		queue.clear();
		assertThat(queue.isEmpty()).isTrue();
		assertThat(pool.freeChunks() + pool.discardedChunks()).isEqualTo(pool.totalChunks());
		pool.release();
		assertThat(NativeMemory.reservedBytes()).isEqualTo(reserved);
	}

	@Test
	void timersSweepAtAQuarterOfTheShortestTimeoutAndOftenWhileSomethingCloses() {
		TcpHandler ignore = (connection, data) -> {
		};
		ListenerRuntime idle = new ListenerRuntime(0, ListenerSettings.of("idle", 0, ignore)
			.withLimits(10, Duration.ofSeconds(2)));
		ListenerRuntime framed = new ListenerRuntime(1, ListenerSettings.of("framed", 0, ignore)
			.withFraming(Framing.line())
			.withFrameTimeout(Duration.ofMillis(400)));
		ListenerRuntime raw = new ListenerRuntime(2, ListenerSettings.of("raw", 0, ignore)
			.withFrameTimeout(Duration.ofMillis(1)));
		ConnectionTimers timers = new ConnectionTimers(new ListenerRuntime[] { idle, framed, raw }, LIMIT);
		long now = System.nanoTime();
		assertThat(timers.nanosUntilDue(now, false)).isBetween(0L, Duration.ofMillis(100).toNanos());
		assertThat(timers.isIdle(0, now, now + Duration.ofSeconds(3).toNanos())).isTrue();
		assertThat(timers.isIdle(0, now, now + Duration.ofSeconds(1).toNanos())).isFalse();
		assertThat(timers.isIdle(1, now, now + Duration.ofDays(1).toNanos())).as("no idle timeout").isFalse();
		assertThat(timers.isFrameOverdue(1, now | 1, now + Duration.ofMillis(500).toNanos())).isTrue();
		assertThat(timers.isFrameOverdue(1, 0, now + Duration.ofDays(1).toNanos())).as("no frame under way").isFalse();
		assertThat(timers.isFrameOverdue(2, now | 1, now + Duration.ofDays(1).toNanos()))
			.as("a frame timeout means nothing without framing")
			.isFalse();
		ConnectionTimers none = new ConnectionTimers(
				new ListenerRuntime[] { new ListenerRuntime(0, ListenerSettings.of("raw", 0, ignore)) }, LIMIT);
		long later = System.nanoTime();
		assertThat(none.nanosUntilDue(later, false)).as("nothing to sweep").isEqualTo(-1);
		assertThat(none.nanosUntilDue(later, true)).as("a closing connection brings sweeps back")
			.isBetween(0L, Duration.ofMillis(250).toNanos());
	}

	@Test
	void aCloseWaitsForItsPeerWithinOneLimitAndIsCountedOnce() {
		CloseDeadline close = new CloseDeadline();
		long quiet = ConnectionTimers.LINGER_QUIET_NANOS;
		long limit = LIMIT;
		assertThat(close.isDue(Long.MAX_VALUE / 2)).as("not closing").isFalse();
		assertThat(close.startSending(0, limit)).as("the first start counts").isTrue();
		assertThat(close.isDue(limit - 1)).as("sending may take up to the limit").isFalse();
		assertThat(close.startLingering(limit - quiet / 2, limit / 2)).as("one close, counted once").isFalse();
		close.peerSent(limit - 10);
		assertThat(close.isDue(limit)).as("a peer that keeps sending cannot push past the limit").isFalse();
		assertThat(close.isDue(limit + 1)).isTrue();
		assertThat(close.isPastLimit(limit + 1)).isTrue();
		assertThat(close.end()).isTrue();
		assertThat(close.end()).as("ended once").isFalse();
		CloseDeadline lingering = new CloseDeadline();
		assertThat(lingering.startLingering(100, limit)).isTrue();
		assertThat(lingering.isDue(100 + quiet)).isFalse();
		assertThat(lingering.isDue(100 + quiet + 1)).as("quiet for a second").isTrue();
	}

	/**
	 * The README promises a lingering close ends after one quiet second and within 30 s: a change of
	 * either default must be a change of this test too.
	 */
	@Test
	void aCloseLingersOneQuietSecondWithinThirtySecondsByDefault() {
		ServerSettings settings = ServerSettings.builder()
			.listener(ListenerSettings.of("only", 0, (connection, data) -> {
			}))
			.build();
		assertThat(settings.closeLimit()).isEqualTo(Duration.ofSeconds(30));
		assertThat(settings.toBuilder().build().closeLimit()).isEqualTo(Duration.ofSeconds(30));
		ConnectionTimers timers = new ConnectionTimers(new ListenerRuntime[0], settings.closeLimit().toNanos());
		long second = Duration.ofSeconds(1).toNanos();
		CloseDeadline quiet = new CloseDeadline();
		quiet.startLingering(0, timers.closeLimitNanos());
		assertThat(quiet.isDue(second)).as("not yet quiet for a second").isFalse();
		assertThat(quiet.isDue(second + 1)).as("quiet for a second").isTrue();
		CloseDeadline chatty = new CloseDeadline();
		chatty.startLingering(0, timers.closeLimitNanos());
		long now = 0;
		while (!chatty.isDue(now)) {
			now += second / 2;
			chatty.peerSent(now);
		}
		assertThat(now).as("a peer sending every half second is cut at the limit")
			.isGreaterThan(Duration.ofSeconds(30).toNanos())
			.isLessThanOrEqualTo(Duration.ofSeconds(30).toNanos() + second / 2);
		assertThatIllegalArgumentException()
			.isThrownBy(() -> settings.toBuilder().closeLimit(Duration.ZERO).build())
			.withMessage("the close limit must be positive but was PT0S");
	}

}
