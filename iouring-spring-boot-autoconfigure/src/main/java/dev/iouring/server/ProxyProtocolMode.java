package dev.iouring.server;

/**
 * Whether a listener reads a PROXY protocol header (v1 text or v2 binary, told apart by their first
 * bytes) ahead of each connection's data, as load balancers such as HAProxy ({@code send-proxy},
 * {@code send-proxy-v2}) and the AWS and GCP network load balancers send it.
 */
public enum ProxyProtocolMode {

	/** No header is expected; the first bytes go to the codec or the handler. */
	OFF,

	/**
	 * Every connection must start with a valid header; one that does not, or whose header is malformed,
	 * truncated or late, is closed with {@link CloseReason#PROXY_PROTOCOL_ERROR}. Use this whenever
	 * clients can reach the port only through the proxy.
	 */
	ON,

	/**
	 * A connection may start with a header or with ordinary data; bytes that cannot start either header
	 * signature are passed on untouched. A client that connects directly can then claim any address by
	 * sending a header itself, so use this only while migrating, or where the port is not reachable by
	 * untrusted clients.
	 */
	OPTIONAL

}
