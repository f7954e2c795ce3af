/**
 * The echo listener: raw bytes, written back as they arrive.
 */
package dev.iouring.sample.echo;
