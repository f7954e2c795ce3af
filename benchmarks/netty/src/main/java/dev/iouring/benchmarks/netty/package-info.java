/**
 * Netty echo and RESP servers on io_uring, epoll and NIO, the peers the benchmarks measure this project
 * against.
 */
package dev.iouring.benchmarks.netty;
