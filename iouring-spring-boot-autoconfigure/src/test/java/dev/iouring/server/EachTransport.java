package dev.iouring.server;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Runs every test of a class once per transport, io_uring and NIO. The class takes the transport in a
 * field annotated {@code @Parameter} and creates its servers with {@link TestServers#create}, which skips
 * the io_uring run, with the reason, where io_uring is unavailable.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ParameterizedClass(name = "{0}")
@EnumSource(value = Transport.class, names = { "IO_URING", "NIO" })
public @interface EachTransport {

}
