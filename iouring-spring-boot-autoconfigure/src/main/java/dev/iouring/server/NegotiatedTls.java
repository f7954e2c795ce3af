package dev.iouring.server;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

import org.jspecify.annotations.Nullable;

/**
 * What a finished TLS handshake agreed on, as a connection shows it to its handler.
 *
 * @param protocol the protocol, such as {@code TLSv1.3}
 * @param cipherSuite the cipher suite, such as {@code TLS_AES_128_GCM_SHA256}
 * @param serverName the host name the client asked for (SNI), or {@code null} when it named none
 * @param peerCertificates the client's certificate chain, its own first; empty when it showed none
 * @param session the engine's session, for anything else (session id, local certificates)
 */
public record NegotiatedTls(String protocol, String cipherSuite, @Nullable String serverName,
		List<X509Certificate> peerCertificates, SSLSession session) {

	public NegotiatedTls {
		peerCertificates = List.copyOf(peerCertificates);
	}

	/**
	 * Reads a session.
	 * @param session the engine's session after its handshake
	 * @param fallbackServerName the host name read from the ClientHello, used when the session keeps none
	 * @return what was agreed
	 */
	static NegotiatedTls of(SSLSession session, @Nullable String fallbackServerName) {
		String serverName = (session instanceof ExtendedSSLSession extended)
				? hostName(extended.getRequestedServerNames()) : null;
		return new NegotiatedTls(session.getProtocol(), session.getCipherSuite(),
				(serverName != null) ? serverName : fallbackServerName, peerCertificates(session), session);
	}

	private static List<X509Certificate> peerCertificates(SSLSession session) {
		try {
			List<X509Certificate> chain = new ArrayList<>();
			for (Certificate certificate : session.getPeerCertificates()) {
				if (certificate instanceof X509Certificate x509) {
					chain.add(x509);
				}
			}
			return chain;
		}
		catch (SSLPeerUnverifiedException ex) {
			return List.of();
		}
	}

	private static @Nullable String hostName(List<SNIServerName> names) {
		for (SNIServerName name : names) {
			if (name instanceof SNIHostName host) {
				return host.getAsciiName();
			}
		}
		return null;
	}

	@Override
	public String toString() {
		return "NegotiatedTls[" + this.protocol + ", " + this.cipherSuite + ", serverName=" + this.serverName
				+ ", peerCertificates=" + this.peerCertificates.size() + "]";
	}

}
