package dev.iouring.autoconfigure.baseline;

/**
 * The application runs on a Java release older than the starter needs.
 */
public class UnsupportedJavaVersionException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	private final int running;

	private final String javaHome;

	UnsupportedJavaVersionException(int running, String javaHome) {
		super("iouring-spring-boot-starter needs Java " + JavaVersionCheck.REQUIRED + " or later, but this "
				+ "application runs on Java " + running + " (java.home " + javaHome + ")");
		this.running = running;
		this.javaHome = javaHome;
	}

	/** The feature release the application runs on. */
	public int running() {
		return this.running;
	}

	/** Where that Java is installed. */
	public String javaHome() {
		return this.javaHome;
	}

}
