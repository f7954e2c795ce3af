package dev.iouring.autoconfigure;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.beans.factory.annotation.Value;

/**
 * Injects the port the io_uring server's first listener bound, which is what a test needs when it runs
 * the server with {@code iouring.server.port=0}. Shortcut for
 * {@code @Value("${local.iouring.server.port}")}.
 *
 * <p>The property only exists once the server has started, so use this in tests (a
 * {@code @SpringBootTest} class, for instance), not in beans created while the context refreshes; those
 * should listen for {@link IoUringServerInitializedEvent} instead.
 */
@Target({ ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.ANNOTATION_TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Value("${local.iouring.server.port}")
public @interface LocalIoUringServerPort {

}
