package dev.tcplab.sim.pcap;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Runs Wireshark's {@code tshark} on capture files, for tests. Tests that need it start with
 *
 * <pre>{@code
 * assumeTrue(Tshark.available(), Tshark.MISSING);
 * }</pre>
 *
 * so that where tshark is not installed they are skipped with that reason (CI installs it).
 *
 * <p>tshark runs with an empty personal configuration directory, so a developer's Wireshark
 * preferences do not change its output, and is killed after {@link #TIMEOUT_SECONDS}.
 */
public final class Tshark {
  /** The reason to give when skipping. */
  public static final String MISSING = "tshark not installed: apt-get install tshark";

  public static final long TIMEOUT_SECONDS = 60;

  /**
   * Shows the packets that Wireshark finds malformed or flags at warning level or above. Used with
   * {@link #CHECK_CHECKSUMS} so that a bad IP or TCP checksum counts too.
   */
  public static final String PROBLEMS_FILTER = "_ws.malformed || _ws.expert.severity >= warning";

  /** Preferences that make tshark verify IPv4 header and TCP checksums (off by default). */
  public static final List<String> CHECK_CHECKSUMS =
      List.of("-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE");

  private Tshark() {}

  /** True when {@code tshark} is on the PATH and runs. */
  public static boolean available() {
    return Holder.EXECUTABLE.isPresent();
  }

  /**
   * Runs {@code tshark args...} and returns its standard output, one element per line.
   *
   * @throws IllegalStateException if tshark is missing, fails (with its error output) or times out
   */
  public static List<String> run(List<String> args) {
    Path tshark = Holder.EXECUTABLE.orElseThrow(() -> new IllegalStateException(MISSING));
    List<String> command = new ArrayList<>();
    command.add(tshark.toString());
    command.addAll(args);
    Result r = exec(command);
    if (r.exitCode != 0) {
      throw new IllegalStateException(
          String.format(
              "%s exited with %d: %s", String.join(" ", command), r.exitCode, r.stderrText()));
    }
    return r.stdout;
  }

  /** {@link #run(List)} with varargs. */
  public static List<String> run(String... args) {
    return run(Arrays.asList(args));
  }

  /**
   * {@code tshark -n -r file -T fields -e field...}: one line per packet, the fields separated by
   * tabs (an absent field is empty).
   */
  public static List<String> fields(Path file, String... fields) {
    checkArgument(fields.length > 0, "No fields");
    List<String> args = new ArrayList<>(List.of("-n", "-r", file.toString(), "-T", "fields"));
    for (String f : fields) {
      args.add("-e");
      args.add(checkNotNull(f));
    }
    return run(args);
  }

  /**
   * The packets of {@code file} that match {@link #PROBLEMS_FILTER} with checksums verified, as
   * {@code "frame-number<TAB>expert messages"}; empty for a capture Wireshark has nothing to say
   * against.
   */
  public static List<String> problems(Path file) {
    List<String> args = new ArrayList<>(List.of("-n", "-r", file.toString()));
    args.addAll(CHECK_CHECKSUMS);
    args.addAll(
        List.of(
            "-Y",
            PROBLEMS_FILTER,
            "-T",
            "fields",
            "-e",
            "frame.number",
            "-e",
            "_ws.expert.message"));
    return run(args);
  }

  private static Result exec(List<String> command) {
    Path dir = null;
    try {
      dir = Files.createTempDirectory("tshark");
      Path out = dir.resolve("stdout");
      Path err = dir.resolve("stderr");
      Path config = Files.createDirectory(dir.resolve("config"));
      ProcessBuilder pb = new ProcessBuilder(command);
      pb.environment().put("WIRESHARK_CONFIG_DIR", config.toString());
      pb.environment().put("LC_ALL", "C.UTF-8");
      // Files rather than pipes: nothing to drain, so the timeout below always applies.
      pb.redirectOutput(out.toFile());
      pb.redirectError(err.toFile());
      Process p = pb.start();
      p.getOutputStream().close();
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor();
        throw new IllegalStateException(
            String.format(
                "%s did not finish within %d s", String.join(" ", command), TIMEOUT_SECONDS));
      }
      return new Result(
          p.exitValue(),
          Files.readAllLines(out, StandardCharsets.UTF_8),
          Files.readAllLines(err, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command.get(0), e);
    } finally {
      if (dir != null) deleteQuietly(dir);
    }
  }

  private static void deleteQuietly(Path dir) {
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted((a, b) -> b.compareTo(a)).collect(Collectors.toList())) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | UncheckedIOException e) {
      // A temporary directory left behind is harmless.
    }
  }

  private record Result(int exitCode, List<String> stdout, List<String> stderr) {
    /** Error output without tshark's warning about running as root. */
    String stderrText() {
      return stderr.stream()
          .filter(l -> !l.startsWith("Running as user"))
          .collect(Collectors.joining(" | "));
    }
  }

  /** Looked up once, on first use. */
  private static final class Holder {
    static final Optional<Path> EXECUTABLE = find();

    private static Optional<Path> find() {
      String path = System.getenv("PATH");
      if (path == null) return Optional.empty();
      for (String dir : path.split(File.pathSeparator)) {
        if (dir.isEmpty()) continue;
        Path candidate = Path.of(dir, "tshark");
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return runs(candidate) ? Optional.of(candidate) : Optional.empty();
        }
      }
      return Optional.empty();
    }

    /** A broken install (missing shared libraries) counts as not installed. */
    private static boolean runs(Path tshark) {
      try {
        return exec(List.of(tshark.toString(), "-v")).exitCode == 0;
      } catch (RuntimeException e) {
        return false;
      }
    }
  }
}
