package io.github.copilot4j.transport.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TcpAddressTest {

    @ParameterizedTest
    @CsvSource({
        "4321, 127.0.0.1, 4321",
        "localhost:4321, localhost, 4321",
        "example.org:1, example.org, 1",
        "tcp://10.0.0.5:65535, 10.0.0.5, 65535",
        "http://server:4321, server, 4321",
        "HTTPS://server:4321/, server, 4321",
        "'  tcp://[::1]:4321  ', ::1, 4321",
        "[fe80::1]:80, fe80::1, 80",
    })
    void acceptedForms(String input, String host, int port) {
        TcpAddress a = TcpAddress.parse(input);
        assertEquals(host, a.host());
        assertEquals(port, a.port());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "  ",
                "server",
                "server:",
                ":4321",
                "server:0",
                "server:65536",
                "server:http",
                "ftp://server:21",
                "::1:4321",
                "[::1]4321",
                "tcp://4321x"
            })
    void rejectedFormsSayWhatIsAccepted(String input) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TcpAddress.parse(input));
        assertTrue(e.getMessage().contains("Use host:port, tcp://host:port"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"127.0.0.1:80, 127.0.0.1:80", "[::1]:80, [::1]:80"})
    void hostPortPrintsBackParseably(String input, String expected) {
        assertEquals(expected, TcpAddress.parse(input).hostPort());
        assertEquals(
                TcpAddress.parse(input),
                TcpAddress.parse(TcpAddress.parse(input).hostPort()));
    }
}
