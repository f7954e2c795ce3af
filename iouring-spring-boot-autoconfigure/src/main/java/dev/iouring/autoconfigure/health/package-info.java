/**
 * The {@code iouring} health contributor: whether the server's event loops serve, drain or died.
 */
@NullMarked
package dev.iouring.autoconfigure.health;

import org.jspecify.annotations.NullMarked;
