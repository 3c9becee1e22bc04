package io.github.copilot4j.store.jdbc.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.h2.store.fs.FilePath;
import org.h2.store.fs.FilePathWrapper;

/**
 * H2's disk file system, except that every file H2 creates is owner-only ({@code rw-------})
 * from the moment it exists, whatever the process's umask and the directory's permissions: the
 * database, its {@code .lock.db} (which holds the AUTO_SERVER key), trace and temporary files.
 * Used through the URL prefix {@value #SCHEME}{@code :}. Where the file system has no POSIX
 * permissions this is plain H2 disk access.
 *
 * <p>Thread-safe (stateless apart from the wrapped path); runs on whichever thread H2 uses.
 */
public final class PrivateFiles extends FilePathWrapper {
    /** The URL prefix ({@code jdbc:h2:c4jprivate:/dir/name}). */
    public static final String SCHEME = "c4jprivate";

    static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_ATTRIBUTE =
            PosixFilePermissions.asFileAttribute(OWNER_ONLY);
    static final boolean POSIX =
            FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    private static volatile boolean registered;

    /** Makes the prefix known to H2 (once per JVM). */
    public static void register() {
        if (!registered) {
            synchronized (PrivateFiles.class) {
                if (!registered) {
                    FilePath.register(new PrivateFiles());
                    registered = true;
                }
            }
        }
    }

    /** H2 instantiates wrappers reflectively. */
    public PrivateFiles() {}

    @Override
    public String getScheme() {
        return SCHEME;
    }

    private Path disk() {
        return Paths.get(getBase().toString());
    }

    /** Creates the file owner-only if it does not exist; true if this call created it. */
    private boolean createOwnerOnly() throws IOException {
        try {
            Files.createFile(disk(), OWNER_ONLY_ATTRIBUTE);
            return true;
        } catch (FileAlreadyExistsException exists) {
            return false;
        }
    }

    @Override
    public boolean createFile() {
        if (!POSIX) {
            return super.createFile();
        }
        try {
            return createOwnerOnly();
        } catch (IOException e) {
            return super.createFile(); // H2's own handling (retries, its error) for what is left
        }
    }

    @Override
    public OutputStream newOutputStream(boolean append) throws IOException {
        if (POSIX) {
            createOwnerOnly();
        }
        return super.newOutputStream(append);
    }

    @Override
    public FileChannel open(String mode) throws IOException {
        if (POSIX && mode.indexOf('w') >= 0) {
            createOwnerOnly();
        }
        return super.open(mode);
    }

    @Override
    public FilePath createTempFile(String suffix, boolean inTempDir) throws IOException {
        FilePath created = super.createTempFile(suffix, inTempDir);
        if (POSIX) {
            String name = created.toString();
            Files.setPosixFilePermissions(
                    Paths.get(
                            name.startsWith(getPrefix())
                                    ? name.substring(getPrefix().length())
                                    : name),
                    OWNER_ONLY);
        }
        return created;
    }

    /** Makes an existing file owner-only (a database created by an older release); no-op if missing. */
    static void tighten(Path file) throws IOException {
        if (POSIX && Files.isRegularFile(file)) {
            Files.setPosixFilePermissions(file, OWNER_ONLY);
        }
    }
}
