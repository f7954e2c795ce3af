package dev.iouring.autoconfigure.endpoint;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;

import org.junit.jupiter.api.Test;

import dev.iouring.ring.Features;
import dev.iouring.ring.Opcode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The endpoint's opcode names line up with the numbers the engine submits, and the kernel's feature
 * bits are all named, so the report never lists a number where a name belongs.
 */
class OpcodeNamesTests {

	@Test
	void everyOpcodeTheEngineKnowsHasItsOwnNameAtItsNumber() throws IllegalAccessException {
		int checked = 0;
		for (Field field : Opcode.class.getFields()) {
			if (Modifier.isStatic(field.getModifiers()) && field.getType() == int.class) {
				assertThat(OpcodeNames.of(field.getInt(null))).as(field.getName()).isEqualTo(field.getName());
				checked++;
			}
		}
		assertThat(checked).isGreaterThan(10);
	}

	@Test
	void namesRunFromNopToTheNewestAndNumberTheRest() {
		assertThat(OpcodeNames.of(0)).isEqualTo("NOP");
		assertThat(OpcodeNames.of(62)).isEqualTo("PIPE");
		assertThat(OpcodeNames.of(64)).isEqualTo("URING_CMD128");
		assertThat(OpcodeNames.of(65)).isEqualTo("OP_65");
	}

	@Test
	void theNewestFeatureBitsHaveTheirKernelNames() {
		assertThat(Features.names((1 << 15) | (1 << 16) | (1 << 17))).containsExactly("MIN_TIMEOUT", "RW_ATTR",
				"NO_IOWAIT");
		assertThat(Features.names(1 << 18)).containsExactly("BIT_18");
	}

}
