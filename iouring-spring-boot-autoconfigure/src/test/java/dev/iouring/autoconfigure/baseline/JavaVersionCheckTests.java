package dev.iouring.autoconfigure.baseline;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.SpringApplication;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * An application started on a Java older than 25 stops at once with a report that says which Java runs,
 * which is needed and what to do: checked by really starting a Spring Boot application on the Java 17
 * installed beside JDK 25, with the starter on its class path.
 */
class JavaVersionCheckTests {

	@TempDir
	Path dir;

	@Test
	void onJava25TheCheckLetsTheApplicationStart() {
		assertThatNoException().isThrownBy(
				() -> new JavaVersionCheck().postProcessEnvironment(new MockEnvironment(), new SpringApplication()));
	}

	@Test
	void onJava17TheApplicationStopsWithAReportInsteadOfAClassVersionError() throws Exception {
		Process process = startOnJava17("iouring.server.enabled=true");
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
		assertThat(process.exitValue()).as(output).isNotZero();
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("needs Java 25 or later")
			.contains("This application runs on Java 17")
			.contains("Run the application on a JDK 25 or later")
			.contains("iouring.server.enabled=false")
			.doesNotContain("UnsupportedClassVersionError");
	}

	@Test
	void onJava17AnApplicationWithTheServerTurnedOffStarts() throws Exception {
		Process process = startOnJava17("iouring.server.enabled=false");
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
		assertThat(process.exitValue()).as(output).isZero();
		assertThat(output).contains("started on Java 17");
	}

	private Process startOnJava17(String property) throws IOException {
		Path java = java17().orElse(null);
		Assumptions.assumeTrue(java != null, "no Java 17 under /usr/lib/jvm (.ci/run installs one)");
		Path main = this.dir.resolve("Main.java");
		Files.writeString(main, """
				public class Main {
					public static void main(String[] args) {
						new org.springframework.boot.SpringApplication(Main.class).run(args);
						System.out.println("started on Java " + Runtime.version().feature());
					}
				}
				""");
		String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
		return new ProcessBuilder(java.toString(), "-cp", classPath, main.toString(), "--" + property,
				"--spring.main.web-application-type=none")
			.redirectErrorStream(true)
			.start();
	}

	private static Optional<Path> java17() throws IOException {
		Path jvms = Path.of("/usr/lib/jvm");
		if (!Files.isDirectory(jvms)) {
			return Optional.empty();
		}
		try (Stream<Path> candidates = Files.list(jvms)) {
			return candidates.filter((dir) -> dir.getFileName().toString().contains("17"))
				.map((dir) -> dir.resolve("bin/java"))
				.filter(Files::isExecutable)
				.findFirst();
		}
	}

}
