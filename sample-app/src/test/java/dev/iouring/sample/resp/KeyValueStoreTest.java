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
 * The store on its own: probes, expiry and concurrent updates.
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
