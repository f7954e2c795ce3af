package dev.iouring.server;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

/**
 * The reads, searches and comparisons of {@link Bytes}, checked against {@link ByteBuffer} and
 * {@link String} as references, always through a view that starts and ends inside a larger array so
 * that a read ignoring the view's offset or bounds shows.
 */
class BytesTest {

	private static final byte[] GUARD = { 'G', 'U', 'A', 'R', 'D', 'G', 'U', 'A', 'R', 'D' };

	/** A view of {@code content} with guard bytes on both sides in the backing array. */
	private static Bytes guarded(byte[] content) {
		byte[] backing = new byte[content.length + 2 * GUARD.length];
		System.arraycopy(GUARD, 0, backing, 0, GUARD.length);
		System.arraycopy(content, 0, backing, GUARD.length, content.length);
		System.arraycopy(GUARD, 0, backing, GUARD.length + content.length, GUARD.length);
		return Bytes.wrap(backing, GUARD.length, content.length);
	}

	private static Bytes ascii(String text) {
		return guarded(text.getBytes(StandardCharsets.ISO_8859_1));
	}

	@Property(tries = 300)
	void typedReadsAgreeWithByteBufferInBothOrders(@ForAll @Size(min = 8, max = 40) byte[] content,
			@ForAll @IntRange(max = 32) int index, @ForAll boolean bigEndian) {
		int at = index % (content.length - 7);
		ByteOrder order = bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
		ByteBuffer expected = ByteBuffer.wrap(content).order(order);
		Bytes bytes = guarded(content);
		assertThat(bytes.getShort(at, order)).isEqualTo(expected.getShort(at));
		assertThat(bytes.getUnsignedShort(at, order)).isEqualTo(Short.toUnsignedInt(expected.getShort(at)));
		assertThat(bytes.getInt(at, order)).isEqualTo(expected.getInt(at));
		assertThat(bytes.getUnsignedInt(at, order)).isEqualTo(Integer.toUnsignedLong(expected.getInt(at)));
		assertThat(bytes.getLong(at, order)).isEqualTo(expected.getLong(at));
		assertThat(bytes.getUnsignedByte(at)).isEqualTo(content[at] & 0xff);
	}

	@Test
	void unsignedReadsOfAllOnesAreTheLargestValues() {
		Bytes ones = guarded(new byte[] { -1, -1, -1, -1 });
		assertThat(ones.getUnsignedByte(0)).isEqualTo(255);
		assertThat(ones.getUnsignedShort(0, ByteOrder.BIG_ENDIAN)).isEqualTo(65535);
		assertThat(ones.getUnsignedInt(0, ByteOrder.LITTLE_ENDIAN)).isEqualTo(4_294_967_295L);
		assertThat(ones.getInt(0, ByteOrder.BIG_ENDIAN)).isEqualTo(-1);
	}

	@Test
	void typedReadsWorkOnNativeMemoryAtAnOddOffset() {
		try (Arena arena = Arena.ofConfined()) {
			MemorySegment memory = arena.allocate(32);
			memory.asSlice(3).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN).putLong(0x0102030405060708L);
			Bytes bytes = new BytesWindow().point(memory, 3, 8);
			assertThat(bytes.getLong(0, ByteOrder.LITTLE_ENDIAN)).isEqualTo(0x0102030405060708L);
			assertThat(bytes.getInt(0, ByteOrder.BIG_ENDIAN)).isEqualTo(0x08070605);
			assertThat(bytes.getShort(6, ByteOrder.LITTLE_ENDIAN)).isEqualTo((short) 0x0102);
		}
	}

	@Test
	void typedReadsThatWouldCrossTheViewsEndThrowInsteadOfReadingTheGuard() {
		Bytes bytes = ascii("abcdefg");
		assertThatExceptionOfType(IndexOutOfBoundsException.class)
			.isThrownBy(() -> bytes.getLong(0, ByteOrder.BIG_ENDIAN))
			.withMessageContaining("out of bounds for length 7");
		assertThatExceptionOfType(IndexOutOfBoundsException.class)
			.isThrownBy(() -> bytes.getInt(4, ByteOrder.BIG_ENDIAN));
		assertThatExceptionOfType(IndexOutOfBoundsException.class)
			.isThrownBy(() -> bytes.getShort(6, ByteOrder.LITTLE_ENDIAN));
		assertThatExceptionOfType(IndexOutOfBoundsException.class)
			.isThrownBy(() -> bytes.getShort(-1, ByteOrder.LITTLE_ENDIAN));
		assertThatExceptionOfType(IndexOutOfBoundsException.class).isThrownBy(() -> bytes.getUnsignedByte(7));
		assertThat(bytes.getInt(3, ByteOrder.BIG_ENDIAN)).isEqualTo(0x64656667);
		assertThatNullPointerException().isThrownBy(() -> bytes.getInt(0, null)).withMessageContaining("order");
	}

	@Property(tries = 500)
	void indexOfAgreesWithStringIndexOf(@ForAll("abc") String haystack, @ForAll("abc") String needle,
			@ForAll @IntRange(max = 30) int from) {
		int start = Math.min(from, haystack.length());
		Bytes bytes = ascii(haystack);
		byte[] sequence = needle.getBytes(StandardCharsets.ISO_8859_1);
		assertThat(bytes.indexOf(sequence, start)).isEqualTo(haystack.indexOf(needle, start));
		assertThat(bytes.indexOf(sequence)).isEqualTo(haystack.indexOf(needle));
		if (!needle.isEmpty()) {
			assertThat(bytes.indexOf(sequence[0], start)).isEqualTo(haystack.indexOf(needle.charAt(0), start));
			assertThat(bytes.indexOf(sequence[0])).isEqualTo(haystack.indexOf(needle.charAt(0)));
		}
	}

	@Provide
	Arbitrary<String> abc() {
		// A small alphabet, so that partial matches and repeats are common.
		return Arbitraries.strings().withChars("abc").ofMaxLength(12);
	}

	@Test
	void indexOfNeverFindsTheGuardBytesBeyondTheView() {
		Bytes bytes = ascii("xyzGU");
		assertThat(bytes.indexOf("GUARD".getBytes(StandardCharsets.US_ASCII))).isEqualTo(-1);
		assertThat(bytes.indexOf((byte) 'A')).isEqualTo(-1);
		assertThat(bytes.indexOf("GU".getBytes(StandardCharsets.US_ASCII))).isEqualTo(3);
	}

	@Test
	void indexOfChecksItsStartingPosition() {
		Bytes bytes = ascii("abc");
		assertThat(bytes.indexOf((byte) 'a', 3)).isEqualTo(-1);
		assertThat(bytes.indexOf(new byte[0], 3)).isEqualTo(3);
		assertThatExceptionOfType(IndexOutOfBoundsException.class).isThrownBy(() -> bytes.indexOf((byte) 'a', 4));
		assertThatExceptionOfType(IndexOutOfBoundsException.class).isThrownBy(() -> bytes.indexOf((byte) 'a', -1));
		assertThatExceptionOfType(IndexOutOfBoundsException.class)
			.isThrownBy(() -> bytes.indexOf(new byte[] { 'a' }, -1));
	}

	@Property(tries = 300)
	void comparisonsAgreeWithStringComparisons(@ForAll("abAB") String content, @ForAll("abAB") String other) {
		Bytes bytes = ascii(content);
		byte[] otherBytes = other.getBytes(StandardCharsets.US_ASCII);
		assertThat(bytes.contentEquals(other)).isEqualTo(content.equals(other));
		assertThat(bytes.contentEquals(otherBytes)).isEqualTo(content.equals(other));
		assertThat(bytes.startsWith(other)).isEqualTo(content.startsWith(other));
		assertThat(bytes.startsWith(otherBytes)).isEqualTo(content.startsWith(other));
		assertThat(bytes.contentEqualsIgnoreCase(other)).isEqualTo(content.equalsIgnoreCase(other));
		assertThat(bytes.startsWithIgnoreCase(other))
			.isEqualTo(content.regionMatches(true, 0, other, 0, other.length()) && content.length() >= other.length());
	}

	@Provide
	Arbitrary<String> abAB() {
		return Arbitraries.strings().withChars("abAB").ofMaxLength(5);
	}

	@Test
	void ignoringCaseFoldsLettersOnly() {
		assertThat(ascii("GET").contentEqualsIgnoreCase("get")).isTrue();
		// '[' and '{' differ by the case bit, as '@' and '`' do: neither pair is letters.
		assertThat(ascii("[").contentEqualsIgnoreCase("{")).isFalse();
		assertThat(ascii("@").contentEqualsIgnoreCase("`")).isFalse();
		assertThat(ascii("SET key").startsWithIgnoreCase("set ")).isTrue();
	}

	@Test
	void textOutsideAsciiNeverMatches() {
		// 'é' is 0xE9 in Latin-1, the same number as the byte: still no match, since UTF-8 would send C3 A9.
		Bytes latin1 = guarded(new byte[] { (byte) 0xe9 });
		assertThat(latin1.contentEquals("é")).isFalse();
		assertThat(latin1.contentEqualsIgnoreCase("É")).isFalse();
		assertThat(guarded("é".getBytes(StandardCharsets.UTF_8)).contentEquals("é")).isFalse();
		assertThat(latin1.contentEquals(new byte[] { (byte) 0xe9 })).isTrue();
	}

	@Test
	void comparisonsDoNotLookPastTheView() {
		Bytes bytes = ascii("ab");
		assertThat(bytes.startsWith("abG")).isFalse();
		assertThat(bytes.startsWith("abGUARD".getBytes(StandardCharsets.US_ASCII))).isFalse();
		assertThat(bytes.contentEquals("ab")).isTrue();
		assertThat(Bytes.empty().contentEquals("")).isTrue();
		assertThat(Bytes.empty().startsWith(new byte[0])).isTrue();
	}

	@Test
	void aWindowMovesItsOneViewAndChecksTheRange() {
		byte[] memory = "hello world".getBytes(StandardCharsets.US_ASCII);
		BytesWindow window = new BytesWindow();
		assertThat(window.view().isEmpty()).isTrue();
		Bytes hello = window.point(MemorySegment.ofArray(memory), 0, 5);
		assertThat(hello.contentEquals("hello")).isTrue();
		Bytes world = window.point(MemorySegment.ofArray(memory), 6, 5);
		assertThat(world).isSameAs(hello).isSameAs(window.view());
		assertThat(world.contentEquals("world")).isTrue();
		assertThatExceptionOfType(IndexOutOfBoundsException.class)
			.isThrownBy(() -> window.point(MemorySegment.ofArray(memory), 7, 5));
		assertThat(window.view().contentEquals("world")).as("a refused move leaves the view where it was").isTrue();
	}

	@Test
	void bytesOffersNoWayToMoveAView() {
		assertThat(Bytes.class.getConstructors()).as("public constructors").isEmpty();
		for (Method method : Bytes.class.getMethods()) {
			if (method.getReturnType() == Bytes.class && !Modifier.isStatic(method.getModifiers())) {
				assertThat(method.getName()).as("%s returns a view: only new slices and copies may", method)
					.isIn("slice", "copy");
			}
		}
	}

	@Test
	void readsAndComparisonsAllocateNothingOnceCompiled() {
		com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory
			.getThreadMXBean();
		Bytes bytes = ascii("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n");
		byte[] crlf = { '\r', '\n' };
		long sink = 0;
		for (int i = 0; i < 200_000; i++) {
			sink += exercise(bytes, crlf);
		}
		long before = threads.getCurrentThreadAllocatedBytes();
		for (int i = 0; i < 100_000; i++) {
			sink += exercise(bytes, crlf);
		}
		long allocated = threads.getCurrentThreadAllocatedBytes() - before;
		assertThat(sink).isNotZero();
		// One allocation of the smallest object per call would be 1.6 MB; allow a few kilobytes of noise.
		assertThat(allocated).as("bytes allocated by 100,000 rounds of reads and comparisons").isLessThan(16_384);
	}

	private static long exercise(Bytes bytes, byte[] crlf) {
		long result = bytes.getInt(0, ByteOrder.BIG_ENDIAN) + bytes.getLong(4, ByteOrder.LITTLE_ENDIAN)
				+ bytes.getUnsignedShort(2, ByteOrder.LITTLE_ENDIAN) + bytes.getUnsignedInt(8, ByteOrder.BIG_ENDIAN)
				+ bytes.getUnsignedByte(1) + bytes.indexOf(crlf, 5) + bytes.indexOf((byte) '$');
		if (bytes.startsWith("*3") && !bytes.contentEqualsIgnoreCase("x") && !bytes.contentEquals(crlf)
				&& !bytes.startsWithIgnoreCase("*4")) {
			result++;
		}
		return result;
	}

}
