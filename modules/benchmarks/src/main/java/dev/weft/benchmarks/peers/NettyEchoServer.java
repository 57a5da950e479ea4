package dev.weft.benchmarks.peers;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;

/**
 * Netty 4.1 TCP echo on NIO or epoll ({@code PORT [--nio|--epoll]}): writes each inbound buffer
 * back, flushes once per read batch, and stops reading while the outbound buffer is above its
 * high-water mark so a fast sender cannot make it queue without bound.
 */
public final class NettyEchoServer {

    public static void main(String[] args) throws InterruptedException {
        int port = Payloads.port(args);
        NettyTransport transport = NettyTransport.of(args);
        EventLoopGroup boss = transport.group(1);
        EventLoopGroup workers = transport.workers();
        try {
            var channel = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(transport.serverChannel())
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new Echo());
                        }
                    })
                    .bind(port)
                    .sync()
                    .channel();
            Payloads.ready("netty-echo (" + transport.label() + ")", port);
            channel.closeFuture().sync();
        } finally {
            boss.shutdownGracefully();
            workers.shutdownGracefully();
        }
    }

    private static final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg, ctx.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
            if (!ctx.channel().isWritable()) {
                ctx.channel().config().setAutoRead(false);
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) {
                ctx.channel().config().setAutoRead(true);
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private NettyEchoServer() {}
}
