/**
 * The Linux io_uring binding, written with the Foreign Function and Memory API: the system calls,
 * the shared submission and completion rings, provided-buffer rings, the opcode and feature probes, and
 * the socket calls the server needs, with the kernel's structures laid out by hand.
 *
 * <p>{@link dev.iouring.ring.IoUring#availability()} says once per process whether io_uring works here
 * and why not. Nothing in this package knows about the server above it.
 */
@NullMarked
package dev.iouring.ring;

import org.jspecify.annotations.NullMarked;
