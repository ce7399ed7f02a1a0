package dev.lethe.bench;

import dev.lethe.LetheException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on an output directory for the length of a run, so two runs into the same {@code --out}
 * fail fast instead of losing each other's rows. While it is held no other Lethe run writes there, so
 * temporary files left by a killed run ({@code .NAME*.tmp}) are removed when it is taken.
 */
public final class OutputLock implements AutoCloseable {
  /** The lock file's name inside the output directory. */
  public static final String FILE = ".lethe.lock";

  private final FileChannel channel;
  private final FileLock lock;

  private OutputLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** Creates {@code dir} if needed, locks it, and removes temporary files a killed run left there. */
  public static OutputLock acquire(Path dir) {
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new LetheException("output directory " + dir + " is a file: pass another --out");
    }
    FileChannel channel = null;
    try {
      Files.createDirectories(dir);
      channel = FileChannel.open(dir.resolve(FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        throw new LetheException("another lethe run is writing to " + dir
            + ": wait for it to finish or pass another --out");
      }
      OutputLock held = new OutputLock(channel, lock);
      channel = null;
      held.removeTemporaries(dir);
      return held;
    } catch (IOException e) {
      throw new LetheException("cannot lock output directory " + dir + ": " + e.getMessage(), e);
    } finally {
      if (channel != null) {
        try {
          channel.close();
        } catch (IOException ignored) {
          // the lock was not taken; nothing to release
        }
      }
    }
  }

  private void removeTemporaries(Path dir) throws IOException {
    try (var entries = Files.list(dir)) {
      for (Path p : (Iterable<Path>) entries::iterator) {
        String name = p.getFileName().toString();
        if (name.startsWith(".") && name.endsWith(".tmp") && Files.isRegularFile(p)) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  @Override
  public void close() {
    try {
      lock.release();
      channel.close();
    } catch (IOException ignored) {
      // closing the channel releases the lock in any case
    }
  }
}
