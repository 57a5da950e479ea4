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
    void maxConnectionsIsTheServersDefaultUnlessGivenInEitherForm() {
        assertEquals(10_000, HttpDemo.options(new String[] {"--port", "0"}).maxConnections());
        HttpDemo.Options o = HttpDemo.options(new String[] {"--max-connections", "200000", "--port=0"});
        assertEquals(200_000, o.maxConnections());
        assertArrayEquals(new String[] {"--port=0"}, o.rest());
        assertEquals(1, HttpDemo.options(new String[] {"--max-connections=1"}).maxConnections());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "--max-connections            | --max-connections: '' is not a count of connections (1-2147483647)",
            "--max-connections 0          | --max-connections: '0' is not a count of connections (1-2147483647)",
            "--max-connections -5         | --max-connections: '-5' is not a count of connections (1-2147483647)",
            "--max-connections 2147483648 | --max-connections: '2147483648' is not a count of connections (1-2147483647)",
            "--max-connections=10k        | --max-connections: '10k' is not a count of connections (1-2147483647)"})
    void aBadMaxConnectionsSaysWhatIsWrong(String args, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HttpDemo.options(args.split(" ")));
        assertEquals(message, e.getMessage());
    }

    @Test
    void theUsageNamesTheFlags() {
        String usage = HttpDemo.usage();
        assertTrue(usage.startsWith("usage: HttpDemo [--port N] [--drain-delay SECONDS] [--reuse-port]"), usage);
        assertTrue(usage.contains("--reuse-port"), usage);
        assertTrue(usage.contains("[--max-connections N]"), usage);
    }
}
