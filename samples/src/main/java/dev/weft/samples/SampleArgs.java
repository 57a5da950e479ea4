package dev.weft.samples;

/**
 * The command line every sample main shares: the port to listen on.
 *
 * <p>The port comes from {@code --port N} (or {@code --port=N}); without it from the
 * environment variable {@code PORT} (as container platforms set it); without that from the
 * sample's default. {@code 0} asks for an ephemeral port. Anything else on the command line is
 * an error: a sample that silently ignores a mistyped flag listens somewhere you did not ask for.
 *
 * <pre>{@code
 * public static void main(String[] args) {
 *     int port = SampleArgs.portOrExit("EchoServer", args, 7007);
 *     ...
 * }
 * }</pre>
 */
public final class SampleArgs {

    private SampleArgs() {
    }

    /**
     * Parses {@code args} (and {@code PORT}) for a main. {@code -h}/{@code --help} prints the usage
     * and exits 0; a bad value or an unknown argument prints what is wrong and the usage to
     * stderr and exits 2 (the usual "usage error" status).
     *
     * @param program     the name shown in messages, e.g. {@code "EchoServer"}
     * @param defaultPort the port used when neither {@code --port} nor {@code PORT} is given
     */
    public static int portOrExit(String program, String[] args, int defaultPort) {
        for (String arg : args) {
            if (arg.equals("-h") || arg.equals("--help")) {
                System.out.println(usage(program, defaultPort));
                System.exit(0);
            }
        }
        try {
            return port(args, System.getenv("PORT"), defaultPort);
        } catch (IllegalArgumentException e) {
            System.err.println(program + ": " + e.getMessage());
            System.err.println(usage(program, defaultPort));
            System.exit(2);
            throw e; // not reached
        }
    }

    /**
     * The port {@code args} and {@code envPort} ask for, else {@code defaultPort}.
     *
     * @param envPort the value of {@code PORT}, or {@code null} when unset
     * @throws IllegalArgumentException saying which argument is wrong and why
     */
    public static int port(String[] args, String envPort, int defaultPort) {
        Integer port = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String value;
            if (arg.equals("--port")) {
                if (i + 1 == args.length) {
                    throw new IllegalArgumentException("--port needs a value, e.g. --port " + defaultPort);
                }
                value = args[++i];
            } else if (arg.startsWith("--port=")) {
                value = arg.substring("--port=".length());
            } else {
                throw new IllegalArgumentException("unknown argument '" + arg + "'");
            }
            if (port != null) {
                throw new IllegalArgumentException("--port given twice");
            }
            port = parse("--port", value);
        }
        if (port != null) {
            return port;
        }
        if (envPort != null && !envPort.isBlank()) {
            return parse("environment variable PORT", envPort.strip());
        }
        return defaultPort;
    }

    /** The usage text of a sample main. */
    public static String usage(String program, int defaultPort) {
        return "usage: " + program + " [--port N]\n"
                + "  --port N, --port=N  TCP port to listen on, 0-65535 (0 = any free port);\n"
                + "                      default: $PORT if set, else " + defaultPort;
    }

    private static int parse(String what, String value) {
        // Digits only: Integer.parseInt would also take "+80" and "٨٠" (Arabic-Indic digits).
        boolean digits = !value.isEmpty() && value.length() <= 5;
        for (int i = 0; i < value.length() && digits; i++) {
            digits = value.charAt(i) >= '0' && value.charAt(i) <= '9';
        }
        int port = digits ? Integer.parseInt(value) : -1;
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(what + ": '" + value + "' is not a port number (0-65535)");
        }
        return port;
    }
}
