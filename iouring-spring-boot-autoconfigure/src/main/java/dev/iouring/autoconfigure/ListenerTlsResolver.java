package dev.iouring.autoconfigure;

import java.security.KeyStore;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.ssl.SslOptions;

import dev.iouring.server.TlsContext;
import dev.iouring.server.TlsSettings;
import dev.iouring.server.TlsSettings.ClientAuth;

/**
 * Turns a listener's {@code ssl.*} properties, over the server-level {@code iouring.server.ssl.*}, into
 * the engine's {@link TlsSettings}, reading each SSL bundle through Boot's {@link SslBundles}.
 *
 * <p>Every bundle is checked at startup the way the first connection would use it, so that a listener
 * that cannot serve TLS stops startup with {@link InvalidSslBundleException} naming the property, rather
 * than failing each handshake later: the bundle exists, its stores load, it holds a key for the server,
 * it has a trust store when clients are asked for certificates (otherwise the JDK's public CAs would
 * vouch for them), and its options name protocols and cipher suites the JDK has.
 *
 * <p>Reload: each bundle's context sits behind a reference the bundle's update handler replaces, so a
 * bundle with {@code reload-on-update: true} serves new connections with its new certificate; open
 * connections keep their engines. An update that fails the same checks is logged and the previous
 * context kept.
 */
final class ListenerTlsResolver {

	private static final Logger logger = LoggerFactory.getLogger(ListenerTlsResolver.class);

	private static final String SERVER_PREFIX = "iouring.server.ssl";

	private final @Nullable SslBundles bundles;

	/** Contexts built at startup, by bundle: listeners naming the same bundle share one SSL context. */
	private final Map<SslBundle, TlsContext> built = new IdentityHashMap<>();

	/**
	 * Creates a resolver.
	 * @param bundles the application's SSL bundles, or {@code null} when the context has none
	 */
	ListenerTlsResolver(@Nullable SslBundles bundles) {
		this.bundles = bundles;
	}

	/**
	 * Resolves a listener's TLS.
	 * @param listener the listener's name
	 * @param own the listener's own {@code ssl.*} values
	 * @param server the server-level defaults
	 * @param ownPrefix the property prefix of {@code own}
	 * @return the settings, or {@code null} for a plaintext listener
	 * @throws InvalidSslBundleException if a bundle cannot serve the listener
	 */
	@Nullable TlsSettings resolve(String listener, ListenerSslProperties own, ListenerSslProperties server,
			String ownPrefix) {
		String bundleProperty = property(own.getBundle(), ownPrefix, "bundle");
		String bundle = firstNonNull(own.getBundle(), server.getBundle());
		Boolean enabled = firstNonNull(own.getEnabled(), server.getEnabled());
		if (Boolean.FALSE.equals(enabled) || (enabled == null && bundle == null)) {
			return null;
		}
		if (bundle == null) {
			String enabledProperty = property(own.getEnabled(), ownPrefix, "enabled");
			throw new InvalidSslBundleException(enabledProperty, "Listener '" + listener + "' has TLS enabled ("
					+ enabledProperty + "=true) but names no SSL bundle.", "Set " + bundleProperty
					+ " to the name of a spring.ssl.bundle.jks.* or spring.ssl.bundle.pem.* bundle, or set "
					+ enabledProperty + " to false.", null);
		}
		ClientAuth clientAuth = Objects.requireNonNullElse(firstNonNull(own.getClientAuth(), server.getClientAuth()),
				ClientAuth.NONE);
		String clientAuthProperty = property(own.getClientAuth(), ownPrefix, "client-auth");
		Duration timeout = Objects.requireNonNullElse(
				firstNonNull(own.getHandshakeTimeout(), server.getHandshakeTimeout()),
				TlsSettings.DEFAULT_HANDSHAKE_TIMEOUT);
		Requirement requirement = new Requirement(listener, clientAuth, clientAuthProperty);
		TlsSettings.Builder builder = TlsSettings.builder(context(bundle, bundleProperty, requirement))
			.clientAuth(clientAuth)
			.handshakeTimeout(timeout);
		boolean ownNames = !own.getServerNameBundles().isEmpty();
		Map<String, String> serverNames = ownNames ? own.getServerNameBundles() : server.getServerNameBundles();
		String namesProperty = (ownNames ? ownPrefix : SERVER_PREFIX) + ".server-name-bundles";
		serverNames.forEach((serverName, serverNameBundle) -> {
			String property = namesProperty + "[" + serverName + "]";
			Supplier<TlsContext> context = context(serverNameBundle, property, requirement);
			try {
				builder.serverName(serverName, context);
			}
			catch (IllegalArgumentException ex) {
				throw new InvalidSslBundleException(property, "Listener '" + listener + "' maps an invalid host name ("
						+ property + "): " + ex.getMessage() + ".", "Use a host name such as api.example.com, or "
						+ "*.example.com for any one label beneath a domain, in brackets in YAML keys.", ex);
			}
		});
		return builder.build();
	}

	/** A context kept current by the bundle's update handler. */
	private Supplier<TlsContext> context(String bundleName, String property, Requirement requirement) {
		SslBundles bundles = this.bundles;
		if (bundles == null) {
			throw new InvalidSslBundleException(property, "Listener '" + requirement.listener()
					+ "' names SSL bundle '" + bundleName + "' (" + property + "), but the application has no "
					+ "SslBundles bean to read it from.", "Keep Spring Boot's SslAutoConfiguration enabled, or "
					+ "define an SslBundles bean.", null);
		}
		SslBundle bundle;
		try {
			bundle = bundles.getBundle(bundleName);
		}
		catch (NoSuchSslBundleException ex) {
			List<String> names = bundles.getBundleNames();
			throw new InvalidSslBundleException(property, "Listener '" + requirement.listener()
					+ "' names SSL bundle '" + bundleName + "' (" + property + "), but no bundle has that name; "
					+ (names.isEmpty() ? "none is defined." : "defined bundles: " + String.join(", ", names) + "."),
					"Define it under spring.ssl.bundle.pem." + bundleName + " or spring.ssl.bundle.jks." + bundleName
							+ ", or set " + property + " to the name of a defined bundle.", ex);
		}
		AtomicReference<TlsContext> current = new AtomicReference<>(
				checked(bundleName, bundle, property, requirement, this.built));
		bundles.addBundleUpdateHandler(bundleName, (updated) -> {
			try {
				current.set(checked(bundleName, updated, property, requirement, null));
				logger.info("SSL bundle '{}' was updated; new connections of listener '{}' use it",
						bundleName, requirement.listener());
			}
			catch (InvalidSslBundleException ex) {
				logger.error("SSL bundle '{}' was updated, but listener '{}' keeps the previous one: {}", bundleName,
						requirement.listener(), ex.getMessage());
			}
		});
		return current::get;
	}

	/**
	 * Builds the bundle's context, or takes the one already built from this very bundle for another
	 * listener, and one engine from it, as a connection would.
	 */
	private static TlsContext checked(String name, SslBundle bundle, String property, Requirement requirement,
			@Nullable Map<SslBundle, TlsContext> built) {
		String bundleProperties = "spring.ssl.bundle.pem." + name + ".* (or spring.ssl.bundle.jks." + name + ".*)";
		String subject = "SSL bundle '" + name + "' (" + property + ", listener '" + requirement.listener() + "')";
		KeyStore keyStore;
		KeyStore trustStore;
		try {
			keyStore = bundle.getStores().getKeyStore();
			trustStore = bundle.getStores().getTrustStore();
		}
		catch (RuntimeException ex) {
			throw new InvalidSslBundleException(property, subject + " could not be loaded: " + message(ex) + ".",
					"Check the location, type and password of the key store and trust store under "
							+ bundleProperties + ".", ex);
		}
		if (keyStore == null) {
			throw new InvalidSslBundleException(property, subject + " has no key store, so the server would "
					+ "have no certificate to present.", "Set the keystore of " + bundleProperties
					+ " (for PEM: keystore.certificate and keystore.private-key).", null);
		}
		if (trustStore == null && requirement.clientAuth() != ClientAuth.NONE) {
			throw new InvalidSslBundleException(requirement.clientAuthProperty(), subject + " has no trust store, but "
					+ requirement.clientAuthProperty() + " is '" + requirement.clientAuth().name().toLowerCase(Locale.ROOT)
					+ "': client certificates would be checked against the JDK's public CAs.",
					"Set the truststore of " + bundleProperties + " to the CA that signs your clients' "
							+ "certificates, or set " + requirement.clientAuthProperty() + " to none.", null);
		}
		TlsContext context = (built != null)
				? built.computeIfAbsent(bundle, (same) -> created(name, same, property, subject, bundleProperties))
				: created(name, bundle, property, subject, bundleProperties);
		try {
			TlsSettings.builder(() -> context).clientAuth(requirement.clientAuth()).build().createEngine(null);
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidSslBundleException(property, subject + " names protocols or cipher suites the JDK "
					+ "does not support: " + ex.getMessage() + ".", "Correct spring.ssl.bundle.*." + name
							+ ".options.enabled-protocols and .options.ciphers.", ex);
		}
		return context;
	}

	/** Builds a new SSL context from the bundle, naming the bundle's properties when that fails. */
	private static TlsContext created(String name, SslBundle bundle, String property, String subject,
			String bundleProperties) {
		try {
			SslOptions options = bundle.getOptions();
			return new TlsContext(name, bundle.createSslContext(), list(options.getEnabledProtocols()),
					list(options.getCiphers()));
		}
		catch (RuntimeException ex) {
			throw new InvalidSslBundleException(property, subject + " could not be loaded: " + message(ex) + ".",
					"Check the key, its password and alias, and the protocol under " + bundleProperties + ".", ex);
		}
	}

	private static List<String> list(String @Nullable [] values) {
		return (values != null) ? List.of(values) : List.of();
	}

	private static String message(Throwable ex) {
		StringBuilder message = new StringBuilder(String.valueOf(ex.getMessage()));
		for (Throwable cause = ex.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
			message.append(": ").append(cause.getMessage());
		}
		return message.toString();
	}

	private static String property(@Nullable Object own, String ownPrefix, String key) {
		return ((own != null) ? ownPrefix : SERVER_PREFIX) + "." + key;
	}

	private static <T> @Nullable T firstNonNull(@Nullable T preferred, @Nullable T fallback) {
		return (preferred != null) ? preferred : fallback;
	}

	/** What a listener asks of its bundles, and where it asked it. */
	private record Requirement(String listener, ClientAuth clientAuth, String clientAuthProperty) {
	}

}
