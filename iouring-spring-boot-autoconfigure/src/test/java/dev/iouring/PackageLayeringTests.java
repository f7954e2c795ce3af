package dev.iouring;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The engine's layering: autoconfigure uses server uses ring, never the other way, and
 * the engine imports neither Spring nor Micrometer.
 */
class PackageLayeringTests {

	private static final JavaClasses CLASSES = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("dev.iouring");

	@Test
	void ringDependsOnNothingAboveIt() {
		noClasses().that()
			.resideInAPackage("dev.iouring.ring..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("dev.iouring.server..", "dev.iouring.autoconfigure..", "org.springframework..",
					"io.micrometer..", "org.slf4j..")
			.check(CLASSES);
	}

	@Test
	void serverDoesNotDependOnSpringOrMicrometer() {
		noClasses().that()
			.resideInAPackage("dev.iouring.server..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("dev.iouring.autoconfigure..", "org.springframework..", "io.micrometer..")
			.check(CLASSES);
	}

}
