package dev.iouring.autoconfigure;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import dev.iouring.server.TlsSettings;

/**
 * TLS of a listener, bound from {@code iouring.server.ssl.*} (the default of every listener) or a
 * listener's own {@code ssl.*}, where each value left unset falls back to the server-level one. Key
 * material, protocols and ciphers come from a Spring Boot SSL bundle
 * ({@code spring.ssl.bundle.jks.<name>} or {@code spring.ssl.bundle.pem.<name>}).
 */
public class ListenerSslProperties {

	/**
	 * Whether the listener speaks TLS. When not set, true wherever an SSL bundle is named; set false on a
	 * listener to keep it plaintext under a server-level bundle.
	 */
	private @Nullable Boolean enabled;

	/**
	 * Name of the SSL bundle (spring.ssl.bundle.jks.<name> or spring.ssl.bundle.pem.<name>) whose key the
	 * server presents, whose trust store checks client certificates, and whose options choose the
	 * protocols and cipher suites.
	 */
	private @Nullable String bundle;

	/**
	 * Whether clients must show a certificate: 'none', 'want' (asked for, not required) or 'need'. When
	 * not set, 'none'.
	 */
	private TlsSettings.@Nullable ClientAuth clientAuth;

	/**
	 * How long a connection may take from accept to a finished handshake before it is closed. When not
	 * set, 10s.
	 */
	private @Nullable Duration handshakeTimeout;

	/**
	 * SSL bundle by host name the client asks for (SNI), such as '[api.example.com]: api' or
	 * '[*.example.com]: wildcard'. Clients naming no host, or another, get the bundle of 'bundle'.
	 */
	private final Map<String, String> serverNameBundles = new LinkedHashMap<>();

	public @Nullable Boolean getEnabled() {
		return this.enabled;
	}

	public void setEnabled(@Nullable Boolean enabled) {
		this.enabled = enabled;
	}

	public @Nullable String getBundle() {
		return this.bundle;
	}

	public void setBundle(@Nullable String bundle) {
		this.bundle = bundle;
	}

	public TlsSettings.@Nullable ClientAuth getClientAuth() {
		return this.clientAuth;
	}

	public void setClientAuth(TlsSettings.@Nullable ClientAuth clientAuth) {
		this.clientAuth = clientAuth;
	}

	public @Nullable Duration getHandshakeTimeout() {
		return this.handshakeTimeout;
	}

	public void setHandshakeTimeout(@Nullable Duration handshakeTimeout) {
		this.handshakeTimeout = handshakeTimeout;
	}

	public Map<String, String> getServerNameBundles() {
		return this.serverNameBundles;
	}

}
