package dev.iouring.server;

/**
 * A PROXY protocol header that breaks the specification. {@link ProxyHeaderDecoder} turns it into its
 * failed outcome; the message names what was wrong and is written for the server's log, so it quotes
 * received bytes only in escaped form. Carries no stack trace: peers cause it, not the server.
 */
final class ProxyProtocolException extends Exception {

	ProxyProtocolException(String message) {
		super(message, null, false, false);
	}

}
