package io.github.copilot4j.transport.stdio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LineDrainerTest {

    private static LineDrainer drain(String text, int tail, List<String> seen, String... secrets) {
        LineDrainer d = new LineDrainer(
                new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)),
                "stderr",
                1,
                LoggerFactory.getLogger("test"),
                new Redactor(List.of(secrets)),
                tail,
                seen::add);
        d.start();
        assertTrue(d.join(Duration.ofSeconds(10)), "drain thread did not end at EOF");
        return d;
    }

    @Test
    void keepsTheLastLinesStripsCrAndHandlesAMissingFinalNewline() {
        List<String> seen = new CopyOnWriteArrayList<>();
        LineDrainer d = drain("a\r\nb\nc\nd", 2, seen);
        assertEquals(List.of("c", "d"), d.tail());
        assertEquals(List.of("a", "b", "c", "d"), seen);
    }

    @Test
    void cutsVeryLongLines() {
        String longLine = "x".repeat(LineDrainer.MAX_LINE_BYTES * 3);
        LineDrainer d = drain(longLine + "\nnext\n", 5, new CopyOnWriteArrayList<>());
        List<String> tail = d.tail();
        assertEquals(2, tail.size());
        assertTrue(tail.get(0).endsWith("...[line truncated]"));
        assertTrue(tail.get(0).length() < LineDrainer.MAX_LINE_BYTES + 100);
        assertEquals("next", tail.get(1));
    }

    @Test
    void masksSecretsBeforeAnyoneSeesTheLine() {
        List<String> seen = new CopyOnWriteArrayList<>();
        LineDrainer d = drain("auth with tok-12345 and tok-12345-long\n", 5, seen, "tok-12345", "tok-12345-long");
        assertEquals(List.of("auth with *** and ***"), d.tail());
        assertEquals(d.tail(), seen);
    }

    @Test
    void zeroTailKeepsNothing() {
        LineDrainer d = drain("a\nb\n", 0, new CopyOnWriteArrayList<>());
        assertTrue(d.tail().isEmpty());
    }
}
