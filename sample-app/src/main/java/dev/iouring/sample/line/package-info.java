/**
 * The line listener: the {@code line} codec cuts the stream into lines, each answered in upper case.
 */
package dev.iouring.sample.line;
