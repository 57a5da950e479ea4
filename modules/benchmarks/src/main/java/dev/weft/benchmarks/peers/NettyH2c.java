package dev.weft.benchmarks.peers;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * h2c with prior knowledge beside HTTP/1.1 on Netty's plain port: {@link Detector} looks at a
 * connection's first bytes and installs either the HTTP/1.1 pipeline it is given or Netty's
 * HTTP/2 codec, then leaves the pipeline, so an HTTP/1.1 connection runs exactly the handlers it
 * ran before h2c was added.
 *
 * <p>The HTTP/2 side is shaped like Netty's own frame-codec "hello world" server:
 * {@code Http2FrameCodec} with one sharable handler on the connection's channel that sees
 * HEADERS and DATA frames of all streams (no child channel per stream, the leaner of Netty's two
 * HTTP/2 server styles), writes each response in {@code channelRead} and flushes once per read
 * batch in {@code channelReadComplete}. HTTP/2 settings are the codec's defaults.
 */
final class NettyH2c {

    /** RFC 9113 §3.4: the client connection preface a prior-knowledge client opens with. */
    private static final ByteBuf PREFACE = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(
            "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));

    private NettyH2c() {}

    /**
     * Reads as many bytes as it needs to tell the HTTP/2 preface from an HTTP/1.1 request line,
     * then replaces itself: ByteToMessageDecoder hands the bytes it holds to the handlers that
     * follow when it is removed.
     */
    static final class Detector extends ByteToMessageDecoder {
        private final ChannelHandler[] http1;

        Detector(ChannelHandler... http1) {
            this.http1 = http1;
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            int n = Math.min(in.readableBytes(), PREFACE.readableBytes());
            boolean prefix = ByteBufUtil.equals(in, in.readerIndex(), PREFACE, PREFACE.readerIndex(), n);
            if (prefix && n < PREFACE.readableBytes()) {
                return; // so far a prefix of the preface: wait for more bytes
            }
            var pipeline = ctx.pipeline();
            if (prefix) {
                pipeline.addAfter(ctx.name(), null, Http2FrameCodecBuilder.forServer().build());
                pipeline.addLast(H2Handler.INSTANCE);
            } else {
                String after = ctx.name();
                for (ChannelHandler h : http1) {
                    pipeline.addAfter(after, null, h);
                    after = pipeline.context(h).name();
                }
            }
            pipeline.remove(this);
        }
    }

    /** Answers {@code GET /plaintext} and {@code GET /json} on every stream; 404 for anything else. */
    @ChannelHandler.Sharable
    static final class H2Handler extends ChannelInboundHandlerAdapter {
        static final H2Handler INSTANCE = new H2Handler();
        private static final AsciiString GET = AsciiString.cached("GET");
        private static final AsciiString PLAINTEXT_PATH = AsciiString.cached("/plaintext");
        private static final AsciiString JSON_PATH = AsciiString.cached("/json");
        private static final AsciiString TEXT = AsciiString.cached("text/plain");
        private static final AsciiString JSON = AsciiString.cached("application/json");
        private static final AsciiString NETTY = AsciiString.cached("netty");
        private static final ByteBuf PLAINTEXT = Unpooled.unreleasableBuffer(Unpooled.directBuffer().writeBytes(Payloads.PLAINTEXT));
        private static final ByteBuf JSON_BODY = Unpooled.unreleasableBuffer(Unpooled.directBuffer().writeBytes(Payloads.JSON));

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http2HeadersFrame headers) {
                if (headers.isEndStream()) {
                    respond(ctx, headers.stream(), headers.headers());
                }
                // A request with a body is answered when its DATA ends (below); the benchmark sends none.
            } else if (msg instanceof Http2DataFrame data) {
                try {
                    // Http2FrameCodec leaves flow control to the application: give the window back.
                    int bytes = data.initialFlowControlledBytes();
                    if (bytes > 0) {
                        ctx.write(new DefaultHttp2WindowUpdateFrame(bytes).stream(data.stream()));
                    }
                    if (data.isEndStream()) {
                        notFound(ctx, data.stream());
                    }
                } finally {
                    data.release();
                }
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        private static void respond(ChannelHandlerContext ctx, Http2FrameStream stream, Http2Headers request) {
            boolean get = GET.contentEquals(request.method());
            if (get && PLAINTEXT_PATH.contentEquals(request.path())) {
                ok(ctx, stream, PLAINTEXT.duplicate(), TEXT);
            } else if (get && JSON_PATH.contentEquals(request.path())) {
                ok(ctx, stream, JSON_BODY.duplicate(), JSON);
            } else {
                notFound(ctx, stream);
            }
        }

        private static void ok(ChannelHandlerContext ctx, Http2FrameStream stream, ByteBuf body, AsciiString contentType) {
            Http2Headers headers = new DefaultHttp2Headers()
                    .status(HttpResponseStatus.OK.codeAsText())
                    .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                    .set(HttpHeaderNames.SERVER, NETTY)
                    .set(HttpHeaderNames.DATE, NettyHttpServer.DateCache.now())
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
            ctx.write(new DefaultHttp2HeadersFrame(headers).stream(stream));
            ctx.write(new DefaultHttp2DataFrame(body, true).stream(stream));
        }

        private static void notFound(ChannelHandlerContext ctx, Http2FrameStream stream) {
            Http2Headers headers = new DefaultHttp2Headers().status(HttpResponseStatus.NOT_FOUND.codeAsText());
            ctx.write(new DefaultHttp2HeadersFrame(headers, true).stream(stream));
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
}
