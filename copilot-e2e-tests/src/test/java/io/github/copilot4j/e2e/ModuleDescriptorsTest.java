package io.github.copilot4j.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.copilot4j.CopilotClient;
import io.github.copilot4j.devruntime.OfflineCopilot;
import io.github.copilot4j.micrometer.CopilotMetrics;
import io.github.copilot4j.opentelemetry.CopilotTracing;
import io.github.copilot4j.store.jdbc.JdbcSessionStore;
import io.github.copilot4j.testing.LeakCheck;
import io.github.copilot4j.transport.stdio.StdioTransport;
import io.github.copilot4j.transport.tcp.TcpTransport;
import java.io.File;
import java.io.IOException;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Build check of the published artifacts: every published module's jar (or, under {@code mvn test},
 * its classes directory) has a real module descriptor that exports no {@code internal} package
 * except to a named sibling, and the published modules resolve and work together on the module path
 * in a layer of their own, without the test class path behind them.
 */
class ModuleDescriptorsTest {

    /** Published module name -> a class in it, whose code source is the module's jar. */
    private static final Map<String, Class<?>> PUBLISHED = new LinkedHashMap<>();

    static {
        PUBLISHED.put("io.github.copilot4j.core", CopilotClient.class);
        PUBLISHED.put("io.github.copilot4j.transport.stdio", StdioTransport.class);
        PUBLISHED.put("io.github.copilot4j.transport.tcp", TcpTransport.class);
        PUBLISHED.put("io.github.copilot4j.store.jdbc", JdbcSessionStore.class);
        PUBLISHED.put("io.github.copilot4j.devruntime", OfflineCopilot.class);
        PUBLISHED.put("io.github.copilot4j.testing", LeakCheck.class);
        PUBLISHED.put("io.github.copilot4j.micrometer", CopilotMetrics.class);
        PUBLISHED.put("io.github.copilot4j.opentelemetry", CopilotTracing.class);
    }

    /**
     * Published modules that deliberately have no descriptor, by artifact -> the Automatic-Module-Name
     * their jar must carry: Spring Boot's own jars are automatic modules and Boot applications run on
     * the class path, so a descriptor here would only have to name Boot's jars by their file names.
     */
    private static final Map<String, String> AUTOMATIC = Map.of(
            "copilot-spring-boot-autoconfigure", "io.github.copilot4j.spring.boot.autoconfigure",
            "copilot-spring-boot-starter", "io.github.copilot4j.spring.boot.starter");

    /** Third-party jars the published modules need at run time, by file-name prefix. */
    private static final Pattern THIRD_PARTY = Pattern.compile(
            "(jackson-(databind|core|annotations)|slf4j-api|jdbi3-core|geantyref|h2|HikariCP|junit-jupiter-api|junit-platform-commons"
                    + "|opentest4j|apiguardian-api|micrometer-(core|observation|commons)|opentelemetry-(api|context|common))-\\d.*\\.jar");

    @Test
    void everyPublishedModuleOfTheReactorIsChecked() throws IOException {
        Path root = Path.of("..").toAbsolutePath().normalize();
        String parent = Files.readString(root.resolve("pom.xml"));
        Set<String> published = new TreeSet<>();
        Matcher m = Pattern.compile("<module>([^<]+)</module>").matcher(parent);
        while (m.find()) {
            String pom = Files.readString(root.resolve(m.group(1)).resolve("pom.xml"));
            boolean notDeployed = pom.contains("<maven.deploy.skip>true</maven.deploy.skip>")
                    || pom.contains("<packaging>pom</packaging>");
            if (!notDeployed) {
                published.add(m.group(1));
            }
        }
        Set<String> checked = new TreeSet<>(AUTOMATIC.keySet());
        for (Class<?> c : PUBLISHED.values()) {
            checked.add(artifactDir(location(c)));
        }
        for (Map.Entry<String, String> a : AUTOMATIC.entrySet()) {
            String pom = Files.readString(root.resolve(a.getKey()).resolve("pom.xml"));
            assertTrue(
                    pom.contains("<Automatic-Module-Name>" + a.getValue() + "</Automatic-Module-Name>"),
                    a.getKey() + "'s jar must carry Automatic-Module-Name " + a.getValue());
        }
        assertEquals(
                published,
                checked,
                "each deployed jar module of the reactor must be listed in ModuleDescriptorsTest.PUBLISHED");
    }

    @Test
    void everyPublishedJarHasADescriptorExportingNoInternalPackage() {
        for (Map.Entry<String, Class<?>> e : PUBLISHED.entrySet()) {
            Path where = location(e.getValue());
            Set<ModuleReference> found = ModuleFinder.of(where).findAll();
            assertEquals(1, found.size(), where.toString());
            ModuleDescriptor d = found.iterator().next().descriptor();
            assertEquals(e.getKey(), d.name(), where + " has the module name");
            assertFalse(d.isAutomatic(), where + " has a module-info.class, not an Automatic-Module-Name");
            for (ModuleDescriptor.Exports x : d.exports()) {
                if (isInternal(x.source())) {
                    assertTrue(x.isQualified(), d.name() + " exports " + x.source() + " to everyone");
                    assertTrue(
                            PUBLISHED.keySet().containsAll(x.targets()),
                            d.name() + " exports " + x + " outside copilot4j");
                }
            }
            for (ModuleDescriptor.Opens o : d.opens()) {
                assertTrue(o.isQualified(), d.name() + " opens " + o.source() + " to everyone");
                assertFalse(isInternal(o.source()), d.name() + " opens " + o);
            }
            assertFalse(d.isOpen(), d.name() + " is an open module");
        }
    }

    @Test
    void thePublishedModulesWorkTogetherOnTheModulePath() throws Exception {
        List<Path> paths = new ArrayList<>();
        for (Class<?> c : PUBLISHED.values()) {
            paths.add(location(c));
        }
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry);
            if (THIRD_PARTY.matcher(p.getFileName().toString()).matches()) {
                paths.add(p);
            }
        }
        ModuleFinder finder = ModuleFinder.of(paths.toArray(Path[]::new));
        Set<String> roots = new TreeSet<>(PUBLISHED.keySet());
        roots.add("com.h2database"); // optional for the store (requires static): an application adds it
        roots.add(
                "io.leangen.geantyref"); // JDBI is an automatic module and does not require it: an application adds it
        Configuration cf = ModuleLayer.boot().configuration().resolveAndBind(finder, ModuleFinder.of(), roots);
        // The platform loader as parent: nothing may come from the test class path.
        ModuleLayer layer = ModuleLayer.boot().defineModulesWithOneLoader(cf, ClassLoader.getPlatformClassLoader());

        Module core = layer.findModule("io.github.copilot4j.core").orElseThrow();
        Module testing = layer.findModule("io.github.copilot4j.testing").orElseThrow();
        assertFalse(core.isExported("io.github.copilot4j.internal.rpc"), "the engine is hidden");
        assertTrue(
                core.isExported("io.github.copilot4j.internal.rpc", testing),
                "the fake runtime reuses the frame codec");
        assertTrue(core.isExported("io.github.copilot4j.spi"));
        ClassLoader loader = layer.findLoader("io.github.copilot4j.core");

        // ServiceLoader through the descriptors' uses/provides: the builder lists the schemes it found.
        Object builder = loader.loadClass("io.github.copilot4j.CopilotClient")
                .getMethod("builder")
                .invoke(null);
        Method byUri = builder.getClass().getMethod("transport", String.class);
        InvocationTargetException noSuch =
                assertThrows(InvocationTargetException.class, () -> byUri.invoke(builder, "nosuch:"));
        String message = noSuch.getCause().getMessage();
        assertTrue(
                message.contains("stdio") && message.contains("tcp"),
                "both providers are found on the module path: " + message);
        byUri.invoke(builder, "stdio:");

        // The JDBC store finds its migration scripts inside its module and H2 through requires static.
        Class<?> store = loader.loadClass("io.github.copilot4j.store.jdbc.JdbcSessionStore");
        Object h2 = store.getMethod("h2InMemory", String.class).invoke(null, "module_path_check");
        try {
            assertEquals(Optional.empty(), store.getMethod("find", String.class).invoke(h2, "no-such-session"));
        } finally {
            ((AutoCloseable) h2).close();
        }

        // The dev runtime's fake serves over jdk.httpserver.
        Class<?> fake = loader.loadClass("io.github.copilot4j.devruntime.fakeapi.FakeCopilotApi");
        try (AutoCloseable api = (AutoCloseable) fake.getMethod("start").invoke(null)) {
            assertTrue(((String) fake.getMethod("url").invoke(api)).startsWith("http://127.0.0.1:"));
        }
    }

    private static boolean isInternal(String pkg) {
        return pkg.endsWith(".internal") || pkg.contains(".internal.");
    }

    private static Path location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code .../copilot-core/target/copilot-core-0.1.0.jar} or {@code .../copilot-core/target/classes} -> copilot-core. */
    private static String artifactDir(Path location) {
        Path target = location.getParent();
        if (target == null || !target.getFileName().toString().equals("target")) {
            fail(location + " is not a reactor module's build output; run the check inside the reactor");
        }
        return target.getParent().getFileName().toString();
    }
}
