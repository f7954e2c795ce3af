package dev.iouring.autoconfigure;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.annotation.ImportCandidates;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.core.env.Environment;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.core.io.support.SpringFactoriesLoader.ArgumentResolver;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code META-INF} files list what Boot must find, and Boot can instantiate it.
 */
class RegistrationTests {

	@Test
	void autoConfigurationIsListedInTheImportsFile() {
		assertThat(ImportCandidates.load(AutoConfiguration.class, getClass().getClassLoader()).getCandidates())
			.contains(IoUringServerAutoConfiguration.class.getName());
	}

	@Test
	void failureAnalyzersAreRegisteredAndInstantiable() {
		ArgumentResolver arguments = ArgumentResolver.of(Environment.class, new MockEnvironment())
			.and(BeanFactory.class, new DefaultListableBeanFactory());
		List<FailureAnalyzer> analyzers = SpringFactoriesLoader.forDefaultResourceLocation(getClass().getClassLoader())
			.load(FailureAnalyzer.class, arguments, RegistrationTests::failOnlyForOurs);
		assertThat(analyzers).extracting(Object::getClass)
			.contains(IoUringPortInUseFailureAnalyzer.class, IoUringUnavailableFailureAnalyzer.class,
					TcpHandlerResolutionFailureAnalyzer.class, UnknownIoUringPropertiesFailureAnalyzer.class,
					InvalidIoUringPropertiesFailureAnalyzer.class);
	}

	/**
	 * Some of Boot's own analyzers need classes this module does not have; only ours must load.
	 */
	private static void failOnlyForOurs(Class<?> factoryType, String implementationName, Throwable failure) {
		if (implementationName.startsWith("dev.iouring.")) {
			throw new AssertionError(implementationName + " could not be instantiated", failure);
		}
	}

}
