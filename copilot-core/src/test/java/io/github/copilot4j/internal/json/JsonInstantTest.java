package io.github.copilot4j.internal.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Random;
import org.junit.jupiter.api.Test;

class JsonInstantTest {

    private static Instant viaJson(String text) {
        return Json.instant(Json.object().put("t", text), "t");
    }

    @Test
    void theFastPathAgreesWithInstantParseOnRandomMillisTimestamps() {
        Random random = new Random(42);
        long from = Instant.parse("1970-01-01T00:00:00Z").toEpochMilli();
        long to = Instant.parse("2200-12-31T23:59:59.999Z").toEpochMilli();
        for (int i = 0; i < 20_000; i++) {
            Instant expected = Instant.ofEpochMilli(from + (long) (random.nextDouble() * (to - from)));
            String text = expected.toString().length() == 24
                    ? expected.toString()
                    : expected.truncatedTo(ChronoUnit.SECONDS).toString().replace("Z", ".000Z");
            Instant reference = Instant.parse(text);
            assertEquals(reference, Json.parseUtcMillis(text), text);
        }
    }

    @Test
    void edgeDatesAreExact() {
        for (String t : new String[] {
            "2024-02-29T23:59:59.999Z",
            "2000-02-29T00:00:00.000Z",
            "1999-12-31T23:59:59.001Z",
            "0000-01-01T00:00:00.000Z",
            "9999-12-31T23:59:59.999Z"
        }) {
            assertEquals(Instant.parse(t), Json.parseUtcMillis(t), t);
        }
    }

    @Test
    void otherShapesFallBackToTheGeneralParser() {
        for (String t :
                new String[] {"2025-11-02T10:15:30Z", "2025-11-02T10:15:30.123456Z", "2025-11-02T12:15:30.123+02:00"}) {
            assertNull(Json.parseUtcMillis(t), t);
        }
        assertEquals(Instant.parse("2025-11-02T10:15:30Z"), viaJson("2025-11-02T10:15:30Z"));
        assertEquals(Instant.parse("2025-11-02T10:15:30.123456Z"), viaJson("2025-11-02T10:15:30.123456Z"));
        assertEquals(Instant.parse("2025-11-02T10:15:30.123Z"), viaJson("2025-11-02T12:15:30.123+02:00"));
    }

    @Test
    void invalidValuesOfTheRightShapeAreRejectedNotWrapped() {
        for (String t : new String[] {
            "2023-02-29T00:00:00.000Z",
            "2025-13-01T00:00:00.000Z",
            "2025-00-10T00:00:00.000Z",
            "2025-04-31T00:00:00.000Z",
            "2025-01-01T00:60:00.000Z",
            "2025-01-0xT00:00:00.000Z",
            "-025-01-01T00:00:00.000Z"
        }) {
            assertNull(Json.parseUtcMillis(t), t);
            assertNull(viaJson(t), t);
        }
    }

    @Test
    void endOfDayAndLeapSecondsKeepTheGeneralParsersMeaning() {
        for (String t : new String[] {"2025-01-01T24:00:00.000Z", "2016-12-31T23:59:60.000Z"}) {
            assertNull(Json.parseUtcMillis(t), t);
            assertEquals(Instant.parse(t), viaJson(t), t);
        }
    }
}
