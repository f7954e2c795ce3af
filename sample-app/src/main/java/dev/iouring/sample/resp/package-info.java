/**
 * A small Redis-compatible server: a RESP parser over the received views, a key-value store with
 * expiry and memory limits, and the commands a Redis client and redis-benchmark use, answering
 * without allocating per command in steady state.
 */
package dev.iouring.sample.resp;
