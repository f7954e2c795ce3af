package dev.iouring.benchmarks.netty;

import java.io.File;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

/**
 * Entry point of the Netty benchmark peers: an echo or RESP server on one event loop of the chosen
 * transport, with pooled direct buffers.
 * <p>
 * Usage: {@code PeerServer --transport io_uring|epoll|nio --protocol echo|resp --port N [--host H]
 * [--tls jdk|openssl --cert PEM --key PEM]}. With {@code --tls}, each connection starts with an
 * {@code SslHandler} (TLS 1.3 only, on the JDK's engine or on OpenSSL through netty-tcnative).
 * Listens on 127.0.0.1 unless told otherwise; runs until killed.
 */
public final class PeerServer {

	/** Matches the accept backlog of the C reference server, so 1000 quick connects never overflow it. */
	private static final int ACCEPT_BACKLOG = 4096;

	private PeerServer() {
	}

	public static void main(String[] args) throws InterruptedException {
		Transport transport = Transport.IO_URING;
		String protocol = "echo";
		String host = "127.0.0.1";
		int port = 7000;
		String tls = null;
		String cert = null;
		String key = null;
		for (int i = 0; i + 1 < args.length; i += 2) {
			switch (args[i]) {
				case "--transport" -> transport = Transport.fromArgument(args[i + 1]);
				case "--protocol" -> protocol = args[i + 1];
				case "--host" -> host = args[i + 1];
				case "--port" -> port = Integer.parseInt(args[i + 1]);
				case "--tls" -> tls = args[i + 1];
				case "--cert" -> cert = args[i + 1];
				case "--key" -> key = args[i + 1];
				default -> throw new IllegalArgumentException("Unknown option " + args[i]);
			}
		}
		Throwable cause = transport.unavailabilityCause();
		if (cause != null) {
			System.err.println("netty-peer: transport " + transport + " is not available: " + cause);
			System.exit(1);
		}
		ChannelHandler childHandler = switch (protocol) {
			case "echo" -> new EchoHandler();
			case "resp" -> respInitializer();
			default -> throw new IllegalArgumentException("Unknown protocol '" + protocol + "': use echo or resp");
		};
		if (tls != null) {
			childHandler = secured(childHandler, sslContext(tls, cert, key));
		}

		EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, transport.handlerFactory());
		Runtime.getRuntime().addShutdownHook(new Thread(() -> group.shutdownGracefully(0, 1, TimeUnit.SECONDS)));
		ServerBootstrap bootstrap = new ServerBootstrap().group(group)
			.channel(transport.serverChannel())
			.option(ChannelOption.SO_BACKLOG, ACCEPT_BACKLOG)
			.option(ChannelOption.SO_REUSEADDR, true)
			.option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
			.childOption(ChannelOption.TCP_NODELAY, true)
			.childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
			.childHandler(childHandler);
		Channel server = bootstrap.bind(host, port).sync().channel();
		System.err.println("netty-peer: " + protocol + " on " + transport + " listening on " + host + ":" + port);
		server.closeFuture().sync();
	}

	private static SslContext sslContext(String provider, String cert, String key) {
		if (cert == null || key == null) {
			throw new IllegalArgumentException("--tls needs --cert and --key (PEM files)");
		}
		SslProvider sslProvider = switch (provider) {
			case "jdk" -> SslProvider.JDK;
			case "openssl" -> SslProvider.OPENSSL;
			default -> throw new IllegalArgumentException("Unknown TLS provider '" + provider + "': use jdk or openssl");
		};
		if (sslProvider == SslProvider.OPENSSL && !OpenSsl.isAvailable()) {
			System.err.println("netty-peer: OpenSSL is not available: " + OpenSsl.unavailabilityCause());
			System.exit(1);
		}
		try {
			return SslContextBuilder.forServer(new File(cert), new File(key))
				.sslProvider(sslProvider)
				.protocols("TLSv1.3")
				.build();
		}
		catch (Exception ex) {
			throw new IllegalStateException("TLS context: " + ex, ex);
		}
	}

	/** Puts an SslHandler in front of the protocol handler (or initializer) of each connection. */
	private static ChannelHandler secured(ChannelHandler inner, SslContext context) {
		return new ChannelInitializer<Channel>() {
			@Override
			protected void initChannel(Channel channel) {
				channel.pipeline().addLast(context.newHandler(channel.alloc()));
				channel.pipeline().addLast(inner);
			}
		};
	}

	private static ChannelHandler respInitializer() {
		Map<ByteBuffer, byte[]> keySpace = new HashMap<>();
		return new ChannelInitializer<Channel>() {
			@Override
			protected void initChannel(Channel channel) {
				channel.pipeline().addLast(new RespHandler(keySpace));
			}
		};
	}

}
