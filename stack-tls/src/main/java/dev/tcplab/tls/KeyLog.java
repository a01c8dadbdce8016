package dev.tcplab.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Collects TLS secrets in the NSS key log format (what {@code SSLKEYLOGFILE} produces), which
 * Wireshark / tshark read via {@code -o tls.keylog_file:FILE}.
 *
 * <ul>
 *   <li>TLS 1.2: {@code CLIENT_RANDOM <client_random> <master_secret>} (32 and 48 bytes, lower-case
 *       hex);
 *   <li>TLS 1.3: {@code CLIENT_HANDSHAKE_TRAFFIC_SECRET}, {@code SERVER_HANDSHAKE_TRAFFIC_SECRET},
 *       {@code CLIENT_TRAFFIC_SECRET_0}, {@code SERVER_TRAFFIC_SECRET_0}, {@code EXPORTER_SECRET},
 *       each {@code <label> <client_random> <secret>} (32 bytes each with SHA-256 suites), in that
 *       order.
 * </ul>
 *
 * <p>Lines are kept in insertion order (an engine adds all lines of a connection at once, when its
 * handshake completes) and duplicates are dropped, so a client and a server engine may share one
 * log: each connection appears once, in the order the handshakes completed. Thread-safe.
 */
public final class KeyLog {
  public static final String CLIENT_RANDOM = "CLIENT_RANDOM";
  public static final String CLIENT_HANDSHAKE_TRAFFIC_SECRET = "CLIENT_HANDSHAKE_TRAFFIC_SECRET";
  public static final String SERVER_HANDSHAKE_TRAFFIC_SECRET = "SERVER_HANDSHAKE_TRAFFIC_SECRET";
  public static final String CLIENT_TRAFFIC_SECRET_0 = "CLIENT_TRAFFIC_SECRET_0";
  public static final String SERVER_TRAFFIC_SECRET_0 = "SERVER_TRAFFIC_SECRET_0";
  public static final String EXPORTER_SECRET = "EXPORTER_SECRET";

  private static final HexFormat HEX = HexFormat.of();

  private final Set<String> lines = new LinkedHashSet<>();

  /**
   * Adds {@code <label> <clientRandom hex> <secret hex>} unless that exact line is already present.
   */
  public synchronized void add(String label, byte[] clientRandom, byte[] secret) {
    if (label.isEmpty() || label.chars().anyMatch(c -> c <= ' ')) {
      throw new IllegalArgumentException("bad key log label '" + label + "'");
    }
    lines.add(label + " " + HEX.formatHex(clientRandom) + " " + HEX.formatHex(secret));
  }

  /** The lines so far, in order, without line terminators. */
  public synchronized List<String> lines() {
    return new ArrayList<>(lines);
  }

  public synchronized int size() {
    return lines.size();
  }

  public synchronized boolean isEmpty() {
    return lines.isEmpty();
  }

  /** The whole log: every line followed by {@code \n}. */
  public synchronized String text() {
    StringBuilder sb = new StringBuilder();
    for (String line : lines) {
      sb.append(line).append('\n');
    }
    return sb.toString();
  }

  /** Writes (replaces) {@code file} with {@link #text()}. */
  public void write(Path file) throws IOException {
    Files.writeString(file, text(), StandardCharsets.US_ASCII);
  }

  @Override
  public String toString() {
    return "KeyLog[" + size() + " lines]";
  }
}
