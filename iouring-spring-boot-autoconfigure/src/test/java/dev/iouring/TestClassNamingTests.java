package dev.iouring;

import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every class with tests is one that surefire runs. The root pom keeps surefire's default includes, so a
 * class named otherwise compiles, reads like a test, and never runs; this finds such classes among the
 * compiled test classes and names them.
 *
 * <p>Surefire runs top-level classes only (its default excludes drop every {@code $} class), and the
 * engines reach {@code @Nested} and jqwik {@code @Group} classes through the class that encloses them,
 * so a top-level class counts as having tests when it, a superclass or one of those inner classes
 * declares a test.
 */
class TestClassNamingTests {

	/** Surefire's default includes ({@code **}/Test*.java, *Test.java, *Tests.java, *TestCase.java) as simple names. */
	private static final Pattern SUREFIRE_DEFAULT_INCLUDES = Pattern.compile("Test.*|.*Test|.*Tests|.*TestCase");

	/** What makes a method or field a test to the engines of this class path: JUnit Jupiter, jqwik, ArchUnit. */
	private static final Set<String> TEST_ANNOTATIONS = Set.of("org.junit.jupiter.api.Test",
			"org.junit.jupiter.params.ParameterizedTest", "org.junit.jupiter.api.RepeatedTest",
			"org.junit.jupiter.api.TestFactory", "org.junit.jupiter.api.TestTemplate", "net.jqwik.api.Property",
			"net.jqwik.api.Example", "com.tngtech.archunit.junit.ArchTest");

	/** Inner classes whose tests run through their enclosing class. */
	private static final Set<String> INNER_TEST_CONTAINERS = Set.of("org.junit.jupiter.api.Nested",
			"net.jqwik.api.Group");

	@Test
	void everyClassWithTestsHasANameSurefireIncludes() throws IOException, URISyntaxException {
		List<Class<?>> withTests = new ArrayList<>();
		for (Class<?> type : topLevelTestClasses()) {
			if (!type.isInterface() && !Modifier.isAbstract(type.getModifiers()) && declaresTests(type)) {
				withTests.add(type);
			}
		}
		// The scan itself must work, or finding nothing would pass: it finds this class and the jqwik one.
		assertThat(withTests).extracting(Class::getName)
			.contains(TestClassNamingTests.class.getName(), "dev.iouring.server.codec.FrameDecoderPropertiesTests");
		assertThat(withTests).filteredOn((type) -> !SUREFIRE_DEFAULT_INCLUDES.matcher(type.getSimpleName()).matches())
			.extracting(Class::getName)
			.as("classes with tests that match none of surefire's default includes (Test*, *Test, *Tests, "
					+ "*TestCase), so they never run")
			.isEmpty();
	}

	private static List<Class<?>> topLevelTestClasses() throws IOException, URISyntaxException {
		Path root = Path.of(TestClassNamingTests.class.getProtectionDomain().getCodeSource().getLocation().toURI());
		List<Class<?>> classes = new ArrayList<>();
		try (Stream<Path> files = Files.walk(root)) {
			for (Path file : files.filter((path) -> path.toString().endsWith(".class")).toList()) {
				String relative = root.relativize(file).toString();
				if (!relative.contains("$") && !relative.endsWith("package-info.class")) {
					String name = relative.substring(0, relative.length() - ".class".length()).replace('/', '.');
					classes.add(load(name));
				}
			}
		}
		return classes;
	}

	private static Class<?> load(String name) {
		try {
			return Class.forName(name, false, TestClassNamingTests.class.getClassLoader());
		}
		catch (ClassNotFoundException ex) {
			throw new IllegalStateException("compiled test class " + name + " does not load", ex);
		}
	}

	private static boolean declaresTests(Class<?> type) {
		for (Class<?> current = type; current != null && current != Object.class; current = current.getSuperclass()) {
			if (Stream.of(current.getDeclaredMethods()).anyMatch(TestClassNamingTests::isTest)
					|| Stream.of(current.getDeclaredFields()).anyMatch(TestClassNamingTests::isTest)) {
				return true;
			}
			for (Class<?> inner : current.getDeclaredClasses()) {
				if (annotatedWithAny(inner, INNER_TEST_CONTAINERS, new HashSet<>()) && declaresTests(inner)) {
					return true;
				}
			}
		}
		return false;
	}

	private static boolean isTest(AnnotatedElement element) {
		return annotatedWithAny(element, TEST_ANNOTATIONS, new HashSet<>());
	}

	/** Whether the element carries one of the annotations, directly or through a composed annotation. */
	private static boolean annotatedWithAny(AnnotatedElement element, Set<String> names, Set<Class<?>> seen) {
		for (Annotation annotation : element.getAnnotations()) {
			Class<? extends Annotation> type = annotation.annotationType();
			if (names.contains(type.getName())) {
				return true;
			}
			if (!type.getName().startsWith("java.lang.annotation.") && seen.add(type)
					&& annotatedWithAny(type, names, seen)) {
				return true;
			}
		}
		return false;
	}

}
