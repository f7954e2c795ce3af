package dev.iouring.server;

import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * One source of server TLS engines: an {@link SSLContext} (key and trust material, protocol) and the
 * protocols and cipher suites its engines enable. Spring's SSL bundles map onto it one to one.
 *
 * @param name what the context is called in logs and the actuator, such as the SSL bundle's name
 * @param sslContext the context that creates the engines
 * @param protocols the protocols to enable, such as {@code TLSv1.3}; empty for the context's defaults
 * @param cipherSuites the cipher suites to enable; empty for the context's defaults
 */
public record TlsContext(String name, SSLContext sslContext, List<String> protocols, List<String> cipherSuites) {

	public TlsContext {
		protocols = List.copyOf(protocols);
		cipherSuites = List.copyOf(cipherSuites);
	}

	/**
	 * Returns a context that enables the {@link SSLContext}'s default protocols and cipher suites.
	 * @param name the name shown in logs
	 * @param sslContext the context
	 * @return the TLS context
	 */
	public static TlsContext of(String name, SSLContext sslContext) {
		return new TlsContext(name, sslContext, List.of(), List.of());
	}

	/**
	 * Creates a server-mode engine with this context's protocols and cipher suites.
	 * @param clientAuth whether the engine asks the client for a certificate
	 * @return a new engine that has not started its handshake
	 * @throws IllegalArgumentException if the provider supports none of a protocol or cipher suite named
	 */
	SSLEngine createServerEngine(TlsSettings.ClientAuth clientAuth) {
		SSLEngine engine = this.sslContext.createSSLEngine();
		engine.setUseClientMode(false);
		SSLParameters parameters = engine.getSSLParameters();
		if (!this.protocols.isEmpty()) {
			parameters.setProtocols(this.protocols.toArray(String[]::new));
		}
		if (!this.cipherSuites.isEmpty()) {
			parameters.setCipherSuites(this.cipherSuites.toArray(String[]::new));
		}
		switch (clientAuth) {
			case NEED -> parameters.setNeedClientAuth(true);
			case WANT -> parameters.setWantClientAuth(true);
			case NONE -> parameters.setNeedClientAuth(false);
		}
		engine.setSSLParameters(parameters);
		return engine;
	}

}
