package dev.iouring.ring;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.BitSet;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The opcodes a kernel supports, from IORING_REGISTER_PROBE.
 *
 * <pre>
 * struct io_uring_probe (16 bytes)          struct io_uring_probe_op (8 bytes)
 * +0 last_op u8 | +1 ops_len u8 | +2 resv    +0 op u8 | +1 resv u8 | +2 flags u16 | +4 resv2 u32
 * +4 resv2[3] u32 | +16 ops[]               flags bit 0: IO_URING_OP_SUPPORTED
 * </pre>
 */
public final class Probe {

	private static final int MAX_OPS = 256;

	private static final long HEADER_SIZE = 16;

	private static final long OP_SIZE = 8;

	private static final int OP_SUPPORTED = 1;

	private final int lastOp;

	private final BitSet supported;

	private Probe(int lastOp, BitSet supported) {
		this.lastOp = lastOp;
		this.supported = supported;
	}

	static Probe of(Ring ring) {
		MemorySegment probe = ring.allocate(HEADER_SIZE + MAX_OPS * OP_SIZE, 8);
		long result = ring.register(Ring.REGISTER_PROBE, probe, MAX_OPS);
		if (result < 0) {
			throw new NativeCallException("io_uring_register(IORING_REGISTER_PROBE)", (int) -result, "");
		}
		int lastOp = Byte.toUnsignedInt(probe.get(ValueLayout.JAVA_BYTE, 0));
		int opsLen = Byte.toUnsignedInt(probe.get(ValueLayout.JAVA_BYTE, 1));
		BitSet supported = new BitSet();
		for (int i = 0; i < opsLen; i++) {
			long op = HEADER_SIZE + i * OP_SIZE;
			int flags = Short.toUnsignedInt(probe.get(ValueLayout.JAVA_SHORT, op + 2));
			if ((flags & OP_SUPPORTED) != 0) {
				supported.set(Byte.toUnsignedInt(probe.get(ValueLayout.JAVA_BYTE, op)));
			}
		}
		return new Probe(lastOp, supported);
	}

	/**
	 * Returns whether the kernel supports an opcode.
	 * @param opcode an {@link Opcode} value
	 * @return whether it is supported
	 */
	public boolean isSupported(int opcode) {
		return this.supported.get(opcode);
	}

	/**
	 * Returns the highest opcode the kernel knows.
	 * @return the last opcode
	 */
	public int lastOp() {
		return this.lastOp;
	}

	/**
	 * Returns every supported opcode.
	 * @return opcodes in ascending order
	 */
	public List<Integer> supportedOpcodes() {
		return IntStream.range(0, this.lastOp + 1).filter(this.supported::get).boxed().toList();
	}

}
