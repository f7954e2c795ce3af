package dev.iouring.autoconfigure;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.cert.CertificateFactory;
import java.util.concurrent.atomic.AtomicLong;

import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Readies the JDK's TLS implementation ahead of the listeners that need it. The first SSL context a JVM
 * builds loads a few hundred classes, initialises the security providers and reads the JDK's CA
 * certificates; on a small machine that is more than half a second, which otherwise falls on the main
 * thread while the server's beans are created. Done on the pre-initialisation thread, it overlaps with
 * the rest of the start. The listeners' own contexts are still built, and checked, from their bundles.
 */
final class TlsWarmUp {

	/**
	 * Keeps the warmed trust managers, and with them the CA certificates, reachable until the context's
	 * singletons, the listeners' SSL contexts among them, exist: the JDK caches that set only weakly.
	 */
	private static volatile TrustManager @Nullable [] held;

	/** Counts releases, so that a warm-up still running when the settings were built holds nothing. */
	private static final AtomicLong releases = new AtomicLong();

	private TlsWarmUp() {
	}

	/**
	 * Returns whether any listener, or the server's defaults, may serve TLS, as far as the environment
	 * says: some {@code iouring.server.*ssl.*} property is set.
	 * @param environment the application's environment
	 * @return whether warming up TLS can pay off
	 */
	static boolean wanted(ConfigurableEnvironment environment) {
		for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
			if (source instanceof IterableConfigurationPropertySource iterable && iterable.stream()
				.map(Object::toString)
				.anyMatch((name) -> name.startsWith("iouring.server.") && name.contains(".ssl."))) {
				return true;
			}
		}
		return false;
	}

	/** Builds and drops a throwaway server context and engine, loading what a bundle's context uses. */
	static void run() {
		long generation = releases.get();
		try {
			CertificateFactory.getInstance("X.509");
			KeyFactory.getInstance("RSA");
			KeyFactory.getInstance("EC");
			keyManagers();
			TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
			trust.init((KeyStore) null);
			TrustManager[] managers = trust.getTrustManagers();
			SSLContext context = SSLContext.getInstance("TLS");
			context.init(null, managers, null);
			SSLEngine engine = context.createSSLEngine();
			engine.setUseClientMode(false);
			engine.getSupportedCipherSuites();
			held = managers;
			if (releases.get() != generation) {
				held = null;
			}
		}
		catch (GeneralSecurityException | RuntimeException ex) {
			// Only a head start is lost: each listener builds, and checks, its own context.
		}
	}

	/**
	 * A bundle's key is kept in a password-protected PKCS #12 store that the key manager factory reads
	 * back: storing and reading one secret key walks the same encryption and key derivation.
	 */
	private static void keyManagers() throws GeneralSecurityException {
		KeyStore store = KeyStore.getInstance("PKCS12");
		try {
			store.load(null, null);
		}
		catch (IOException ex) {
			throw new KeyStoreException(ex);
		}
		char[] password = "warm-up".toCharArray();
		store.setEntry("warm-up", new KeyStore.SecretKeyEntry(new SecretKeySpec(new byte[16], "AES")),
				new KeyStore.PasswordProtection(password));
		store.getKey("warm-up", password);
		KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
		keys.init(store, password);
		keys.getKeyManagers();
	}

	/** Lets the warmed CA certificates go once the listeners hold their own. */
	static void release() {
		releases.incrementAndGet();
		held = null;
	}

	/** Whether the warm-up holds its trust managers (for tests). */
	static boolean holding() {
		return held != null;
	}

}
