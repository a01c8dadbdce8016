package dev.tcplab.tls;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs Wireshark's {@code tshark} for tests: a minimal copy of stack-sim's test helper (test classes
 * of another module are not visible here). Tests start with {@code assumeTrue(Tshark.available(),
 * Tshark.MISSING)}. tshark runs with an empty configuration directory, so a developer's Wireshark
 * preferences do not change its output, and is killed after {@link #TIMEOUT_SECONDS}.
 */
final class Tshark {
  static final String MISSING = "tshark not installed: apt-get install tshark";
  static final long TIMEOUT_SECONDS = 60;

  private Tshark() {}

  static boolean available() {
    return Holder.EXECUTABLE.isPresent();
  }

  /** {@code tshark args...}: its standard output, one element per line; fails with its error output. */
  static List<String> run(String... args) {
    Path tshark = Holder.EXECUTABLE.orElseThrow(() -> new IllegalStateException(MISSING));
    List<String> command = new ArrayList<>();
    command.add(tshark.toString());
    command.addAll(Arrays.asList(args));
    Path dir = null;
    try {
      dir = Files.createTempDirectory("tshark");
      Path out = dir.resolve("stdout");
      Path err = dir.resolve("stderr");
      ProcessBuilder pb = new ProcessBuilder(command);
      pb.environment().put("WIRESHARK_CONFIG_DIR", Files.createDirectory(dir.resolve("config")).toString());
      pb.environment().put("LC_ALL", "C.UTF-8");
      pb.redirectOutput(out.toFile());
      pb.redirectError(err.toFile());
      Process p = pb.start();
      p.getOutputStream().close();
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor();
        throw new IllegalStateException(String.join(" ", command) + " did not finish in time");
      }
      if (p.exitValue() != 0) {
        List<String> errors = new ArrayList<>(Files.readAllLines(err, StandardCharsets.UTF_8));
        errors.removeIf(l -> l.startsWith("Running as user"));
        throw new IllegalStateException(String.join(" ", command) + " exited with " + p.exitValue()
            + ": " + String.join(" | ", errors));
      }
      return Files.readAllLines(out, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running tshark", e);
    } finally {
      if (dir != null) deleteQuietly(dir);
    }
  }

  private static void deleteQuietly(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    } catch (IOException | UncheckedIOException e) {
      // a temporary directory left behind is harmless
    }
  }

  private static final class Holder {
    static final Optional<Path> EXECUTABLE = find();

    private static Optional<Path> find() {
      String path = System.getenv("PATH");
      if (path == null) return Optional.empty();
      for (String dir : path.split(File.pathSeparator)) {
        if (dir.isEmpty()) continue;
        Path candidate = Path.of(dir, "tshark");
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          try {
            run0(candidate);
            return Optional.of(candidate);
          } catch (RuntimeException e) {
            return Optional.empty(); // a broken install (missing libraries) counts as missing
          }
        }
      }
      return Optional.empty();
    }

    private static void run0(Path tshark) {
      try {
        Process p = new ProcessBuilder(tshark.toString(), "-v")
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS) || p.exitValue() != 0) {
          p.destroyForcibly();
          throw new IllegalStateException("tshark -v failed");
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }
}
