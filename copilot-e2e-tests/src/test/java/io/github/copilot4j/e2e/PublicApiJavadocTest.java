package io.github.copilot4j.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Build check: every public or protected class and member of the published modules' API (packages
 * that are not {@code internal}) has a Javadoc comment. Compiles their sources with doclint's
 * "missing" group and fails listing each "no comment" warning. (The release profile's javadoc run
 * checks everything else doclint checks; it leaves out "missing" because that group also asks for
 * {@code @param} and {@code @return} on every member.)
 */
class PublicApiJavadocTest {

    static final List<String> PUBLISHED = List.of(
            "copilot-core",
            "copilot-transport-stdio",
            "copilot-transport-tcp",
            "copilot-store-jdbc",
            "copilot-devruntime",
            "copilot-testing",
            "copilot-micrometer",
            "copilot-opentelemetry");

    @TempDir
    Path out;

    @Test
    void everyPublicApiElementHasAComment() throws IOException {
        Path root = Path.of("..").toAbsolutePath().normalize();
        List<Path> sources = new ArrayList<>();
        for (String module : PUBLISHED) {
            try (Stream<Path> files = Files.walk(root.resolve(module).resolve("src/main/java"))) {
                files.filter(p -> p.toString().endsWith(".java")
                                && !p.getFileName().toString().equals("module-info.java"))
                        .forEach(sources::add);
            }
        }
        assertTrue(sources.size() > 50, "found the published sources: " + sources.size());
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, null)) {
            List<String> options = List.of(
                    "--release",
                    "17",
                    "-proc:none",
                    "-implicit:none",
                    "-Xdoclint:missing/protected",
                    "-Xmaxwarns",
                    "100000",
                    "-Xmaxerrs",
                    "100000",
                    "-classpath",
                    System.getProperty("java.class.path"),
                    "-d",
                    out.toString());
            boolean compiled = javac.getTask(
                            null, files, diagnostics, options, null, files.getJavaFileObjectsFromPaths(sources))
                    .call();
            assertTrue(
                    compiled
                            || diagnostics.getDiagnostics().stream()
                                    .noneMatch(d -> d.getKind() == Diagnostic.Kind.ERROR),
                    () -> "the published sources compile: " + diagnostics.getDiagnostics());
        }
        List<String> missing = diagnostics.getDiagnostics().stream()
                .filter(d -> d.getMessage(Locale.ROOT).contains("no comment"))
                .filter(d -> d.getSource() != null
                        && !isInternal(
                                root.relativize(Path.of(d.getSource().toUri())).toString()))
                .map(d -> root.relativize(Path.of(d.getSource().toUri())) + ":" + d.getLineNumber())
                .sorted()
                .collect(Collectors.toList());
        assertEquals(List.of(), missing, missing.size() + " public API elements have no Javadoc comment");
    }

    private static boolean isInternal(String path) {
        return path.contains("/internal/");
    }
}
