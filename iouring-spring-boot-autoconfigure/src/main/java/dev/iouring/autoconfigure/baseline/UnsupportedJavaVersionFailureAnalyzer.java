package dev.iouring.autoconfigure.baseline;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains an {@link UnsupportedJavaVersionException}: which Java runs, which is needed, why, and how to
 * run on it or do without the server. Compiled for Java 17, like the check.
 */
public class UnsupportedJavaVersionFailureAnalyzer extends AbstractFailureAnalyzer<UnsupportedJavaVersionException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, UnsupportedJavaVersionException cause) {
		String description = "The io_uring TCP server (iouring-spring-boot-starter) needs Java "
				+ JavaVersionCheck.REQUIRED + " or later: it calls the kernel through the Foreign Function & Memory "
				+ "API of Java 22+ and is compiled for Java " + JavaVersionCheck.REQUIRED + ". This application runs "
				+ "on Java " + cause.running() + " (" + cause.javaHome() + ").";
		String action = "Run the application on a JDK " + JavaVersionCheck.REQUIRED + " or later (set JAVA_HOME, "
				+ "or the toolchain or base image that starts it), and build it with <java.version>"
				+ JavaVersionCheck.REQUIRED + "</java.version> (Maven) or a Java " + JavaVersionCheck.REQUIRED
				+ " toolchain (Gradle). To start without the TCP server instead, set iouring.server.enabled=false.";
		return new FailureAnalysis(description, action, cause);
	}

}
