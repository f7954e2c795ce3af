package dev.iouring.autoconfigure;

import java.beans.PropertyDescriptor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.springframework.beans.BeanUtils;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.DataObjectPropertyName;
import org.springframework.boot.context.properties.bind.UnboundConfigurationPropertiesException;
import org.springframework.boot.context.properties.bind.handler.NoUnboundElementsBindHandler;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName.Form;
import org.springframework.boot.context.properties.source.UnboundElementsSourceFilter;
import org.springframework.core.env.Environment;

import dev.iouring.autoconfigure.UnknownIoUringPropertiesException.UnknownProperty;

/**
 * Refuses keys under {@code iouring.server.listeners.<name>} (and its {@code framing}, {@code socket}
 * and {@code ssl}), and under {@code iouring.server.framing}, {@code iouring.server.socket} and
 * {@code iouring.server.ssl}, that no setting has.
 *
 * <p>Boot's binder ignores keys it cannot bind. For fixed properties an IDE flags a typo from the
 * configuration metadata, but a listener sits under a map key the metadata cannot know, so
 * {@code framming: kind: line} would start a listener with raw framing and say nothing. The framing
 * options depend on the codec, and a misspelled one silently takes its default, so they are held to the
 * same rule; so are the socket options, where a misspelled {@code keepalive-idel} would leave the kernel's
 * two hours in place. The check binds each of those prefixes again with Boot's {@link NoUnboundElementsBindHandler},
 * which knows every relaxed form of every name as the real binding does, over the sources Boot itself
 * checks for unknown fields (all but the system environment and system properties).
 */
final class UnknownKeysCheck {

	private static final ConfigurationPropertyName LISTENERS = ConfigurationPropertyName.of("iouring.server.listeners");

	private static final ConfigurationPropertyName SERVER_FRAMING = ConfigurationPropertyName.of("iouring.server.framing");

	private static final ConfigurationPropertyName SERVER_SSL = ConfigurationPropertyName.of("iouring.server.ssl");

	private static final List<String> LISTENER_KEYS = keysOf(ListenerProperties.class);

	private static final List<String> FRAMING_KEYS = keysOf(FramingProperties.class);

	private static final ConfigurationPropertyName SERVER_SOCKET = ConfigurationPropertyName.of("iouring.server.socket");

	private static final List<String> SOCKET_KEYS = keysOf(SocketProperties.class);

	private static final List<String> SSL_KEYS = keysOf(ListenerSslProperties.class);

	private UnknownKeysCheck() {
	}

	/**
	 * Checks the keys.
	 * @param environment the environment the properties are bound from
	 * @throws UnknownIoUringPropertiesException naming every key no setting has
	 */
	static void check(Environment environment) {
		Binder binder = Binder.get(environment);
		List<UnknownProperty> unknown = new ArrayList<>();
		for (ConfigurationProperty property : unbound(binder, LISTENERS,
				Bindable.mapOf(String.class, ListenerProperties.class))) {
			unknown.add(new UnknownProperty(property, listenerReason(property.getName())));
		}
		for (ConfigurationProperty property : unbound(binder, SERVER_FRAMING, Bindable.of(FramingProperties.class))) {
			unknown.add(new UnknownProperty(property, framingReason(property.getName(),
					SERVER_FRAMING.getNumberOfElements())));
		}
		for (ConfigurationProperty property : unbound(binder, SERVER_SOCKET, Bindable.of(SocketProperties.class))) {
			unknown.add(new UnknownProperty(property, socketReason(property.getName(),
					SERVER_SOCKET.getNumberOfElements())));
		}
		for (ConfigurationProperty property : unbound(binder, SERVER_SSL, Bindable.of(ListenerSslProperties.class))) {
			unknown.add(new UnknownProperty(property, sslReason(property.getName(), SERVER_SSL.getNumberOfElements())));
		}
		if (!unknown.isEmpty()) {
			throw new UnknownIoUringPropertiesException(unknown);
		}
	}

	private static Set<ConfigurationProperty> unbound(Binder binder, ConfigurationPropertyName name,
			Bindable<?> target) {
		try {
			binder.bind(name, target, new NoUnboundElementsBindHandler(BindHandler.DEFAULT,
					new UnboundElementsSourceFilter()));
			return Set.of();
		}
		catch (BindException ex) {
			if (ex.getCause() instanceof UnboundConfigurationPropertiesException unbound) {
				return unbound.getUnboundProperties();
			}
			// Any other failure was a value the real binding refused first, before this check ran.
			throw ex;
		}
	}

	/** The first element after the listener's name that is not a listener setting, or its framing's. */
	private static String listenerReason(ConfigurationPropertyName name) {
		int key = LISTENERS.getNumberOfElements() + 1;
		if (name.getNumberOfElements() <= key) {
			return "a listener is a group of settings (" + String.join(", ", LISTENER_KEYS) + "), not a value";
		}
		String element = name.getElement(key, Form.UNIFORM);
		if (element.equals("framing")) {
			return framingReason(name, key + 1);
		}
		if (element.equals("socket")) {
			return socketReason(name, key + 1);
		}
		if (element.equals("ssl")) {
			return sslReason(name, key + 1);
		}
		if (!isKey(LISTENER_KEYS, element)) {
			return quoted(name, key) + " is not a listener setting; a listener takes "
					+ String.join(", ", LISTENER_KEYS);
		}
		return quoted(name, key) + " takes a value, not settings beneath it";
	}

	private static String framingReason(ConfigurationPropertyName name, int option) {
		return groupReason(name, option, "framing", FRAMING_KEYS);
	}

	private static String socketReason(ConfigurationPropertyName name, int option) {
		return groupReason(name, option, "socket", SOCKET_KEYS);
	}

	/** The option at {@code option} of a group, which must be one of its keys with nothing beneath it. */
	private static String groupReason(ConfigurationPropertyName name, int option, String group, List<String> keys) {
		if (name.getNumberOfElements() <= option) {
			return group + " is a group of options (" + String.join(", ", keys) + "), not a value";
		}
		if (!isKey(keys, name.getElement(option, Form.UNIFORM))) {
			return quoted(name, option) + " is not a " + group + " option; " + group + " takes "
					+ String.join(", ", keys);
		}
		return quoted(name, option) + " takes a value, not options beneath it";
	}

	/** The TLS setting at {@code option}, which must be an ssl key with nothing beneath it. */
	private static String sslReason(ConfigurationPropertyName name, int option) {
		if (name.getNumberOfElements() <= option) {
			return "ssl is a group of settings (" + String.join(", ", SSL_KEYS) + "), not a value";
		}
		if (!isKey(SSL_KEYS, name.getElement(option, Form.UNIFORM))) {
			return quoted(name, option) + " is not an ssl setting; ssl takes " + String.join(", ", SSL_KEYS);
		}
		return quoted(name, option) + " takes a value, not settings beneath it";
	}

	private static String quoted(ConfigurationPropertyName name, int element) {
		return "'" + name.getElement(element, Form.ORIGINAL) + "'";
	}

	private static boolean isKey(List<String> keys, String uniformElement) {
		return keys.stream().anyMatch((key) -> key.replace("-", "").equals(uniformElement));
	}

	/**
	 * The keys of a settings class as the binder derives them: from its setters, and from the getters of
	 * the groups and maps it binds into without one.
	 */
	private static List<String> keysOf(Class<?> type) {
		return Arrays.stream(BeanUtils.getPropertyDescriptors(type))
			.filter((descriptor) -> descriptor.getWriteMethod() != null
					|| Map.class.isAssignableFrom(descriptor.getPropertyType())
					|| descriptor.getPropertyType() == ListenerSslProperties.class)
			.map(PropertyDescriptor::getName)
			.map(DataObjectPropertyName::toDashedForm)
			.sorted()
			.toList();
	}

}
