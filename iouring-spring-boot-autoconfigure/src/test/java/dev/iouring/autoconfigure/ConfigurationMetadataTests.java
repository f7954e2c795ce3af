package dev.iouring.autoconfigure;

import java.beans.PropertyDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.Test;

import org.springframework.beans.BeanUtils;
import org.springframework.beans.BeanWrapperImpl;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.util.unit.DataSize;

import dev.iouring.server.SocketOptions;
import dev.iouring.server.TcpHandler;
import dev.iouring.server.codec.FieldByteOrder;
import dev.iouring.server.codec.Framing;
import dev.iouring.server.codec.LengthFieldOptions;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The configuration metadata the annotation processor generates ({@code META-INF/spring-configuration-metadata.json})
 * lists every {@code iouring.*} property of {@link IoUringProperties} with a description, and with a
 * default wherever the property has one, so IDEs can complete and document them. Properties are found
 * by walking {@link IoUringProperties} itself, so a new one is checked without touching this test.
 */
class ConfigurationMetadataTests {

	@Test
	void everyIoUringPropertyIsListedWithADescription() throws IOException {
		Map<String, Map<String, Object>> metadata = metadataProperties();
		Map<String, Object> expected = propertiesOf(IoUringProperties.class);
		assertThat(expected).containsKeys("iouring.server.port", "iouring.ring.entries", "iouring.buffers.count",
				"iouring.server.framing.kind", "iouring.server.listeners");
		assertThat(metadata).containsKeys(expected.keySet().toArray(String[]::new));
		for (String name : expected.keySet()) {
			assertThat((String) metadata.get(name).get("description")).as("description of %s", name).isNotBlank();
		}
	}

	@Test
	void everyIoUringPropertyWithADefaultListsIt() throws IOException {
		Map<String, Map<String, Object>> metadata = metadataProperties();
		propertiesOf(IoUringProperties.class).forEach((name, defaultValue) -> {
			if (defaultValue != null && !(defaultValue instanceof Map) && !(defaultValue instanceof Collection)) {
				assertThat(metadata.get(name)).as("metadata of %s (default %s)", name, defaultValue)
					.containsKey("defaultValue");
			}
		});
		assertThat(metadata.get("iouring.server.port")).containsEntry("defaultValue", 7000);
	}

	/**
	 * Framing options are unset unless given (so a codec can refuse one it does not take), which keeps
	 * the annotation processor from seeing their defaults; the metadata lists the codecs' own.
	 */
	@Test
	void everyFramingOptionListsTheCodecsDefault() throws IOException {
		Map<String, Map<String, Object>> metadata = metadataProperties();
		LengthFieldOptions defaults = LengthFieldOptions.defaults();
		Map<String, Object> expected = Map.of("kind", "raw", "max-frame-size",
				PropertyFailures.format(DataSize.ofBytes(Framing.DEFAULT_MAX_FRAME_SIZE)), "strip-delimiter",
				true, "length-field-length", defaults.lengthFieldLength(), "length-field-offset",
				defaults.lengthFieldOffset(), "length-adjustment", defaults.lengthAdjustment(), "strip-header",
				defaults.stripHeader(), "byte-order", defaults.byteOrder().name().toLowerCase(Locale.ROOT).replace('_', '-'));
		expected.forEach((option, value) -> assertThat(metadata.get("iouring.server.framing." + option))
			.as("metadata of iouring.server.framing.%s", option)
			.containsEntry("defaultValue", value));
		// The two options without a default are the ones their codec requires.
		assertThat(propertiesOf(IoUringProperties.class).keySet()
			.stream()
			.filter((name) -> name.startsWith("iouring.server.framing."))
			.filter((name) -> !metadata.get(name).containsKey("defaultValue")))
			.containsExactlyInAnyOrder("iouring.server.framing.delimiter", "iouring.server.framing.frame-length");
	}

	/**
	 * Socket options are unset unless given (so a listener can fall back to the server's option by
	 * option); the metadata lists the engine's defaults for the two switches, and none for the options
	 * whose default is the kernel's.
	 */
	@Test
	void socketSwitchesListTheEnginesDefaults() throws IOException {
		Map<String, Map<String, Object>> metadata = metadataProperties();
		assertThat(metadata.get("iouring.server.socket.keep-alive")).containsEntry("defaultValue",
				SocketOptions.DEFAULTS.keepAlive());
		assertThat(metadata.get("iouring.server.socket.tcp-no-delay")).containsEntry("defaultValue",
				SocketOptions.DEFAULTS.tcpNoDelay());
		assertThat(metadata.get("iouring.server.socket.receive-buffer")).doesNotContainKey("defaultValue")
			.containsEntry("type", DataSize.class.getName());
	}

	@Test
	void lengthFieldLengthHintsTheFourSizesTheCodecTakes() throws IOException {
		Map<String, Object> hint = metadataHints().get("iouring.server.framing.length-field-length");
		assertThat(hint).isNotNull();
		List<Object> values = JsonPath.read(hint, "$.values[*].value");
		assertThat(values).containsExactly(1, 2, 4, 8);
		for (Object value : values) {
			assertThat(new LengthFieldOptions(1024, (Integer) value, 0, 0, true, FieldByteOrder.BIG_ENDIAN)
				.lengthFieldLength()).isEqualTo(value);
		}
	}

	@Test
	void theServerHandlerHintsTcpHandlerBeanNames() throws IOException {
		Map<String, Object> hint = metadataHints().get("iouring.server.handler");
		assertThat(hint).isNotNull();
		assertThat((List<Object>) JsonPath.read(hint, "$.providers[?(@.name == 'spring-bean-reference')].parameters.target"))
			.containsExactly(TcpHandler.class.getName());
	}

	@Test
	void actuatorSwitchesAreListedWithTheirDefaults() throws IOException {
		Map<String, Map<String, Object>> metadata = metadataProperties();
		assertThat(metadata.get("management.health.iouring.enabled")).containsEntry("defaultValue", true)
			.containsKey("description");
		assertThat(metadata.get("management.info.iouring.enabled")).containsEntry("defaultValue", false)
			.containsKey("description");
		assertThat(metadata).containsKey("management.endpoint.iouring.access");
	}

	/**
	 * Returns each leaf property of a {@code @ConfigurationProperties} class by its full name, with the
	 * value a new instance holds (its default, or {@code null}).
	 */
	private static Map<String, Object> propertiesOf(Class<?> type) {
		String prefix = AnnotationUtils.findAnnotation(type, ConfigurationProperties.class).prefix();
		Map<String, Object> properties = new TreeMap<>();
		collect(prefix, BeanUtils.instantiateClass(type), properties);
		return properties;
	}

	private static void collect(String prefix, Object bean, Map<String, Object> properties) {
		BeanWrapperImpl wrapper = new BeanWrapperImpl(bean);
		for (PropertyDescriptor descriptor : wrapper.getPropertyDescriptors()) {
			if (descriptor.getReadMethod() == null || descriptor.getName().equals("class")) {
				continue;
			}
			String name = prefix + "." + kebabCase(descriptor.getName());
			Object value = wrapper.getPropertyValue(descriptor.getName());
			Class<?> type = descriptor.getPropertyType();
			boolean nested = type.getPackage() == IoUringProperties.class.getPackage() && !type.isEnum();
			if (nested && value != null) {
				collect(name, value, properties);
			}
			else if (descriptor.getWriteMethod() != null || value instanceof Map) {
				properties.put(name, value);
			}
		}
	}

	private static String kebabCase(String name) {
		return name.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ENGLISH);
	}

	private static Map<String, Map<String, Object>> metadataHints() throws IOException {
		return metadataEntries("$.hints");
	}

	private static Map<String, Map<String, Object>> metadataProperties() throws IOException {
		return metadataEntries("$.properties");
	}

	private static Map<String, Map<String, Object>> metadataEntries(String path) throws IOException {
		for (URL url : Collections.list(ConfigurationMetadataTests.class.getClassLoader()
			.getResources("META-INF/spring-configuration-metadata.json"))) {
			try (InputStream in = url.openStream()) {
				String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
				List<Map<String, Object>> properties = JsonPath.read(json, "$.properties");
				if (properties.stream().anyMatch((property) -> ((String) property.get("name")).startsWith("iouring."))) {
					List<Map<String, Object>> entries = JsonPath.read(json, path);
					return entries.stream()
						.collect(Collectors.toMap((entry) -> (String) entry.get("name"), Function.identity()));
				}
			}
		}
		throw new AssertionError("no spring-configuration-metadata.json with iouring.* properties on the class path");
	}

}
