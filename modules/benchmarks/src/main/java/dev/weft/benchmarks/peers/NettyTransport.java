package dev.weft.benchmarks.peers;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;

/**
 * The Netty transport a peer runs on: NIO (the JDK's selector, Netty's portable default) or epoll
 * (Netty's own JNI transport, what Netty users deploy on Linux). Chosen by the second argument,
 * {@code --nio} (the default) or {@code --epoll}.
 */
enum NettyTransport {
    NIO, EPOLL;

    static NettyTransport of(String[] args) {
        if (args.length < 2 || args[1].equals("--nio")) {
            return NIO;
        }
        if (!args[1].equals("--epoll")) {
            throw new IllegalArgumentException("transport must be --nio or --epoll, got '" + args[1] + "'");
        }
        if (!Epoll.isAvailable()) {
            // Say why (wrong OS or CPU, the native library missing from the jar, noexec /tmp) instead of
            // silently measuring NIO under the epoll label.
            throw new IllegalStateException("--epoll: Netty's native epoll transport is not available", Epoll.unavailabilityCause());
        }
        return EPOLL;
    }

    EventLoopGroup group(int threads) {
        return this == EPOLL ? new EpollEventLoopGroup(threads) : new NioEventLoopGroup(threads);
    }

    /** Zero threads: Netty's default, twice the CPUs the JVM sees (the same for both transports). */
    EventLoopGroup workers() {
        return group(0);
    }

    Class<? extends ServerChannel> serverChannel() {
        return this == EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    String label() {
        return this == EPOLL ? "epoll" : "nio";
    }
}
