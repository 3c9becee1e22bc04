package io.github.copilot4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The README's Java snippet is the compiled code in {@link ReadmeSnippets}, to the letter (indentation aside). */
class ReadmeSnippetsTest {
    @Test
    void readmeShowsTheCompiledSnippet() throws IOException {
        Path root = Path.of("").toAbsolutePath();
        Path readme = Files.exists(root.resolve("README.md"))
                        && Files.readString(root.resolve("README.md")).contains("## Modules")
                ? root.resolve("README.md")
                : root.getParent().resolve("README.md");
        String md = Files.readString(readme);
        List<List<String>> blocks = new ArrayList<>();
        Matcher m = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(md);
        while (m.find()) {
            blocks.add(normalize(m.group(1)));
        }
        List<List<String>> snippets = new ArrayList<>();
        // this module's snippets, then the Spring Boot and metrics ones (compiled where Spring is on the class path)
        for (Path source : List.of(
                root.resolve("src/test/java/io/github/copilot4j/examples/ReadmeSnippets.java"),
                root.resolveSibling("copilot-spring-boot-example")
                        .resolve("src/test/java/io/github/copilot4j/examples/spring/ReadmeSpringSnippets.java"))) {
            Matcher s = Pattern.compile("// snippet:[a-z-]+\\n(.*?)// end-snippet", Pattern.DOTALL)
                    .matcher(Files.readString(source));
            while (s.find()) {
                snippets.add(normalize(s.group(1)));
            }
        }
        assertTrue(snippets.size() >= 2, "snippets found: " + snippets.size());
        assertEquals(snippets, blocks, "README.md's java blocks must equal the snippets in ReadmeSnippets, in order");
    }

    private static List<String> normalize(String block) {
        return block.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }
}
