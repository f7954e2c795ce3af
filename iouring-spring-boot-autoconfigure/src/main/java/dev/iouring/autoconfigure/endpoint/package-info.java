/**
 * The {@code iouring} Actuator endpoint (transport, kernel, granted ring setup, features, per-loop and
 * per-listener figures) and the opt-in {@code iouring} info contributor.
 */
@NullMarked
package dev.iouring.autoconfigure.endpoint;

import org.jspecify.annotations.NullMarked;
