/**
 * The check that the application runs on a Java the starter supports, compiled for Java 17 (Spring
 * Boot's baseline) so that it can load and explain where the rest of the starter cannot.
 */
@NullMarked
package dev.iouring.autoconfigure.baseline;

import org.jspecify.annotations.NullMarked;
