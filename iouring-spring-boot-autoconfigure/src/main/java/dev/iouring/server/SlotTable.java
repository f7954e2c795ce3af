package dev.iouring.server;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

import org.jspecify.annotations.Nullable;

import dev.iouring.ring.SocketStructs;

/**
 * The io_uring loop's table of connection slots: a slot number and its generation go into the user data
 * of every request a connection submits ({@link UserData}), and a completion finds its connection here
 * only if both still match. A slot is reused (with the next generation) only after its last request
 * completed. Each slot also keeps a native {@code msghdr} with room for the iovecs of one sendmsg,
 * allocated on first use and reused by every later holder of the slot.
 *
 * <p>Threads: the loop thread only.
 */
final class SlotTable {

	/** Chunks gathered into one sendmsg. */
	private static final int MAX_IOVECS = OutboundQueue.MAX_GATHER;

	private final Arena arena;

	private @Nullable UringSocket[] sockets = new UringSocket[64];

	private int[] generations = new int[64];

	private MemorySegment[] messages = new MemorySegment[64];

	private int[] free = new int[64];

	private int freeCount;

	private int used;

	SlotTable(Arena arena) {
		this.arena = arena;
	}

	/** Takes a free slot for a new socket, with the slot's next generation. */
	int allocate() {
		if (this.freeCount > 0) {
			return this.free[--this.freeCount];
		}
		if (this.used == this.sockets.length) {
			int size = this.sockets.length * 2;
			this.sockets = Arrays.copyOf(this.sockets, size);
			this.generations = Arrays.copyOf(this.generations, size);
			this.messages = Arrays.copyOf(this.messages, size);
			this.free = Arrays.copyOf(this.free, size);
		}
		return this.used++;
	}

	/** Advances and returns the generation of a slot just allocated. */
	int nextGeneration(int slot) {
		int generation = (this.generations[slot] + 1) & UserData.GENERATION_MASK;
		this.generations[slot] = generation;
		return generation;
	}

	void put(UringSocket socket) {
		this.sockets[socket.slot] = socket;
	}

	/** The socket a completion's user data names, or {@code null} if it names no current socket. */
	@Nullable UringSocket find(long userData) {
		int slot = UserData.slot(userData);
		if (slot < 0 || slot >= this.used) {
			return null;
		}
		UringSocket socket = this.sockets[slot];
		return (socket != null && socket.generation == UserData.generation(userData)) ? socket : null;
	}

	void free(int slot) {
		this.sockets[slot] = null;
		this.free[this.freeCount++] = slot;
	}

	/** Sockets whose slot is still taken: open, or waiting for requests in the kernel. */
	int taken() {
		return this.used - this.freeCount;
	}

	/** Slots ever used; {@link #get} is valid below it. */
	int used() {
		return this.used;
	}

	@Nullable UringSocket get(int slot) {
		return this.sockets[slot];
	}

	/** Returns the slot's msghdr, followed by its iovec array. */
	MemorySegment messageHeader(int slot) {
		MemorySegment message = this.messages[slot];
		if (message == null) {
			message = this.arena.allocate(SocketStructs.MSGHDR_SIZE + MAX_IOVECS * SocketStructs.IOVEC_SIZE, 8);
			message.set(ValueLayout.JAVA_LONG, SocketStructs.MSGHDR_IOV, message.address() + SocketStructs.MSGHDR_SIZE);
			this.messages[slot] = message;
		}
		return message;
	}

}
