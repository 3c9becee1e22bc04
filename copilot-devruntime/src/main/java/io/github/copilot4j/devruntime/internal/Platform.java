package io.github.copilot4j.devruntime.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which npm platform packages of {@code @github/copilot} fit this machine, best first, and what the
 * native binary inside is called. Internal.
 *
 * @param os {@code linux}, {@code darwin} or {@code win32}; null when not supported
 * @param arch {@code x64} or {@code arm64}; null when not supported
 * @param musl whether this Linux uses musl libc (Alpine)
 */
public record Platform(String os, String arch, boolean musl) {

    public static Platform current() {
        String name = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String os = name.startsWith("linux")
                ? "linux"
                : name.startsWith("mac") || name.startsWith("darwin")
                        ? "darwin"
                        : name.startsWith("windows") ? "win32" : null;
        String a = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String arch = a.equals("amd64") || a.equals("x86_64") || a.equals("x64")
                ? "x64"
                : a.equals("aarch64") || a.equals("arm64") ? "arm64" : null;
        return new Platform(os, arch, "linux".equals(os) && isMusl());
    }

    public boolean supported() {
        return os != null && arch != null;
    }

    /** Package names without scope, best first, e.g. {@code [copilot-linux-x64, copilot-linuxmusl-x64]}. */
    public List<String> packageCandidates() {
        List<String> out = new ArrayList<>();
        if (!supported()) {
            return out;
        }
        if (os.equals("linux")) {
            out.add("copilot-" + (musl ? "linuxmusl" : "linux") + "-" + arch);
            out.add("copilot-" + (musl ? "linux" : "linuxmusl") + "-" + arch);
        } else {
            out.add("copilot-" + os + "-" + arch);
        }
        return out;
    }

    public String binaryName() {
        return "win32".equals(os) ? "copilot.exe" : "copilot";
    }

    public String describe() {
        return System.getProperty("os.name") + "/" + System.getProperty("os.arch") + (musl ? " (musl)" : "");
    }

    private static boolean isMusl() {
        for (String dir : List.of("/lib", "/usr/lib")) {
            Path d = Path.of(dir);
            if (!Files.isDirectory(d)) {
                continue;
            }
            try (DirectoryStream<Path> s = Files.newDirectoryStream(d, "ld-musl-*")) {
                if (s.iterator().hasNext()) {
                    return true;
                }
            } catch (IOException ignored) {
                // unreadable: assume glibc
            }
        }
        return false;
    }
}
