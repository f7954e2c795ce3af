/**
 * Spring Boot integration of the io_uring TCP server: configuration properties, the auto-configuration
 * that turns them into {@link dev.iouring.server.ServerSettings}, the lifecycle beans that start, drain
 * and stop the server with the application context, the event and environment properties that publish
 * the bound ports, and failure analyzers that explain startup errors.
 */
@NullMarked
package dev.iouring.autoconfigure;

import org.jspecify.annotations.NullMarked;
