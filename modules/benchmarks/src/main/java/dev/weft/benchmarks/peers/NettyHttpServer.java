package dev.weft.benchmarks.peers;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Netty 4.1 on the NIO or the epoll transport ({@code PORT [--nio|--epoll]}): the event-loop contrast.
 * Shaped like Netty's TechEmpower entry:
 * responses are written in {@code channelRead} and flushed once per read batch in
 * {@code channelReadComplete}, so a pipelined batch of requests goes out in one write.
 * The same port speaks h2c with prior knowledge ({@link NettyH2c}), for the HTTP/2 workload.
 */
public final class NettyHttpServer {

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
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            // HTTP/1.1 as before, or h2c when the connection opens with the HTTP/2 preface.
                            ch.pipeline().addLast(new NettyH2c.Detector(
                                    new HttpServerCodec(), new HttpObjectAggregator(1 << 20), new Handler()));
                        }
                    })
                    .bind(port)
                    .sync()
                    .channel();
            Payloads.ready("netty (" + transport.label() + ")", port);
            channel.closeFuture().sync();
        } finally {
            boss.shutdownGracefully();
            workers.shutdownGracefully();
        }
    }

    private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private static final AsciiString TEXT = AsciiString.cached("text/plain");
        private static final AsciiString JSON = AsciiString.cached("application/json");
        private static final AsciiString OCTETS = AsciiString.cached("application/octet-stream");
        private static final ByteBuf PLAINTEXT = Unpooled.unreleasableBuffer(Unpooled.directBuffer().writeBytes(Payloads.PLAINTEXT));
        private static final ByteBuf JSON_BODY = Unpooled.unreleasableBuffer(Unpooled.directBuffer().writeBytes(Payloads.JSON));

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            String uri = request.uri();
            FullHttpResponse response;
            if (request.method() == HttpMethod.GET && uri.equals("/plaintext")) {
                response = ok(PLAINTEXT.duplicate(), TEXT);
            } else if (request.method() == HttpMethod.GET && uri.equals("/json")) {
                response = ok(JSON_BODY.duplicate(), JSON);
            } else if (request.method() == HttpMethod.POST && uri.equals("/echo")) {
                response = ok(request.content().retain(), OCTETS);
            } else {
                response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_FOUND, Unpooled.EMPTY_BUFFER);
                response.headers().set(HttpHeaderNames.CONTENT_LENGTH, HttpHeaderValues.ZERO);
            }
            if (HttpUtil.isKeepAlive(request)) {
                ctx.write(response, ctx.voidPromise());
            } else {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            }
        }

        private static FullHttpResponse ok(ByteBuf body, AsciiString contentType) {
            var response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body, false);
            HttpHeaders headers = response.headers();
            headers.set(HttpHeaderNames.CONTENT_TYPE, contentType);
            headers.set(HttpHeaderNames.SERVER, "netty");
            headers.set(HttpHeaderNames.DATE, DateCache.now());
            headers.setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
            return response;
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** RFC 9110 §6.6.1: a Date header on every response; formatted once per second, not per request. */
    static final class DateCache {
        private static volatile long second = -1;
        private static volatile AsciiString value;

        static AsciiString now() {
            long now = System.currentTimeMillis() / 1000;
            if (now != second) {
                value = AsciiString.cached(DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC)));
                second = now;
            }
            return value;
        }
    }

    private NettyHttpServer() {}
}
