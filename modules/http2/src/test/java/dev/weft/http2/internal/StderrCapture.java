package dev.weft.http2.internal;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What slf4j-simple prints during one test (it writes to whatever {@code System.err} is at the
 * time), for tests that assert what is logged: {@code @RegisterExtension final StderrCapture
 * stderr = new StderrCapture();}.
 */
final class StderrCapture implements BeforeEachCallback, AfterEachCallback {

    private ByteArrayOutputStream captured;
    private PrintStream originalErr;

    @Override
    public void beforeEach(ExtensionContext context) {
        captured = new ByteArrayOutputStream();
        originalErr = System.err;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    }

    @Override
    public void afterEach(ExtensionContext context) {
        System.setErr(originalErr);
    }

    /** Everything printed to System.err since the test began. */
    String text() {
        return captured.toString(StandardCharsets.UTF_8);
    }
}
