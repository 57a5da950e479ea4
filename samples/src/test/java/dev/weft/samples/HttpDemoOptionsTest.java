package dev.weft.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** HttpDemo's own flags: --drain-delay SECONDS and --reuse-port, the rest left for --port. */
class HttpDemoOptionsTest {

    @Test
    void defaultsAreNoDelayAndNoReusePort() {
        HttpDemo.Options o = HttpDemo.options(new String[] {"--port", "9000"});
        assertEquals(Duration.ZERO, o.drainDelay());
        assertFalse(o.reusePort());
        assertArrayEquals(new String[] {"--port", "9000"}, o.rest());
    }

    @Test
    void bothFlagsInEitherFormAmongTheOthers() {
        HttpDemo.Options o = HttpDemo.options(new String[] {"--drain-delay", "5", "--port=0", "--reuse-port"});
        assertEquals(Duration.ofSeconds(5), o.drainDelay());
        assertTrue(o.reusePort());
        assertArrayEquals(new String[] {"--port=0"}, o.rest());
        assertEquals(Duration.ofSeconds(3600), HttpDemo.options(new String[] {"--drain-delay=3600"}).drainDelay());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "--drain-delay               | --drain-delay needs a value in seconds, e.g. --drain-delay 5",
            "--drain-delay -1            | --drain-delay: '-1' is not a number of seconds (0-3600)",
            "--drain-delay 1.5           | --drain-delay: '1.5' is not a number of seconds (0-3600)",
            "--drain-delay 3601          | --drain-delay: '3601' is not a number of seconds (0-3600)",
            "--drain-delay=              | --drain-delay: '' is not a number of seconds (0-3600)",
            "--drain-delay=+5            | --drain-delay: '+5' is not a number of seconds (0-3600)",
            "--drain-delay 1 --drain-delay=2 | --drain-delay given twice"})
    void aBadDrainDelaySaysWhatIsWrong(String args, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HttpDemo.options(args.split(" ")));
        assertEquals(message, e.getMessage());
    }

    @Test
    void theUsageNamesTheFlags() {
        String usage = HttpDemo.usage();
        assertTrue(usage.startsWith("usage: HttpDemo [--port N] [--drain-delay SECONDS] [--reuse-port]"), usage);
        assertTrue(usage.contains("--reuse-port"), usage);
    }
}
