package dev.iouring.autoconfigure;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.BeanUtils;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.ConfigDataApplicationContextInitializer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.core.annotation.AnnotationAwareOrderComparator;

import dev.iouring.server.TcpHandler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * A value the validation refuses is reported with the value as the configuration wrote it ({@code 128KB},
 * not the bound {@code 131072B}) and where it was written ({@code class path resource [...] - line:column}),
 * for every property, nested ones included.
 */
@ExtendWith(OutputCaptureExtension.class)
class InvalidIoUringPropertiesTests {

	private static final String REPORT = String.format("Binding to target dev.iouring.autoconfigure.IoUringProperties "
			+ "failed:%n%n"
			+ "    Property: iouring.buffers.size%n"
			+ "    Value: \"32MB\"%n"
			+ "    Origin: class path resource [iouring-invalid.yml] - 3:11%n"
			+ "    Reason: must be between 64B and 16MB%n%n"
			+ "    Property: iouring.server.write-buffer.low-water-mark%n"
			+ "    Value: \"128KB\"%n"
			+ "    Origin: class path resource [iouring-invalid.yml] - 8:23%n"
			+ "    Reason: must be between 0B and iouring.server.write-buffer.high-water-mark (16KB)%n%n"
			+ "    Property: iouring.server.listeners.echo.max-connections%n"
			+ "    Value: \"0\"%n"
			+ "    Origin: class path resource [iouring-invalid.yml] - 11:26%n"
			+ "    Reason: must be positive%n");

	@Test
	void theReportGivesEachValueAsWrittenAndWhereItWasWritten() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(IoUringServerAutoConfiguration.class))
			.withInitializer(new ConfigDataApplicationContextInitializer())
			.withPropertyValues("spring.config.name=iouring-invalid")
			.run((context) -> {
				assertThat(context).hasFailed();
				FailureAnalysis analysis = new InvalidIoUringPropertiesFailureAnalyzer()
					.analyze(context.getStartupFailure());
				assertThat(analysis.getDescription()).isEqualTo(REPORT);
				assertThat(analysis.getAction()).isEqualTo("Correct these values in your application's configuration.");
			});
	}

	/**
	 * Which of two unordered analyzers answers first depends on the order of the jars on the class path,
	 * so the analyzer is ordered ahead of Boot's; the next test sees the report a real start prints.
	 */
	@Test
	void anApplicationThatFailsToStartPrintsThisReportRatherThanBootsOwn(CapturedOutput output) {
		assertThatException().isThrownBy(() -> new SpringApplicationBuilder(EchoApplication.class)
			.web(WebApplicationType.NONE)
			.properties("spring.config.name=iouring-invalid")
			.run());
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains(REPORT)
			.doesNotContain("131072B")
			.doesNotContain("33554432B");
	}

	@Test
	void theAnalyzerIsOrderedBeforeBootsWhateverTheClassPathOrder() throws ClassNotFoundException {
		Object boots = BeanUtils.instantiateClass(
				Class.forName("org.springframework.boot.diagnostics.analyzer.BindValidationFailureAnalyzer"));
		assertThat(AnnotationAwareOrderComparator.INSTANCE.compare(new InvalidIoUringPropertiesFailureAnalyzer(),
				boots))
			.isNegative();
	}

	@Test
	void otherPropertiesAreLeftToBootsReport() {
		assertThat(new InvalidIoUringPropertiesFailureAnalyzer().analyze(new IllegalStateException("not ours")))
			.isNull();
	}

	@SpringBootConfiguration
	@ImportAutoConfiguration(IoUringServerAutoConfiguration.class)
	static class EchoApplication {

		@Bean
		TcpHandler echo() {
			return (connection, data) -> connection.write(data);
		}

	}

}
