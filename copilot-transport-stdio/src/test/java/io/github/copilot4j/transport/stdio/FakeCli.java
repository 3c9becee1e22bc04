package io.github.copilot4j.transport.stdio;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Writes small shell scripts that stand in for the Copilot CLI in unit tests. */
public final class FakeCli {
    private FakeCli() {}

    /** Writes {@code #!/bin/sh} plus {@code body} to {@code dir/name} and makes it executable. */
    public static Path script(Path dir, String name, String body) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, "#!/bin/sh\n" + body + "\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    /** Shell lines that record the arguments, environment and working directory into {@code dir}. */
    public static String recordInvocation(Path dir) {
        return "printf '%s\\n' \"$@\" > '" + dir.resolve("args.txt") + "'\n"
                + "env > '" + dir.resolve("env.txt") + "'\n"
                + "pwd > '" + dir.resolve("pwd.txt") + "'\n";
    }
}
