package dev.iouring.autoconfigure.baseline;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Stops an application that runs the starter on a Java older than 25 before anything else of it loads,
 * with a report that says so, instead of an {@link UnsupportedClassVersionError} from deep inside the
 * auto-configuration. Compiled for Java 17, Spring Boot's own baseline, so that it loads where the rest
 * of the starter cannot. An application that turned the server off ({@code iouring.server.enabled=false})
 * never loads the rest and is let through.
 */
public class JavaVersionCheck implements EnvironmentPostProcessor, Ordered {

	/** The Java feature release the starter is built for. */
	static final int REQUIRED = 25;

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		int running = Runtime.version().feature();
		if (running < REQUIRED
				&& environment.getProperty("iouring.server.enabled", Boolean.class, Boolean.TRUE)) {
			throw new UnsupportedJavaVersionException(running, System.getProperty("java.home"));
		}
	}

	/** After the config data is read, so {@code iouring.server.enabled} from application.yml counts. */
	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

}
