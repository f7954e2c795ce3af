package dev.iouring.sample.resp;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.Test;

import dev.iouring.sample.resp.KeyValueStore.SetCondition;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The store on its own: probes, expiry, concurrent updates, and the running key count and memory
 * figure.
 */
class KeyValueStoreTest {

	private final MutableClock clock = new MutableClock();

	private final KeyValueStore store = new KeyValueStore(this.clock);

	@Test
	void aReusedProbeFindsKeysStoredThroughIt() {
		Key probe = Key.probe(2);
		for (String name : new String[] { "a", "longer-than-the-probe", "b" }) {
			this.store.set(fill(probe, name), name.getBytes(StandardCharsets.UTF_8), 0, SetCondition.ALWAYS);
		}
		for (String name : new String[] { "a", "longer-than-the-probe", "b" }) {
			assertThat(this.store.get(fill(probe, name))).asString(StandardCharsets.UTF_8).isEqualTo(name);
		}
		assertThat(this.store.size()).isEqualTo(3);
	}

	@Test
	void sizeCountsOnlyLiveKeys() {
		this.store.set(key("short"), new byte[0], 1_000, SetCondition.ALWAYS);
		this.store.set(key("long"), new byte[0], 2_000, SetCondition.ALWAYS);
		this.store.set(key("forever"), new byte[0], 0, SetCondition.ALWAYS);
		assertThat(this.store.size()).isEqualTo(3);
		this.clock.advance(Duration.ofMillis(1_000));
		assertThat(this.store.size()).isEqualTo(2);
		assertThat(this.store.delete(key("short"))).isFalse();
		this.clock.advance(Duration.ofMillis(1_000));
		assertThat(this.store.size()).isEqualTo(1);
	}

	@Test
	void concurrentIncrementsAreNotLost() throws Exception {
		int threads = 4;
		int increments = 10_000;
		CountDownLatch start = new CountDownLatch(1);
		List<CompletableFuture<Void>> workers = new ArrayList<>();
		for (int t = 0; t < threads; t++) {
			workers.add(CompletableFuture.runAsync(() -> {
				Key probe = Key.probe(8);
				awaitQuietly(start);
				for (int i = 0; i < increments; i++) {
					this.store.incrementBy(fill(probe, "counter"), 1);
				}
			}));
		}
		start.countDown();
		CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new)).get();
		assertThat(this.store.get(key("counter"))).asString(StandardCharsets.US_ASCII)
			.isEqualTo(Integer.toString(threads * increments));
	}

	@Test
	void usedMemoryCountsEachKeyAndValueWithAFixedOverhead() {
		long plain = KeyValueStore.ENTRY_OVERHEAD;
		long timed = plain + KeyValueStore.EXPIRY_OVERHEAD;
		this.store.set(key("k"), new byte[10], 0, SetCondition.ALWAYS);
		assertThat(this.store.usedMemory()).isEqualTo(plain + 1 + 10);
		this.store.set(key("k"), new byte[100], 0, SetCondition.ALWAYS);
		assertThat(this.store.usedMemory()).isEqualTo(plain + 1 + 100);
		this.store.set(key("k"), new byte[5], 1_000, SetCondition.IF_PRESENT);
		this.store.set(key("other"), new byte[7], 0, SetCondition.IF_ABSENT);
		assertThat(this.store.usedMemory()).isEqualTo(timed + 1 + 5 + plain + 5 + 7);
		this.store.incrementBy(key("n"), 12);
		assertThat(this.store.usedMemory()).isEqualTo(timed + 1 + 5 + plain + 5 + 7 + plain + 1 + 2);
		assertThat(this.store.delete(key("other"))).isTrue();
		assertThat(this.store.usedMemory()).isEqualTo(timed + 1 + 5 + plain + 1 + 2);
		this.clock.advance(Duration.ofMillis(1_000));
		assertThat(this.store.size()).isEqualTo(1);
		assertThat(this.store.usedMemory()).isEqualTo(plain + 1 + 2);
		this.store.clear();
		assertThat(this.store.usedMemory()).isZero();
		assertThat(this.store.size()).isZero();
	}

	@Test
	void anOverwrittenOrDeletedKeyLeavesTheExpiryIndex() {
		this.store.set(key("overwritten"), new byte[1], 1_000, SetCondition.ALWAYS);
		this.store.set(key("overwritten"), new byte[1], 0, SetCondition.ALWAYS);
		this.store.set(key("re-timed"), new byte[1], 1_000, SetCondition.ALWAYS);
		this.store.set(key("re-timed"), new byte[1], 5_000, SetCondition.ALWAYS);
		this.store.set(key("deleted"), new byte[1], 1_000, SetCondition.ALWAYS);
		this.store.delete(key("deleted"));
		this.store.set(key("deleted"), new byte[1], 0, SetCondition.ALWAYS);
		this.clock.advance(Duration.ofMillis(1_000));
		assertThat(this.store.size()).isEqualTo(3);
		this.clock.advance(Duration.ofMillis(4_000));
		assertThat(this.store.size()).isEqualTo(2);
		assertThat(this.store.get(key("overwritten"))).isNotNull();
		assertThat(this.store.get(key("deleted"))).isNotNull();
	}

	@Test
	void eachCallReclaimsABoundedBatchOfExpiredKeys() {
		int keys = KeyValueStore.RECLAIM_BATCH + 5;
		Key probe = Key.probe(16);
		for (int i = 0; i < keys; i++) {
			this.store.set(fill(probe, "key-" + i), new byte[1], 1_000, SetCondition.ALWAYS);
		}
		this.clock.advance(Duration.ofMillis(1_000));
		assertThat(this.store.size()).isEqualTo(5);
		assertThat(this.store.size()).isZero();
		assertThat(this.store.usedMemory()).isZero();
	}

	@Test
	void anIncrementKeepsTheExpiryTime() {
		this.store.set(key("n"), "41".getBytes(StandardCharsets.US_ASCII), 1_000, SetCondition.ALWAYS);
		assertThat(this.store.incrementBy(key("n"), 1)).isEqualTo(42);
		assertThat(this.store.size()).isEqualTo(1);
		this.clock.advance(Duration.ofMillis(1_000));
		assertThat(this.store.size()).isZero();
		assertThat(this.store.usedMemory()).isZero();
	}

	@Test
	void theMemoryLimitIsPassedOnlyWhenUsedMemoryIsAboveIt() {
		KeyValueStore small = new KeyValueStore(1_000, this.clock);
		int value = 1_000 - KeyValueStore.ENTRY_OVERHEAD - 1;
		small.set(key("a"), new byte[value], 0, SetCondition.ALWAYS);
		assertThat(small.usedMemory()).isEqualTo(1_000);
		assertThat(small.overMemoryLimit()).isFalse();
		small.set(key("b"), new byte[1], 0, SetCondition.ALWAYS);
		assertThat(small.overMemoryLimit()).isTrue();
		small.delete(key("b"));
		assertThat(small.overMemoryLimit()).isFalse();
		assertThat(new KeyValueStore(0, this.clock).overMemoryLimit()).as("no limit").isFalse();
	}

	@Test
	void reachingTheMemoryLimitReclaimsExpiredKeysFirst() {
		KeyValueStore small = new KeyValueStore(1_000, this.clock);
		small.set(key("short"), new byte[600], 100, SetCondition.ALWAYS);
		small.set(key("long"), new byte[600], 0, SetCondition.ALWAYS);
		assertThat(small.overMemoryLimit()).isTrue();
		this.clock.advance(Duration.ofMillis(100));
		assertThat(small.overMemoryLimit()).isFalse();
		assertThat(small.usedMemory()).isEqualTo(KeyValueStore.ENTRY_OVERHEAD + 4 + 600);
	}

	@Test
	void concurrentWritersAndDeletersLeaveExactFigures() throws Exception {
		int threads = 4;
		int rounds = 5_000;
		CountDownLatch start = new CountDownLatch(1);
		List<CompletableFuture<Void>> workers = new ArrayList<>();
		for (int t = 0; t < threads; t++) {
			workers.add(CompletableFuture.runAsync(() -> {
				Key probe = Key.probe(8);
				awaitQuietly(start);
				for (int i = 0; i < rounds; i++) {
					String name = "key-" + (i % 64);
					this.store.set(fill(probe, name), new byte[i % 32], (i % 3 == 0) ? 60_000 : 0,
							(i % 5 == 0) ? SetCondition.IF_ABSENT : SetCondition.ALWAYS);
					this.store.incrementBy(fill(probe, "counter-" + (i % 8)), 1);
					if (i % 2 == 0) {
						this.store.delete(fill(probe, name));
					}
				}
			}));
		}
		start.countDown();
		CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new)).get();
		for (int i = 0; i < 64; i++) {
			this.store.delete(key("key-" + i));
		}
		assertThat(this.store.size()).isEqualTo(8);
		assertThat(this.store.usedMemory()).isEqualTo(8 * (KeyValueStore.ENTRY_OVERHEAD + 9 + 4));
		this.clock.advance(Duration.ofMinutes(2));
		this.store.clear();
		assertThat(this.store.size()).isZero();
		assertThat(this.store.usedMemory()).isZero();
	}

	private static Key key(String name) {
		return Key.of(name.getBytes(StandardCharsets.UTF_8));
	}

	private static Key fill(Key probe, String name) {
		byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
		System.arraycopy(bytes, 0, probe.fill(bytes.length), 0, bytes.length);
		return probe.seal(bytes.length);
	}

	private static void awaitQuietly(CountDownLatch latch) {
		try {
			latch.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
