package io.github.copilot4j.rpc;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads the README's "Runtime surface" table, for the tests that check its figures. */
public final class ReadmeSurfaceTable {
    private ReadmeSurfaceTable() {}

    /** The cells after the first of the README's Runtime surface row starting with {@code label}. */
    public static List<String> row(String label) throws java.io.IOException {
        for (String line : text().split("\n")) {
            if (line.startsWith("| " + label)) {
                String[] cells = line.split("\\|");
                List<String> out = new ArrayList<>();
                for (int i = 2; i < cells.length; i++) {
                    out.add(cells[i].trim());
                }
                return out;
            }
        }
        throw new AssertionError("the README has no Runtime surface row '" + label + "'");
    }

    public static String text() throws java.io.IOException {
        Path here = Path.of("README.md");
        return Files.readString(
                Files.exists(here) && Files.readString(here).contains("## Runtime surface")
                        ? here
                        : Path.of("..", "README.md"));
    }
}
