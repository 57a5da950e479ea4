package dev.weft.http.internal;

/** Character classes shared by the parser and the response checks. */
final class RequestParserTables {

    private RequestParserTables() {
    }

    static boolean tchar(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }
}
