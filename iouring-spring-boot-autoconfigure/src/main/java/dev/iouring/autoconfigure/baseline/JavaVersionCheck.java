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
 * never loads the rest and is let through. On a Java that is new enough it also starts probing io_uring
 * in the background, so that work overlaps with the rest of the application's start.
 */
public class JavaVersionCheck implements EnvironmentPostProcessor, Ordered {

	/** The Java feature release the starter is built for. */
	static final int REQUIRED = 25;

	private static final String PREINITIALIZER = "dev.iouring.autoconfigure.IoUringBackgroundPreinitializer";

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		int running = Runtime.version().feature();
		boolean enabled = environment.getProperty("iouring.server.enabled", Boolean.class, Boolean.TRUE);
		if (running < REQUIRED && enabled) {
			throw new UnsupportedJavaVersionException(running, System.getProperty("java.home"));
		}
		if (running >= REQUIRED) {
			startBackgroundProbe(environment);
		}
	}

	/**
	 * Starts probing io_uring in the background, by name: the class that does it is built for Java 25 and
	 * must not be linked from here, which loads on any Java.
	 */
	private static void startBackgroundProbe(ConfigurableEnvironment environment) {
		try {
			Class.forName(PREINITIALIZER, true, JavaVersionCheck.class.getClassLoader())
				.getMethod("start", ConfigurableEnvironment.class)
				.invoke(null, environment);
		}
		catch (ReflectiveOperationException | LinkageError ex) {
			// Only a head start is lost: the server probes when it starts.
		}
	}

	/** After the config data is read, so {@code iouring.server.enabled} from application.yml counts. */
	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

}
