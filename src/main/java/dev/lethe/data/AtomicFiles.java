package dev.lethe.data;

import dev.lethe.LetheException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes a file through a temporary sibling ({@code .NAME*.tmp}) and an atomic rename, so a reader never sees
 * half a file and a kill leaves at most a temporary that the next run removes. Every result, sidecar and
 * per-example matrix Lethe writes goes through it. The temporary is created with the permissions of an ordinary
 * new file (0666, 0777 for a directory, less the umask), not {@code createTempFile}'s private 0600, so a
 * results directory stays readable by whoever may read the directory.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** Writes {@code bytes} to {@code file}, creating its directory. */
  public static void write(Path file, byte[] bytes) {
    Path dir = file.toAbsolutePath().getParent();
    Path tmp = null;
    try {
      Files.createDirectories(dir);
      tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp", ordinaryPermissions(dir, false));
      Files.write(tmp, bytes);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      tmp = null;
    } catch (IOException e) {
      throw new LetheException("cannot write " + file + ": " + e.getMessage(), e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // the temporary is named as such; the next run that locks the directory removes it
        }
      }
    }
  }

  /**
   * The attribute that gives a temporary file or directory in {@code dir} an ordinary new file's permissions
   * (the umask still applies), or none on a file system without POSIX permissions.
   */
  public static FileAttribute<?>[] ordinaryPermissions(Path dir, boolean directory) {
    if (!dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      return new FileAttribute<?>[0];
    }
    return new FileAttribute<?>[] {
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(directory ? "rwxrwxrwx" : "rw-rw-rw-"))
    };
  }
}
