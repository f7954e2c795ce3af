package dev.iouring.server;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

import org.jspecify.annotations.Nullable;

/**
 * TLS on a listener: where its server engines come from, whether clients must show a certificate, and
 * how long a handshake may take.
 *
 * <p>Contexts are read through suppliers each time a connection opens, so a context replaced behind its
 * supplier (a reloaded certificate) serves new connections while open ones keep the engine they have.
 * With server names (SNI), the server reads the host name from the client's first handshake message
 * and takes the engine from the context registered for it: an exact name first, then a wildcard
 * {@code *.example.com}, which stands for exactly one label; a client that names no host, or one not
 * registered, gets the default context.
 *
 * <p>Immutable and safe to share between threads, given suppliers that are.
 */
public final class TlsSettings {

	/** Default handshake timeout: long enough for a slow mobile link, short enough to cut a stalled flood. */
	public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

	/**
	 * Whether the server asks the client for a certificate (mutual TLS).
	 */
	public enum ClientAuth {

		/** The server does not ask for a client certificate. */
		NONE,

		/** The server asks for one and accepts a client that has none. */
		WANT,

		/** The server asks for one and fails the handshake of a client that has none. */
		NEED

	}

	private final Supplier<TlsContext> defaultContext;

	private final Map<String, Supplier<TlsContext>> serverNames;

	private final ClientAuth clientAuth;

	private final Duration handshakeTimeout;

	private TlsSettings(Builder builder) {
		this.defaultContext = builder.defaultContext;
		this.serverNames = Map.copyOf(builder.serverNames);
		this.clientAuth = builder.clientAuth;
		this.handshakeTimeout = builder.handshakeTimeout;
	}

	/**
	 * Returns settings with one fixed context, no client authentication and the default timeout.
	 * @param sslContext the context whose key material the server presents
	 * @return the settings
	 */
	public static TlsSettings of(SSLContext sslContext) {
		TlsContext context = TlsContext.of("default", sslContext);
		return builder(() -> context).build();
	}

	/**
	 * Starts settings whose default context is read from a supplier on each new connection.
	 * @param defaultContext supplies the context for clients that name no registered host
	 * @return a builder
	 */
	public static Builder builder(Supplier<TlsContext> defaultContext) {
		return new Builder(defaultContext);
	}

	/**
	 * Returns whether the server must read the client's requested host name before it can choose the
	 * engine.
	 * @return {@code true} when server names are registered
	 */
	public boolean selectsByServerName() {
		return !this.serverNames.isEmpty();
	}

	/**
	 * Returns the context that serves a host name now.
	 * @param serverName the host name the client asked for, or {@code null} when it sent none
	 * @return the context registered for the name, else the default
	 */
	public TlsContext context(@Nullable String serverName) {
		if (serverName != null && !this.serverNames.isEmpty()) {
			String name = serverName.toLowerCase(Locale.ROOT);
			Supplier<TlsContext> exact = this.serverNames.get(name);
			if (exact != null) {
				return exact.get();
			}
			int dot = name.indexOf('.');
			Supplier<TlsContext> wildcard = (dot > 0) ? this.serverNames.get("*" + name.substring(dot)) : null;
			if (wildcard != null) {
				return wildcard.get();
			}
		}
		return this.defaultContext.get();
	}

	/**
	 * Creates a server engine for a new connection.
	 * @param serverName the host name the client asked for, or {@code null}
	 * @return an engine in server mode with the context's protocols, cipher suites and the client
	 * authentication of these settings
	 */
	public SSLEngine createEngine(@Nullable String serverName) {
		return context(serverName).createServerEngine(this.clientAuth);
	}

	/**
	 * Returns the registered host names, in lower case, wildcards as {@code *.example.com}.
	 * @return the server names and their contexts' suppliers
	 */
	public Map<String, Supplier<TlsContext>> serverNames() {
		return this.serverNames;
	}

	/**
	 * Returns whether clients are asked for a certificate.
	 * @return the client authentication
	 */
	public ClientAuth clientAuth() {
		return this.clientAuth;
	}

	/**
	 * Returns how long a connection may take from accept to a finished handshake before it is closed
	 * with reason {@code tls-handshake-timeout}.
	 * @return the timeout, positive
	 */
	public Duration handshakeTimeout() {
		return this.handshakeTimeout;
	}

	@Override
	public String toString() {
		return "TlsSettings[context=" + this.defaultContext.get().name() + ", serverNames=" + this.serverNames.keySet()
				+ ", clientAuth=" + this.clientAuth + ", handshakeTimeout=" + this.handshakeTimeout + "]";
	}

	/**
	 * Builds {@link TlsSettings}.
	 */
	public static final class Builder {

		private final Supplier<TlsContext> defaultContext;

		private final Map<String, Supplier<TlsContext>> serverNames = new LinkedHashMap<>();

		private ClientAuth clientAuth = ClientAuth.NONE;

		private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;

		private Builder(Supplier<TlsContext> defaultContext) {
			this.defaultContext = Objects.requireNonNull(defaultContext, "defaultContext");
		}

		/**
		 * Sets whether clients are asked for a certificate.
		 * @param clientAuth the client authentication
		 * @return this builder
		 */
		public Builder clientAuth(ClientAuth clientAuth) {
			this.clientAuth = Objects.requireNonNull(clientAuth, "clientAuth");
			return this;
		}

		/**
		 * Sets how long a handshake may take.
		 * @param handshakeTimeout the timeout, positive
		 * @return this builder
		 * @throws IllegalArgumentException if the timeout is zero or negative
		 */
		public Builder handshakeTimeout(Duration handshakeTimeout) {
			if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
				throw new IllegalArgumentException("handshake-timeout must be positive but was " + handshakeTimeout);
			}
			this.handshakeTimeout = handshakeTimeout;
			return this;
		}

		/**
		 * Registers the context that serves clients asking for a host name (SNI).
		 * @param serverName a host name, or {@code *.} and a domain for any one label beneath it
		 * @param context supplies the context, read on each new connection
		 * @return this builder
		 * @throws IllegalArgumentException if the name is blank, has a wildcard elsewhere than as its whole
		 * first label, or is registered twice
		 */
		public Builder serverName(String serverName, Supplier<TlsContext> context) {
			String name = serverName.toLowerCase(Locale.ROOT);
			if (name.isBlank() || name.lastIndexOf('*') > 0 || (name.startsWith("*") && !name.startsWith("*."))
					|| name.equals("*.")) {
				throw new IllegalArgumentException("server name '" + serverName
						+ "' must be a host name, or '*.' and a domain for any one label beneath it");
			}
			if (this.serverNames.putIfAbsent(name, Objects.requireNonNull(context, "context")) != null) {
				throw new IllegalArgumentException("server name '" + serverName + "' is registered twice");
			}
			return this;
		}

		/**
		 * Builds the settings.
		 * @return the settings
		 */
		public TlsSettings build() {
			return new TlsSettings(this);
		}

	}

}
