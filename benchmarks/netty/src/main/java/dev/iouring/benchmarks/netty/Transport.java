package dev.iouring.benchmarks.netty;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;

/**
 * The three Netty transports a peer can run on. Each names the I/O handler of its event loop and the
 * server channel that matches it; the native ones report why they cannot run instead of failing later.
 */
enum Transport {

	IO_URING("io_uring") {
		@Override
		IoHandlerFactory handlerFactory() {
			return IoUringIoHandler.newFactory();
		}

		@Override
		Class<? extends ServerChannel> serverChannel() {
			return IoUringServerSocketChannel.class;
		}

		@Override
		Throwable unavailabilityCause() {
			return IoUring.unavailabilityCause();
		}
	},

	EPOLL("epoll") {
		@Override
		IoHandlerFactory handlerFactory() {
			return EpollIoHandler.newFactory();
		}

		@Override
		Class<? extends ServerChannel> serverChannel() {
			return EpollServerSocketChannel.class;
		}

		@Override
		Throwable unavailabilityCause() {
			return Epoll.unavailabilityCause();
		}
	},

	NIO("nio") {
		@Override
		IoHandlerFactory handlerFactory() {
			return NioIoHandler.newFactory();
		}

		@Override
		Class<? extends ServerChannel> serverChannel() {
			return NioServerSocketChannel.class;
		}

		@Override
		Throwable unavailabilityCause() {
			return null;
		}
	};

	private final String argument;

	Transport(String argument) {
		this.argument = argument;
	}

	abstract IoHandlerFactory handlerFactory();

	abstract Class<? extends ServerChannel> serverChannel();

	/** Why the transport cannot run here, or {@code null} when it can. */
	abstract Throwable unavailabilityCause();

	static Transport fromArgument(String value) {
		for (Transport transport : values()) {
			if (transport.argument.equals(value)) {
				return transport;
			}
		}
		throw new IllegalArgumentException("Unknown transport '" + value + "': use io_uring, epoll or nio");
	}

}
