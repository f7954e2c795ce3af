package dev.iouring.sample.resp;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Decimal numbers read and written the way Redis does.
 */
class DecimalTest {

	@ParameterizedTest
	@ValueSource(longs = { 0, 1, -1, 9, 10, 99, 100, 123456789, -987654321, 999_999_999_999_999_999L,
			1_000_000_000_000_000_000L, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1 })
	void writesAndParsesBackEveryValue(long value) {
		byte[] text = Decimal.toBytes(value);
		assertThat(new String(text, StandardCharsets.US_ASCII)).isEqualTo(Long.toString(value));
		assertThat(Decimal.parse(text, 0, text.length)).isEqualTo(value);
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "-", "+1", " 1", "1 ", "01", "-0", "00", "1a", "0x10", "9223372036854775808",
			"-9223372036854775809", "123456789012345678901" })
	void refusesWhatRedisRefuses(String text) {
		byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
		assertThatExceptionOfType(Decimal.NotAnIntegerException.class)
			.isThrownBy(() -> Decimal.parse(bytes, 0, bytes.length))
			.withMessage("value is not an integer or out of range");
	}

}
