package io.github.copilot4j.examples;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * One entry point for all examples: {@code copilot-examples <name> [options]}, or {@code --help}.
 * Through Maven: {@code mvn -q -pl copilot-examples -am -DskipTests package exec:java -Dexec.args="<name>"}.
 */
public final class Examples {
    record Example(String description, BiConsumer<PrintStream, List<String>> run) {}

    static final Map<String, Example> EXAMPLES = new LinkedHashMap<>();

    static {
        EXAMPLES.put(
                "multiple-sessions",
                new Example(
                        "three independent sessions (gpt-5, gpt-5, claude-sonnet-4.5) with their own context, in parallel, streamed",
                        (out, args) -> MultipleSessions.run(out, System.getenv())));
        EXAMPLES.put(
                "custom-session-id",
                new Example(
                        "a session created with the id user-123-chat",
                        (out, args) -> CustomSessionId.run(out, System.getenv())));
        EXAMPLES.put(
                "list-and-delete-sessions",
                new Example(
                        "list sessions (id, owner, model, summary, last activity) and delete one",
                        (out, args) -> ListAndDeleteSessions.run(out, System.getenv())));
        EXAMPLES.put(
                "persistent-sessions",
                new Example(
                        "sessions in an H2 store on disk: run twice to resume; options --reset, --dir <path>",
                        (out, args) -> PersistentSessions.run(out, System.getenv(), args)));
        EXAMPLES.put(
                "resume-anywhere",
                new Example(
                        "a session started on one CLI and resumed on another with an empty home, through one database (session filesystem, leases)",
                        (out, args) -> ResumeAnywhere.run(out, System.getenv())));
        EXAMPLES.put(
                "model-comparison",
                new Example(
                        "the same prompts to two models side by side (A/B)",
                        (out, args) -> ModelComparison.run(out, System.getenv())));
    }

    public static void main(String[] args) {
        int code = run(System.out, System.err, args);
        System.out.flush();
        // Exit explicitly: a failed example must fail the command, and exec:java must not wait for stray threads.
        if (code != 0) {
            System.exit(code);
        }
    }

    static int run(PrintStream out, PrintStream err, String[] args) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            usage(out);
            return args.length == 0 ? 2 : 0;
        }
        Example ex = EXAMPLES.get(args[0]);
        if (ex == null) {
            err.println("unknown example '" + args[0] + "'");
            usage(err);
            return 2;
        }
        try {
            ex.run().accept(out, Arrays.asList(args).subList(1, args.length));
            return 0;
        } catch (RuntimeException e) {
            err.println("example " + args[0] + " failed: " + e.getMessage());
            return 1;
        }
    }

    static void usage(PrintStream out) {
        out.println("usage: copilot-examples <name> [options]");
        out.println("examples:");
        EXAMPLES.forEach((name, ex) -> out.println(String.format("  %-26s %s", name, ex.description())));
        out.println(
                "Without COPILOT_GITHUB_TOKEN / GH_TOKEN / GITHUB_TOKEN the examples run offline against a local echo model.");
    }

    private Examples() {}
}
