package io.github.copilot4j.transport.tcp;

import java.util.Locale;

/**
 * A parsed server address. Accepted forms: {@code 4321} (meaning 127.0.0.1, where the CLI listens),
 * {@code host:4321}, {@code [::1]:4321}, {@code tcp://host:4321}, {@code http://host:4321} and
 * {@code https://host:4321} (the scheme is only a spelling: the wire is always plain TCP).
 */
record TcpAddress(String host, int port) {

    static TcpAddress parse(String address) {
        if (address == null || address.isBlank()) {
            throw invalid(address, "it is empty");
        }
        String rest = address.trim();
        int scheme = rest.indexOf("://");
        if (scheme >= 0) {
            String name = rest.substring(0, scheme).toLowerCase(Locale.ROOT);
            if (!name.equals("tcp") && !name.equals("http") && !name.equals("https")) {
                throw invalid(address, "unsupported scheme '" + name + "'");
            }
            rest = rest.substring(scheme + 3);
        }
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            rest = rest.substring(0, slash);
        }
        if (!rest.isEmpty() && rest.chars().allMatch(Character::isDigit) && scheme < 0) {
            return new TcpAddress("127.0.0.1", port(address, rest));
        }
        String host;
        String portText;
        if (rest.startsWith("[")) {
            int close = rest.indexOf(']');
            if (close < 0 || close + 1 >= rest.length() || rest.charAt(close + 1) != ':') {
                throw invalid(address, "an IPv6 address needs the form [addr]:port");
            }
            host = rest.substring(1, close);
            portText = rest.substring(close + 2);
        } else {
            int colon = rest.lastIndexOf(':');
            if (colon < 0) {
                throw invalid(address, "the port is missing");
            }
            host = rest.substring(0, colon);
            portText = rest.substring(colon + 1);
            if (host.contains(":")) {
                throw invalid(address, "write an IPv6 address in brackets, e.g. [::1]:4321");
            }
        }
        if (host.isEmpty()) {
            throw invalid(address, "the host is missing");
        }
        return new TcpAddress(host, port(address, portText));
    }

    private static int port(String address, String text) {
        int port;
        try {
            port = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw invalid(address, "the port '" + text + "' is not a number");
        }
        if (port < 1 || port > 65535) {
            throw invalid(address, "the port " + port + " is outside 1..65535");
        }
        return port;
    }

    private static IllegalArgumentException invalid(String address, String why) {
        return new IllegalArgumentException("Not a Copilot CLI server address: '" + address + "' (" + why
                + "). Use host:port, tcp://host:port, http://host:port or a bare port like 4321.");
    }

    /** {@code host:port}, with brackets around an IPv6 host. */
    String hostPort() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
