package dev.iouring.autoconfigure;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * How each event loop's ring is set up. Large rings need locked memory: on kernels before 5.12 the
 * ring counts against RLIMIT_MEMLOCK, so raise {@code ulimit -l} if setup fails with ENOMEM.
 */
public class RingProperties {

	/**
	 * Size of the submission queue of each ring. Must be a power of two.
	 */
	private int entries = 4096;

	/**
	 * Size of the completion queue of each ring. Must be a power of two, at least the submission
	 * queue size.
	 */
	private int cqEntries = 16384;

	/**
	 * Whether a kernel thread polls the submission queue, which saves submit system calls at the cost
	 * of a busy CPU.
	 */
	private boolean sqpoll;

	/**
	 * How long the submission polling thread spins without work before it sleeps.
	 */
	private Duration sqpollIdle = Duration.ofSeconds(1);

	/**
	 * CPU to pin the submission polling thread to. When not set, the kernel chooses.
	 */
	private @Nullable Integer sqpollCpu;

	public int getEntries() {
		return this.entries;
	}

	public void setEntries(int entries) {
		this.entries = entries;
	}

	public int getCqEntries() {
		return this.cqEntries;
	}

	public void setCqEntries(int cqEntries) {
		this.cqEntries = cqEntries;
	}

	public boolean isSqpoll() {
		return this.sqpoll;
	}

	public void setSqpoll(boolean sqpoll) {
		this.sqpoll = sqpoll;
	}

	public Duration getSqpollIdle() {
		return this.sqpollIdle;
	}

	public void setSqpollIdle(Duration sqpollIdle) {
		this.sqpollIdle = sqpollIdle;
	}

	public @Nullable Integer getSqpollCpu() {
		return this.sqpollCpu;
	}

	public void setSqpollCpu(@Nullable Integer sqpollCpu) {
		this.sqpollCpu = sqpollCpu;
	}

}
