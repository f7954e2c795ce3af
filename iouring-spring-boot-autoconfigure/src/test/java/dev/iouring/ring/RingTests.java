package dev.iouring.ring;

import java.io.OutputStream;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * Specifications of {@link Ring} against the running kernel. Every wait for a completion has a deadline,
 * so a ring that never completes fails the test instead of hanging it.
 */
class RingTests {

	/** Generous bound for a completion the kernel posts at once, on a loaded two-core machine. */
	private static final Duration COMPLETION_LIMIT = Duration.ofSeconds(30);

	private long reservedBefore;

	@BeforeEach
	void recordNativeMemory() {
		IoUringAssumptions.assumeIoUring();
		this.reservedBefore = NativeMemory.reservedBytes();
	}

	@AfterEach
	void nativeMemoryIsReleased() {
		assertThat(NativeMemory.reservedBytes()).isEqualTo(this.reservedBefore);
	}

	@Test
	void nopCompletesWithItsUserData() {
		try (Ring ring = Ring.create(RingOptions.of(8, 16))) {
			ring.sq().prepNop(0xCAFE_BABE_1234L);
			submitAndAwaitCompletion(ring);
			List<long[]> seen = new ArrayList<>();
			int reaped = ring.cq().reap((userData, res, flags) -> seen.add(new long[] { userData, res, flags }));
			assertThat(reaped).isEqualTo(1);
			assertThat(seen).hasSize(1);
			assertThat(seen.get(0)[0]).isEqualTo(0xCAFE_BABE_1234L);
			assertThat(seen.get(0)[1]).isZero();
			assertThat(ring.submissions()).isEqualTo(1);
			assertThat(ring.completions()).isEqualTo(1);
			assertThat(ring.enters()).isEqualTo(1);
		}
	}

	@Test
	void queuesWrapAroundOverManyBatchesWithoutLosingACompletion() {
		try (Ring ring = Ring.create(RingOptions.of(8, 16))) {
			long next = 0;
			long expected = 0;
			long[] sum = new long[2];
			for (int batch = 0; batch < 500; batch++) {
				int size = 1 + (batch % 13);
				for (int i = 0; i < size; i++) {
					ring.sq().prepNop(next++);
				}
				while (ring.completions() < next) {
					submitAndAwaitCompletion(ring);
					ring.cq().reap((userData, res, flags) -> {
						sum[0] += userData;
						sum[1]++;
					});
				}
			}
			for (long i = 0; i < next; i++) {
				expected += i;
			}
			assertThat(sum[1]).isEqualTo(next);
			assertThat(sum[0]).isEqualTo(expected);
			assertThat(ring.cq().overflow()).isZero();
		}
	}

	@Test
	void grantsSingleIssuerAndDeferredTaskRunOnThisKernel() {
		try (Ring ring = Ring.create(RingOptions.of(64, 256))) {
			assertThat(SetupFlags.names(ring.setupFlags())).contains("CQSIZE", "SINGLE_ISSUER", "DEFER_TASKRUN",
					"SUBMIT_ALL");
			assertThat(ring.sqEntries()).isEqualTo(64);
			assertThat(ring.cqEntries()).isEqualTo(256);
			assertThat(ring.isRingFdRegistered()).isTrue();
			assertThat(Features.names(ring.features())).contains("NODROP", "EXT_ARG", "SINGLE_MMAP");
		}
	}

	@Test
	void setupFlagBitsMatchTheKernelHeader() {
		assertThat(SetupFlags.SQPOLL).isEqualTo(0x2);
		assertThat(SetupFlags.CQSIZE).isEqualTo(0x8);
		assertThat(SetupFlags.SUBMIT_ALL).isEqualTo(0x80);
		assertThat(SetupFlags.COOP_TASKRUN).isEqualTo(0x100);
		assertThat(SetupFlags.SINGLE_ISSUER).isEqualTo(0x1000);
		assertThat(SetupFlags.DEFER_TASKRUN).isEqualTo(0x2000);
		assertThat(SetupFlags.NO_SQARRAY).isEqualTo(0x10000);
		assertThat(SetupFlags.names(SetupFlags.SQPOLL | SetupFlags.SQ_AFF)).containsExactly("SQPOLL", "SQ_AFF");
	}

	@Test
	void probeReportsTheNetworkingOpcodes() {
		try (Ring ring = Ring.create(RingOptions.of(8, 16))) {
			Probe probe = ring.probe();
			assertThat(probe.isSupported(Opcode.ACCEPT)).isTrue();
			assertThat(probe.isSupported(Opcode.RECV)).isTrue();
			assertThat(probe.isSupported(Opcode.SEND)).isTrue();
			assertThat(probe.isSupported(Opcode.SENDMSG)).isTrue();
			assertThat(probe.isSupported(Opcode.ASYNC_CANCEL)).isTrue();
			assertThat(probe.lastOp()).isGreaterThanOrEqualTo(Opcode.SEND_ZC);
		}
	}

	@Test
	void receiveOnABadDescriptorCompletesWithEbadf() {
		try (Ring ring = Ring.create(RingOptions.of(8, 16));
				BufferRing buffers = BufferRing.register(ring, 1, 4, 256)) {
			ring.sq().prepMultishotRecv(987_654, buffers.groupId(), 42);
			submitAndAwaitCompletion(ring);
			int[] result = new int[1];
			ring.cq().reap((userData, res, flags) -> result[0] = res);
			assertThat(Errno.name(result[0])).isEqualTo("EBADF");
		}
	}

	@Test
	void optionsRejectAnEntryCountThatIsNotAPowerOfTwo() {
		assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(() -> RingOptions.of(1000, 1000))
			.withMessage("ring entries must be a power of two between 1 and 32768 but was 1000");
	}

	@Test
	void timedWaitReturnsWhenNothingCompletes() {
		try (Ring ring = Ring.create(RingOptions.of(8, 16))) {
			ring.submitAndWait(1, 1_000_000);
			assertThat(ring.cq().ready()).isZero();
			assertThat(ring.enters()).isEqualTo(1);
		}
	}

	@Test
	void buffersAreConsumedByMultishotReceiveAndRefilled() throws Exception {
		try (Ring ring = Ring.create(RingOptions.of(16, 64));
				BufferRing buffers = BufferRing.register(ring, 7, 2, 64)) {
			int listener = Sockets.openListener(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
			try (Socket client = new Socket()) {
				client.connect(Sockets.localAddress(listener));
				ring.sq().prepMultishotAccept(listener, Sockets.SOCK_CLOEXEC, 1);
				int[] accepted = { -1 };
				while (accepted[0] < 0) {
					submitAndAwaitCompletion(ring);
					ring.cq().reap((userData, res, flags) -> accepted[0] = res);
				}
				int fd = accepted[0];
				ring.sq().prepMultishotRecv(fd, buffers.groupId(), 2);
				ring.submit();
				OutputStream out = client.getOutputStream();
				StringBuilder received = new StringBuilder();
				StringBuilder sent = new StringBuilder();
				// Six messages through two buffers: only works if every buffer is recycled and the
				// receive is re-armed when the kernel ends it (ENOBUFS, or no F_MORE).
				for (int i = 0; i < 6; i++) {
					String message = "message-" + i + ";";
					out.write(message.getBytes(StandardCharsets.US_ASCII));
					out.flush();
					sent.append(message);
					int target = received.length() + message.length();
					while (received.length() < target) {
						submitAndAwaitCompletion(ring);
						ring.cq().reap((userData, res, flags) -> {
							if (res > 0) {
								int bid = Cqe.bufferId(flags);
								buffers.taken();
								byte[] bytes = new byte[res];
								java.lang.foreign.MemorySegment.copy(buffers.buffers(), ValueLayout.JAVA_BYTE,
										buffers.offset(bid), bytes, 0, res);
								received.append(new String(bytes, StandardCharsets.US_ASCII));
								buffers.recycle(bid);
								buffers.publishRecycled();
							}
							if (!Cqe.hasMore(flags)) {
								ring.sq().prepMultishotRecv(fd, buffers.groupId(), 2);
							}
						});
					}
				}
				assertThat(received).hasToString(sent.toString());
				assertThat(buffers.available()).isEqualTo(2);
				ring.sq().prepCancelFd(fd, 3);
				submitAndAwaitCompletion(ring);
				ring.cq().reap((userData, res, flags) -> {
				});
				Sockets.close(fd);
			}
			finally {
				Sockets.close(listener);
			}
		}
	}

	@Test
	void sqpollRingWakesItsSleepingPollerOnlyToHandOverNewEntries() {
		try (Ring ring = Ring.create(new RingOptions(8, 16, true, Duration.ofMillis(10), -1))) {
			assumeThat(SetupFlags.names(ring.setupFlags())).as("SQPOLL granted by this kernel").contains("SQPOLL");
			ring.sq().prepNop(1);
			submitAndAwaitCompletion(ring);
			ring.cq().reap((userData, res, flags) -> {
			});
			// 10 ms without SQEs and the poller sleeps, saying so with IORING_SQ_NEED_WAKEUP. The ring's memory
			// belongs to this thread, so the flag is polled here.
			await().atMost(COMPLETION_LIMIT)
				.pollInSameThread()
				.pollInterval(Duration.ofMillis(5))
				.until(ring.sq()::needsWakeup);
			long wakeupsAsleep = ring.sqWakeups();
			ring.submitAndWait(0, 0);
			assertThat(ring.sqWakeups()).as("wake-ups for an enter with nothing to hand over").isEqualTo(wakeupsAsleep);
			assertThat(ring.sq().needsWakeup()).as("poller still asleep").isTrue();
			ring.sq().prepNop(2);
			long[] seen = new long[1];
			submitAndAwaitCompletion(ring);
			ring.cq().reap((userData, res, flags) -> seen[0] = userData);
			assertThat(seen[0]).as("the NOP the woken poller submitted").isEqualTo(2);
			assertThat(ring.sqWakeups()).isEqualTo(wakeupsAsleep + 1);
		}
	}

	/**
	 * Hands every queued SQE to the kernel and waits, a second at a time, until a completion is ready.
	 * @throws AssertionError if none is ready within {@link #COMPLETION_LIMIT}
	 */
	private static void submitAndAwaitCompletion(Ring ring) {
		long deadline = System.nanoTime() + COMPLETION_LIMIT.toNanos();
		ring.submitAndWait(1, 1_000_000_000L);
		while (ring.cq().ready() == 0) {
			if (System.nanoTime() - deadline > 0) {
				throw new AssertionError("no completion within " + COMPLETION_LIMIT + " on " + ring);
			}
			ring.submitAndWait(1, 1_000_000_000L);
		}
	}

}
