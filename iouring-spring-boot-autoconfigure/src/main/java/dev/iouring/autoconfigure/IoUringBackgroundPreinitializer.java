package dev.iouring.autoconfigure;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

import org.springframework.core.env.ConfigurableEnvironment;

import dev.iouring.ring.IoUring;

/**
 * Probes io_uring on a background thread as soon as the environment is ready, the way Spring Boot's own
 * background pre-initializer warms up other expensive parts. The probe links the native calls the
 * server makes (the JVM spins code for each, a few hundred milliseconds in all on a small machine) and
 * sets up and closes a tiny ring; done here, that work overlaps with the rest of the application's start
 * instead of delaying the server's. The result is cached for the process, and whoever asks before the
 * probe is done waits for it, so nothing is probed twice. When some listener may serve TLS, the same
 * thread first readies the JDK's TLS implementation ({@link TlsWarmUp}), on either transport.
 *
 * <p>It does nothing when the server is switched off ({@code iouring.server.enabled=false}) or when the
 * system property {@code spring.backgroundpreinitializer.ignore} is {@code true} (the switch of Boot's
 * own pre-initializer). It leaves io_uring alone when the transport is {@code nio}.
 */
public final class IoUringBackgroundPreinitializer {

	/** The system property that switches Spring Boot's background pre-initialization off. */
	static final String IGNORE_PROPERTY = "spring.backgroundpreinitializer.ignore";

	private static final AtomicBoolean started = new AtomicBoolean();

	private IoUringBackgroundPreinitializer() {
	}

	/**
	 * Starts the probe unless it is not wanted. Called, by name, by the Java version check once the
	 * environment is ready and the Java is new enough: registered as a listener itself, this class (built
	 * for Java 25) would fail to load on an older Java before that check could explain why.
	 * @param environment the application's environment
	 */
	public static void start(ConfigurableEnvironment environment) {
		if (Boolean.getBoolean(IGNORE_PROPERTY) || !serverEnabled(environment)) {
			return;
		}
		boolean probe = wanted(environment);
		boolean tls = TlsWarmUp.wanted(environment);
		if ((!probe && !tls) || !started.compareAndSet(false, true)) {
			return;
		}
		Thread.ofPlatform().name("iouring-preinit").daemon().start(() -> {
			// The listeners' SSL contexts are built before the server asks for io_uring.
			if (tls) {
				TlsWarmUp.run();
			}
			if (probe) {
				probe();
			}
		});
	}

	private static boolean serverEnabled(ConfigurableEnvironment environment) {
		return !environment.getProperty("iouring.server.enabled", "true").trim().equalsIgnoreCase("false");
	}

	/**
	 * Returns whether this application will start an io_uring server, as far as the environment says.
	 * @param environment the application's environment
	 * @return {@code false} when the server is off or the transport is NIO
	 */
	static boolean wanted(ConfigurableEnvironment environment) {
		String transport = environment.getProperty("iouring.server.transport", "auto").trim().toLowerCase(Locale.ROOT);
		return serverEnabled(environment) && !transport.equals("nio");
	}

	private static void probe() {
		try {
			IoUring.availability();
		}
		catch (RuntimeException | LinkageError ex) {
			// The probe turns its failures into a cached reason; whoever needs io_uring asks and gets it.
		}
	}

	/** Whether the probe was started in this process (for tests). */
	static boolean wasStarted() {
		return started.get();
	}

}
