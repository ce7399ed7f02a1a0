package dev.lethe.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.LetheException;
import dev.lethe.data.AtomicFiles;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Saves and loads networks as a directory holding {@code model.params} (DJL's parameter format) and
 * {@code model.json} (the architecture, layout signature, SHA-256 of the parameters and caller metadata such as
 * provenance). Never Java serialisation. Writes go to a sibling temporary directory that is renamed into
 * place, so a crash never leaves a half-written checkpoint.
 *
 * <p>A built-in architecture is stored as its {@link ModelSpec} ({@code spec}), so {@link #load(Path)} rebuilds
 * it. A network of your own ({@link CustomArchitecture}) is stored by name, input shape and classes
 * ({@code custom}); its blocks are code, not data, so it loads only with {@link #load(Path, Architecture)} given
 * its architecture again, and is checked against the stored name and parameter layout.
 */
public final class Checkpoints {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PARAMS = "model.params";
  private static final String META = "model.json";
  private static final String CUSTOM = "custom";

  private Checkpoints() {}

  /** Writes {@code network} with {@code metadata} to {@code dir}, replacing an existing checkpoint. */
  public static void save(Network network, Path dir, JsonNode metadata) {
    removeLeftovers(dir);
    if (Files.exists(dir) && !exists(dir) && !holdsOnlyCheckpointFiles(dir)) {
      // replacing deletes the whole directory: never do that to something that is not a checkpoint
      throw new LetheException(
          dir + " exists and is not a checkpoint (no " + PARAMS + " and " + META
              + "): choose another directory or remove it");
    }
    Path parent = dir.toAbsolutePath().getParent();
    Path tmp = null;
    try {
      Files.createDirectories(parent);
      tmp = Files.createTempDirectory(parent, "." + dir.getFileName() + ".tmp",
          AtomicFiles.ordinaryPermissions(parent, true));
      MessageDigest sha = sha256();
      try (OutputStream out =
          new java.security.DigestOutputStream(
              new BufferedOutputStream(Files.newOutputStream(tmp.resolve(PARAMS))), sha)) {
        network.saveParameters(out);
      }
      ObjectNode meta = JSON.createObjectNode();
      if (network.architecture() instanceof ModelSpec spec) {
        meta.set("spec", JSON.valueToTree(spec));
      } else {
        meta.set(CUSTOM, customJson((CustomArchitecture) network.architecture()));
      }
      meta.put("layout", network.layoutSignature());
      meta.put("sha256", HexFormat.of().formatHex(sha.digest()));
      meta.set("metadata", metadata == null ? JSON.createObjectNode() : metadata);
      JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.resolve(META).toFile(), meta);
      if (Files.exists(dir)) {
        // Move the old checkpoint aside instead of deleting it first: a kill between the two renames leaves
        // it recoverable at the backup path, where the next access to dir restores it (see exists).
        Path backup = backupOf(dir);
        Files.move(dir, backup, StandardCopyOption.ATOMIC_MOVE);
        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        tmp = null;
        deleteTree(backup);
      } else {
        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        tmp = null;
      }
    } catch (IOException e) {
      throw new LetheException("cannot write checkpoint to " + dir + ": " + e.getMessage(), e);
    } finally {
      if (tmp != null) {
        deleteTree(tmp);
      }
    }
  }

  /**
   * True when {@code dir} holds a complete checkpoint. A replacement that a kill interrupted after the old
   * checkpoint was moved aside is completed first: the old checkpoint is restored to {@code dir}.
   */
  public static boolean exists(Path dir) {
    Path backup = backupOf(dir);
    if (!Files.exists(dir) && isComplete(backup)) {
      try {
        Files.move(backup, dir, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        throw new LetheException("cannot restore the checkpoint " + dir + " from " + backup + ": " + e.getMessage(), e);
      }
    }
    return isComplete(dir);
  }

  private static boolean isComplete(Path dir) {
    return Files.isRegularFile(dir.resolve(PARAMS)) && Files.isRegularFile(dir.resolve(META));
  }

  /** Where {@link #save} keeps the checkpoint it replaces until the new one is in place. */
  private static Path backupOf(Path dir) {
    Path abs = dir.toAbsolutePath();
    return abs.resolveSibling("." + abs.getFileName() + ".replaced");
  }

  /**
   * Removes what a killed save to {@code dir} left beside it: its temporary directories and, once
   * {@code dir} is complete again, the backup of the checkpoint it replaced.
   */
  private static void removeLeftovers(Path dir) {
    Path abs = dir.toAbsolutePath();
    Path parent = abs.getParent();
    if (parent == null || !Files.isDirectory(parent)) {
      return;
    }
    if (exists(dir) && Files.exists(backupOf(dir))) {
      deleteTree(backupOf(dir));
    }
    String prefix = "." + abs.getFileName() + ".tmp";
    try (var entries = Files.list(parent)) {
      for (Path p : (Iterable<Path>) entries::iterator) {
        if (p.getFileName().toString().startsWith(prefix) && Files.isDirectory(p)) {
          deleteTree(p);
        }
      }
    } catch (IOException e) {
      // best effort: leftovers are named as temporary and never read
    }
  }

  /** The metadata object stored with a checkpoint. */
  public static JsonNode metadata(Path dir) {
    return readMeta(dir).path("metadata");
  }

  /**
   * Loads a checkpoint of a built-in architecture, verifying its hash and parameter layout. A checkpoint of a
   * network of your own is a one-line error: load it with {@link #load(Path, Architecture)}.
   */
  public static Network load(Path dir) {
    JsonNode meta = readMeta(dir);
    if (meta.has(CUSTOM)) {
      throw new LetheException("checkpoint " + dir + " holds network " + meta.get(CUSTOM).path("name").asText()
          + " of your own design: load it from Java with Checkpoints.load(dir, architecture), giving its blocks");
    }
    return read(dir, meta, storedSpec(dir, meta));
  }

  /**
   * Loads a checkpoint of {@code architecture}, verifying its hash and parameter layout: a built-in checkpoint must
   * hold exactly this spec, one of your own this name, input shape and class count.
   */
  public static Network load(Path dir, Architecture architecture) {
    JsonNode meta = readMeta(dir);
    Object stored = meta.has(CUSTOM) ? meta.get(CUSTOM) : storedSpec(dir, meta);
    Object expected = architecture instanceof CustomArchitecture custom ? customJson(custom) : architecture;
    if (!stored.equals(expected)) {
      throw new LetheException("checkpoint " + dir + " holds network " + stored + ", not " + expected
          + ": load it with the architecture it was saved with");
    }
    return read(dir, meta, architecture);
  }

  private static ModelSpec storedSpec(Path dir, JsonNode meta) {
    try {
      return JSON.treeToValue(meta.get("spec"), ModelSpec.class);
    } catch (IOException | IllegalArgumentException e) {
      throw new LetheException("checkpoint " + dir + " has an unreadable model spec: " + e.getMessage());
    }
  }

  /** What a checkpoint records of a network of your own: name, input shape, classes. */
  private static ObjectNode customJson(CustomArchitecture custom) {
    ObjectNode c = JSON.createObjectNode();
    c.put("name", custom.name());
    c.put("channels", custom.channels());
    c.put("height", custom.height());
    c.put("width", custom.width());
    c.put("classes", custom.classes());
    return c;
  }

  private static Network read(Path dir, JsonNode meta, Architecture architecture) {
    Network network = Network.create(architecture, 0);
    try {
      if (!network.layoutSignature().equals(meta.path("layout").asText())) {
        throw new LetheException(architecture instanceof ModelSpec
            ? "checkpoint " + dir + " does not match the " + architecture.name()
                + " layout of this Lethe version: retrain it"
            : "checkpoint " + dir + " was saved from other blocks than network " + architecture.name()
                + " builds now (the parameter layout differs): load it with the blocks it was saved with, or retrain");
      }
      // Verify the hash before parsing: a damaged header would otherwise fail inside DJL's decoder with an
      // unrelated message, or make it allocate whatever a corrupted length field says.
      MessageDigest sha = sha256();
      try (InputStream in =
          new DigestInputStream(new BufferedInputStream(Files.newInputStream(dir.resolve(PARAMS))), sha)) {
        in.transferTo(OutputStream.nullOutputStream());
      }
      String actual = HexFormat.of().formatHex(sha.digest());
      if (!actual.equals(meta.path("sha256").asText())) {
        throw new LetheException(
            "checkpoint " + dir + " is corrupt (SHA-256 mismatch): delete it and train again");
      }
      try (InputStream in = new BufferedInputStream(Files.newInputStream(dir.resolve(PARAMS)))) {
        network.loadParameters(in);
      }
      return network;
    } catch (IOException | RuntimeException e) {
      network.close();
      if (e instanceof LetheException le) {
        throw le;
      }
      throw new LetheException("cannot read checkpoint " + dir + ": " + e.getMessage(), e);
    }
  }

  private static JsonNode readMeta(Path dir) {
    if (!exists(dir)) {
      throw new LetheException(
          "no checkpoint at " + dir + " (expected " + PARAMS + " and " + META + "): train one first");
    }
    try {
      return JSON.readTree(dir.resolve(META).toFile());
    } catch (IOException e) {
      // Jackson appends the source location on a second line; the user needs one line
      String why = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
      throw new LetheException("checkpoint metadata " + dir.resolve(META) + " is malformed: " + why);
    }
  }

  /** True for a directory that is empty or holds only (part of) a checkpoint's own files. */
  private static boolean holdsOnlyCheckpointFiles(Path dir) {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (var entries = Files.list(dir)) {
      return entries.allMatch(
          p -> p.getFileName().toString().equals(PARAMS) || p.getFileName().toString().equals(META));
    } catch (IOException e) {
      return false;
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Deletes a directory tree, ignoring what is already gone. */
  public static void deleteTree(Path root) {
    try (var walk = Files.walk(root)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: a leftover temporary directory is harmless and named as such
    }
  }
}
