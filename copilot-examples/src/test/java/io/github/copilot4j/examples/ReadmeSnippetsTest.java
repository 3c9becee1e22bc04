package io.github.copilot4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The README's Java snippet is the compiled code in {@link ReadmeSnippets}, to the letter (indentation aside). */
class ReadmeSnippetsTest {
    @Test
    void readmeShowsTheCompiledSnippet() throws IOException {
        Path root = Path.of("").toAbsolutePath();
        Path readme = Files.exists(root.resolve("README.md")) && Files.readString(root.resolve("README.md")).contains("## Modules")
                ? root.resolve("README.md") : root.getParent().resolve("README.md");
        String md = Files.readString(readme);
        Matcher m = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(md);
        assertTrue(m.find(), "README has a java block");
        String java = Files.readString(root.resolve("src/test/java/io/github/copilot4j/examples/ReadmeSnippets.java"));
        String snippet = java.substring(java.indexOf("// snippet:api-tour") + "// snippet:api-tour".length(), java.indexOf("// end-snippet"));
        assertEquals(normalize(snippet), normalize(m.group(1)), "README.md's java block must equal ReadmeSnippets.apiTour()");
    }

    private static List<String> normalize(String block) {
        return block.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }
}
