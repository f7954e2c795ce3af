package dev.iouring.autoconfigure.endpoint;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.net.ssl.SSLEngine;

import org.jspecify.annotations.Nullable;

import dev.iouring.server.ListenerStats;
import dev.iouring.server.TlsSettings;

/**
 * TLS of one listener as {@code /actuator/iouring} shows it. Protocols and cipher suites are the ones an
 * engine created now enables (the bundle's {@code options}, or the JDK's defaults where it sets none),
 * so a reloaded bundle shows what new connections get.
 *
 * @param bundle the SSL bundle serving clients that name no registered host
 * @param protocols the protocols its engines enable
 * @param cipherSuites the cipher suites its engines enable, in preference order
 * @param clientAuth {@code none}, {@code want} or {@code need}
 * @param handshakeTimeoutMillis how long a handshake may take
 * @param serverNames by host name the client asks for (SNI): the bundle and what its engines enable
 * @param handshakes handshakes by result ({@code success}, {@code failed}, {@code timeout}), summed over
 * the loops
 */
public record TlsDescriptor(String bundle, List<String> protocols, List<String> cipherSuites, String clientAuth,
		long handshakeTimeoutMillis, Map<String, BundleDescriptor> serverNames, Map<String, Long> handshakes) {

	/**
	 * One bundle a listener serves, and what its engines enable.
	 * @param bundle the SSL bundle's name
	 * @param protocols the protocols its engines enable
	 * @param cipherSuites the cipher suites its engines enable
	 */
	public record BundleDescriptor(String bundle, List<String> protocols, List<String> cipherSuites) {

		static BundleDescriptor of(TlsSettings tls, @Nullable String serverName) {
			SSLEngine engine = tls.createEngine(serverName);
			return new BundleDescriptor(tls.context(serverName).name(), List.of(engine.getEnabledProtocols()),
					List.of(engine.getEnabledCipherSuites()));
		}

	}

	static @Nullable TlsDescriptor of(@Nullable TlsSettings tls, List<ListenerStats> perLoop) {
		if (tls == null) {
			return null;
		}
		BundleDescriptor defaultBundle = BundleDescriptor.of(tls, null);
		Map<String, BundleDescriptor> serverNames = new LinkedHashMap<>();
		// A registered name, wildcards included, looks itself up exactly.
		tls.serverNames().keySet().forEach((name) -> serverNames.put(name, BundleDescriptor.of(tls, name)));
		long succeeded = 0;
		long failed = 0;
		long timedOut = 0;
		for (ListenerStats stats : perLoop) {
			succeeded += stats.handshakesSucceeded();
			failed += stats.handshakesFailed();
			timedOut += stats.handshakesTimedOut();
		}
		Map<String, Long> handshakes = new LinkedHashMap<>();
		handshakes.put("success", succeeded);
		handshakes.put("failed", failed);
		handshakes.put("timeout", timedOut);
		return new TlsDescriptor(defaultBundle.bundle(), defaultBundle.protocols(), defaultBundle.cipherSuites(),
				tls.clientAuth().name().toLowerCase(Locale.ROOT), tls.handshakeTimeout().toMillis(), serverNames,
				handshakes);
	}

}
