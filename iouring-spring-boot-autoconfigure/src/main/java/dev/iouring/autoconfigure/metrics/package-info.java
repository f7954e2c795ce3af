/**
 * Micrometer meters for the io_uring server: connection, byte and frame counts per listener and loop,
 * ring figures per loop, and errors by operation. They are read at scrape time from the single-writer
 * statistics the event loops keep, so metrics cost the loops nothing.
 */
@NullMarked
package dev.iouring.autoconfigure.metrics;

import org.jspecify.annotations.NullMarked;
