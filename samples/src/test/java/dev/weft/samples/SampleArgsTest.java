package dev.weft.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SampleArgsTest {

    private static String[] args(String line) {
        return line == null || line.isEmpty() ? new String[0] : line.split(" ", -1);
    }

    @ParameterizedTest(name = "args [{0}], PORT={1} -> {2}")
    @CsvSource(nullValues = "null", value = {
            "'',                 null,  7007",
            "--port 8080,        null,  8080",
            "--port=8081,        null,  8081",
            "--port 0,           null,  0",
            "--port 65535,       null,  65535",
            "--port 00080,       null,  80",
            "'',                 9000,  9000",
            "'',                 ' 9001 ', 9001",
            "'',                 '',    7007",
            "--port 1,           9000,  1",
    })
    void portComesFromTheFlagThenPortThenTheDefault(String line, String env, int expected) {
        assertEquals(expected, SampleArgs.port(args(line), env, 7007));
    }

    @ParameterizedTest(name = "args [{0}], PORT={1}: {2}")
    @CsvSource(nullValues = "null", delimiter = '|', value = {
            "--port            | null | --port needs a value, e.g. --port 7007",
            "--port abc        | null | --port: 'abc' is not a port number (0-65535)",
            "--port=           | null | --port: '' is not a port number (0-65535)",
            "--port=65536      | null | --port: '65536' is not a port number (0-65535)",
            "--port=-1         | null | --port: '-1' is not a port number (0-65535)",
            "--port=+80        | null | --port: '+80' is not a port number (0-65535)",
            "--port=99999999999| null | --port: '99999999999' is not a port number (0-65535)",
            "--port 1 --port 2 | null | --port given twice",
            "--verbose         | null | unknown argument '--verbose'",
            "7007              | null | unknown argument '7007'",
            "-p 7007           | null | unknown argument '-p'",
            "''                | x80  | environment variable PORT: 'x80' is not a port number (0-65535)",
    })
    void badInputSaysWhatIsWrong(String line, String env, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SampleArgs.port(args(line), env, 7007));
        assertEquals(message, e.getMessage());
    }
}
