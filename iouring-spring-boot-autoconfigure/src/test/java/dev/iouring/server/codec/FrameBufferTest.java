package dev.iouring.server.codec;

import java.lang.foreign.ValueLayout;

import org.junit.jupiter.api.Test;

import dev.iouring.server.Bytes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class FrameBufferTest {

	@Test
	void holdsNoArrayUntilBytesArrive() {
		FrameBuffer buffer = new FrameBuffer(100_000);
		assertThat(buffer.capacity()).isZero();
		buffer.append(Bytes.wrap(new byte[10]), 0, 10);
		assertThat(buffer.capacity()).isEqualTo(FrameBuffer.INITIAL_CAPACITY);
		assertThat(buffer.size()).isEqualTo(10);
	}

	@Test
	void growsByDoublingUpToItsLimit() {
		FrameBuffer buffer = new FrameBuffer(1000);
		byte[] data = new byte[1000];
		buffer.append(Bytes.wrap(data), 0, 10);
		assertThat(buffer.capacity()).isEqualTo(256);
		buffer.append(Bytes.wrap(data), 0, 247);
		assertThat(buffer.capacity()).isEqualTo(512);
		buffer.append(Bytes.wrap(data), 0, 300);
		assertThat(buffer.capacity()).isEqualTo(1000);
		buffer.append(Bytes.wrap(data), 0, 443);
		assertThat(buffer.size()).isEqualTo(1000);
		assertThatIllegalStateException().isThrownBy(() -> buffer.append(Bytes.wrap(data), 0, 1))
			.withMessage("frame buffer needs 1001 bytes but is limited to 1000");
	}

	@Test
	void keepsItsContentWhenGrowing() {
		FrameBuffer buffer = new FrameBuffer(10_000);
		for (int i = 0; i < 5000; i++) {
			buffer.append(Bytes.wrap(new byte[] { (byte) i }), 0, 1);
		}
		byte[] content = buffer.segment().asSlice(0, buffer.size()).toArray(ValueLayout.JAVA_BYTE);
		for (int i = 0; i < 5000; i++) {
			assertThat(content[i]).isEqualTo((byte) i);
		}
	}

	@Test
	void keepsASmallArrayButDropsALargeOneWhenCleared() {
		FrameBuffer buffer = new FrameBuffer(100_000);
		buffer.append(Bytes.wrap(new byte[100]), 0, 100);
		buffer.clear();
		assertThat(buffer.size()).isZero();
		assertThat(buffer.capacity()).isEqualTo(FrameBuffer.INITIAL_CAPACITY);
		buffer.append(Bytes.wrap(new byte[50_000]), 0, 50_000);
		buffer.clear();
		assertThat(buffer.capacity()).isZero();
	}

	@Test
	void releaseDropsTheArray() {
		FrameBuffer buffer = new FrameBuffer(1000);
		buffer.append(Bytes.wrap(new byte[10]), 0, 10);
		buffer.release();
		assertThat(buffer.size()).isZero();
		assertThat(buffer.capacity()).isZero();
	}

}
