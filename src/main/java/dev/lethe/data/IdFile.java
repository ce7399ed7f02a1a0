package dev.lethe.data;

import dev.lethe.LetheException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * A text file of stable sample ids, one integer per line (blank lines and lines starting with '#' are
 * skipped), as {@code lethe split} writes them and {@code --pool-ids}, {@code --val-ids}, {@code --test-ids}
 * and the {@code ids:} forget spec read them. A split records such a file by its absolute path, its number of
 * ids and the SHA-256 of its ids in ascending order, so an experiment rebuilt from a checkpoint's metadata
 * reads the same file and refuses it if it has changed since.
 *
 * @param path the file's absolute path
 * @param count how many ids it lists
 * @param sha256 {@link #hashOf} its ids
 */
public record IdFile(String path, int count, String sha256) {
  /** Rejects an incomplete reference. */
  public IdFile {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(sha256, "sha256");
    if (count < 1) {
      throw new LetheException("id file " + path + " is recorded with " + count + " ids; it must list at least one");
    }
  }

  /**
   * Reads {@code file} and records it.
   *
   * @param what how messages name the file, such as {@code --pool-ids file}
   * @throws LetheException if the file is missing, unreadable, lists a non-integer, an id twice, or no id
   */
  public static IdFile of(Path file, String what) {
    Contents contents = read(file, what);
    return new IdFile(file.toAbsolutePath().normalize().toString(), contents.ids().length, hashOf(contents.ids()));
  }

  /**
   * SHA-256 (64 hex digits) of the ids in ascending order, each as 4 big-endian bytes: independent of
   * the order a file lists them in, and equal to {@link ForgetTask#forgetIdsHash()} for a forget set.
   */
  public static String hashOf(int[] ids) {
    int[] sorted = ids.clone();
    Arrays.sort(sorted);
    var digest = Sha256.newDigest();
    Sha256.updateInts(digest, sorted);
    return Sha256.hex(digest);
  }

  /**
   * Reads the recorded file again.
   *
   * @throws LetheException if it can no longer be read or its ids differ from the recorded ones
   */
  Contents contents(String what) {
    if (!Files.exists(Path.of(path))) {
      throw new LetheException(what + " " + path + " (" + count + " ids, recorded with this split) is missing: "
          + "restore it, or train again without it");
    }
    Contents contents = read(Path.of(path), what);
    if (!hashOf(contents.ids()).equals(sha256)) {
      throw new LetheException(what + " " + path + " has changed since this split was recorded (it listed "
          + count + " ids with SHA-256 " + sha256.substring(0, 12) + "..., now " + contents.ids().length
          + " with " + hashOf(contents.ids()).substring(0, 12) + "...): restore the file, or train again on the new one");
    }
    return contents;
  }

  /**
   * Parses an id file.
   *
   * @param what how messages name the file, such as {@code forget id file}
   */
  static Contents read(Path file, String what) {
    if (!Files.exists(file)) {
      throw new LetheException(what + " " + file + " not found; write one id per line");
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new LetheException("cannot read " + what + " " + file + ": " + e
          + "; it must be a UTF-8 text file with one id per line", e);
    }
    int[] ids = new int[lines.size()];
    int[] lineNumbers = new int[lines.size()];
    Set<Integer> seen = new HashSet<>();
    int count = 0;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int id;
      try {
        id = Integer.parseInt(line);
      } catch (NumberFormatException e) {
        throw new LetheException(what + " " + file + " line " + (i + 1) + ": '" + line
            + "' is not an integer id; write one id per line ('#' starts a comment line)", e);
      }
      if (!seen.add(id)) {
        throw new LetheException(what + " " + file + " line " + (i + 1) + ": id " + id
            + " is listed twice; list each id once");
      }
      ids[count] = id;
      lineNumbers[count] = i + 1;
      count++;
    }
    if (count == 0) {
      throw new LetheException(what + " " + file + " is empty: it lists no ids; write one id per line");
    }
    return new Contents(file, what, Arrays.copyOf(ids, count), Arrays.copyOf(lineNumbers, count));
  }

  /**
   * The ids of a file in the order it lists them, each with its line number for messages.
   *
   * @param file the file read
   * @param what how messages name it
   * @param ids the ids, distinct
   * @param lines the 1-based line of each id
   */
  record Contents(Path file, String what, int[] ids, int[] lines) {
    /** An error about the {@code index}-th id, naming its file and line. */
    LetheException at(int index, String problem) {
      return new LetheException(what + " " + file + " line " + lines[index] + ": id " + ids[index] + " " + problem);
    }

    /**
     * The rows of {@code data} holding these ids, in the file's order.
     *
     * @param absent what to say of an id {@code data} does not hold, after "id N "
     */
    int[] rowsIn(Dataset data, String absent) {
      return rowsOf(data, ids, i -> at(i, absent));
    }
  }

  /**
   * The rows of {@code data} holding {@code ids}, in their order.
   *
   * @param absent the error for the {@code i}-th id when {@code data} does not hold it
   */
  static int[] rowsOf(Dataset data, int[] ids, IntFunction<LetheException> absent) {
    Map<Integer, Integer> rowOfId = new HashMap<>();
    for (int row = 0; row < data.size(); row++) {
      rowOfId.putIfAbsent(data.id(row), row);
    }
    int[] rows = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      Integer row = rowOfId.get(ids[i]);
      if (row == null) {
        throw absent.apply(i);
      }
      rows[i] = row;
    }
    return rows;
  }
}
