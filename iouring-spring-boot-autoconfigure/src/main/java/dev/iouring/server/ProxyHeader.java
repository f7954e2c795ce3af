package dev.iouring.server;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * The PROXY protocol header a load balancer (HAProxy, an AWS or GCP network load balancer, Envoy) sent
 * ahead of a connection's data, as {@link Connection#proxyHeader()} returns it. Immutable.
 *
 * <p>Version 1 is a text line ({@code PROXY TCP4 192.0.2.1 198.51.100.7 56324 443\r\n}), version 2 a
 * binary block that may carry type-length-value extensions (TLVs) after the addresses: the negotiated
 * ALPN protocol, the authority (TLS SNI), a unique connection id, TLS details. The specification is
 * HAProxy's {@code doc/proxy-protocol.txt}.
 *
 * <p>Addresses are given only when the header relays a TCP or UDP connection
 * ({@link Command#PROXY} over {@link Family#INET} or {@link Family#INET6}): a {@link Command#LOCAL}
 * header (the balancer's own health check), a v1 {@code UNKNOWN} line and an {@link Family#UNIX} or
 * unspecified family leave both {@code null}, and the connection's own endpoints stand.
 */
public final class ProxyHeader {

	/** TLV type of the application protocol the client negotiated (ALPN, for example {@code h2}). */
	public static final int TYPE_ALPN = 0x01;

	/** TLV type of the host name the client asked for, UTF-8 (the TLS SNI, for example). */
	public static final int TYPE_AUTHORITY = 0x02;

	/** TLV type of the CRC32c checksum of the header; the decoder verifies it when present. */
	public static final int TYPE_CRC32C = 0x03;

	/** TLV type of padding, which the decoder skips and {@link #tlvTypes()} never lists. */
	public static final int TYPE_NOOP = 0x04;

	/** TLV type of the opaque id of the connection, up to 128 bytes, chosen by the proxy. */
	public static final int TYPE_UNIQUE_ID = 0x05;

	/** TLV type of the TLS details (client flags, verify result, then sub-TLVs 0x21 to 0x25). */
	public static final int TYPE_SSL = 0x20;

	/** TLV type of the name of the network namespace the connection came from, US-ASCII. */
	public static final int TYPE_NETNS = 0x30;

	/** What the header says the connection is. */
	public enum Command {

		/**
		 * The proxy opened the connection on its own behalf (a health check): the connection's own
		 * endpoints are the real ones.
		 */
		LOCAL,

		/** The proxy relays a connection from a client; the header carries the client's endpoints. */
		PROXY

	}

	/** The address family of the relayed connection. */
	public enum Family {

		/** Not given: a v1 {@code UNKNOWN} line, a v2 {@code AF_UNSPEC} block or a {@code LOCAL} header. */
		UNSPECIFIED,

		/** IPv4: v1 {@code TCP4}, v2 {@code AF_INET}. */
		INET,

		/** IPv6: v1 {@code TCP6}, v2 {@code AF_INET6}. */
		INET6,

		/** A Unix domain socket (v2 {@code AF_UNIX}); its paths are not exposed. */
		UNIX

	}

	/** The transport protocol of the relayed connection. */
	public enum Protocol {

		/** Not given. */
		UNSPECIFIED,

		/** {@code SOCK_STREAM}: TCP, or a Unix stream socket. */
		STREAM,

		/** {@code SOCK_DGRAM}: UDP, or a Unix datagram socket. */
		DGRAM

	}

	private final int version;

	private final Command command;

	private final Family family;

	private final Protocol protocol;

	private final @Nullable InetSocketAddress source;

	private final @Nullable InetSocketAddress destination;

	private final Map<Integer, byte[]> tlvs;

	/**
	 * Creates a header; only the decoder does.
	 * @param tlvs the TLVs by type, the first of each type, in the order received; taken, not copied
	 */
	ProxyHeader(int version, Command command, Family family, Protocol protocol, @Nullable InetSocketAddress source,
			@Nullable InetSocketAddress destination, LinkedHashMap<Integer, byte[]> tlvs) {
		this.version = version;
		this.command = command;
		this.family = family;
		this.protocol = protocol;
		this.source = source;
		this.destination = destination;
		this.tlvs = Collections.unmodifiableMap(tlvs);
	}

	/**
	 * Returns the protocol version the proxy used.
	 * @return 1 (text) or 2 (binary)
	 */
	public int version() {
		return this.version;
	}

	/**
	 * Returns whether the header relays a client's connection or marks the proxy's own.
	 * @return the command; a v1 line is always {@link Command#PROXY}
	 */
	public Command command() {
		return this.command;
	}

	/**
	 * Returns the address family of the relayed connection.
	 * @return the family, {@link Family#UNSPECIFIED} for {@link Command#LOCAL}
	 */
	public Family family() {
		return this.family;
	}

	/**
	 * Returns the transport protocol of the relayed connection.
	 * @return the protocol, {@link Protocol#STREAM} for v1 {@code TCP4} and {@code TCP6}
	 */
	public Protocol protocol() {
		return this.protocol;
	}

	/**
	 * Returns the original client's address and port. An IPv4-mapped IPv6 address
	 * ({@code ::ffff:192.0.2.1}) comes back as an {@link java.net.Inet4Address}, as everywhere in Java.
	 * The address is not resolved to a host name.
	 * @return the client's endpoint, or {@code null} when the header carries none
	 */
	public @Nullable InetSocketAddress sourceAddress() {
		return this.source;
	}

	/**
	 * Returns the address and port the client connected to (the proxy's listening endpoint).
	 * @return the endpoint, or {@code null} when the header carries none
	 */
	public @Nullable InetSocketAddress destinationAddress() {
		return this.destination;
	}

	/**
	 * Returns the value of a TLV (version 2 only), the first one of its type if several were sent.
	 * @param type the TLV type, for example {@link #TYPE_AUTHORITY} or an application's own in
	 * {@code 0xE0} to {@code 0xEF}
	 * @return a copy of the value, or {@code null} if the header has no TLV of that type
	 */
	public byte @Nullable [] tlv(int type) {
		byte[] value = this.tlvs.get(type);
		return (value != null) ? value.clone() : null;
	}

	/**
	 * Returns the types of the TLVs the header carries, in the order received, padding excluded.
	 * @return the types, unmodifiable; empty for version 1
	 */
	public Set<Integer> tlvTypes() {
		return this.tlvs.keySet();
	}

	/**
	 * Returns the application protocol the client negotiated with the proxy (TLV {@link #TYPE_ALPN}).
	 * @return the protocol name, for example {@code h2}, or {@code null} if not sent
	 */
	public @Nullable String alpn() {
		return text(TYPE_ALPN);
	}

	/**
	 * Returns the host name the client asked the proxy for (TLV {@link #TYPE_AUTHORITY}, the TLS SNI).
	 * @return the host name, or {@code null} if not sent
	 */
	public @Nullable String authority() {
		return text(TYPE_AUTHORITY);
	}

	/**
	 * Returns the proxy's id for this connection (TLV {@link #TYPE_UNIQUE_ID}), which correlates it with
	 * the proxy's own logs.
	 * @return a copy of the id's bytes, or {@code null} if not sent
	 */
	public byte @Nullable [] uniqueId() {
		return tlv(TYPE_UNIQUE_ID);
	}

	private @Nullable String text(int type) {
		byte[] value = this.tlvs.get(type);
		return (value != null) ? new String(value, StandardCharsets.UTF_8) : null;
	}

	@Override
	public String toString() {
		return "ProxyHeader[v" + this.version + " " + this.command + " " + this.family + "/" + this.protocol
				+ ((this.source != null) ? " " + this.source + " -> " + this.destination : "")
				+ (this.tlvs.isEmpty() ? "" : " tlvs=" + this.tlvs.keySet()) + "]";
	}

}
