package dev.tcplab.capture.tls;

import static com.google.common.base.Preconditions.checkNotNull;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * TLS secrets from an NSS key log ({@code SSLKEYLOGFILE}, as written by browsers, OpenSSL, Python's
 * {@code ssl}, curl and TcpLab's own {@code KeyLog}), indexed by the ClientHello's random.
 *
 * <p>Each line is {@code LABEL <client_random hex> <secret hex>}; {@code #} starts a comment line;
 * blank lines are skipped; trailing {@code \r} is ignored. Known labels: {@code CLIENT_RANDOM} (the
 * TLS 1.2 and earlier 48-byte master secret), {@code CLIENT_EARLY_TRAFFIC_SECRET}, {@code
 * CLIENT_HANDSHAKE_TRAFFIC_SECRET}, {@code SERVER_HANDSHAKE_TRAFFIC_SECRET}, {@code
 * CLIENT_TRAFFIC_SECRET_0}, {@code SERVER_TRAFFIC_SECRET_0}, {@code EARLY_EXPORTER_SECRET}, {@code
 * EXPORTER_SECRET}. Lines with any other label (e.g. {@code RSA}) are ignored whatever follows.
 * When the same label and random appear twice the later line wins. Immutable, thread-safe.
 */
public final class NssKeyLog {
  public static final String CLIENT_RANDOM = "CLIENT_RANDOM";
  public static final String CLIENT_EARLY_TRAFFIC_SECRET = "CLIENT_EARLY_TRAFFIC_SECRET";
  public static final String CLIENT_HANDSHAKE_TRAFFIC_SECRET = "CLIENT_HANDSHAKE_TRAFFIC_SECRET";
  public static final String SERVER_HANDSHAKE_TRAFFIC_SECRET = "SERVER_HANDSHAKE_TRAFFIC_SECRET";
  public static final String CLIENT_TRAFFIC_SECRET_0 = "CLIENT_TRAFFIC_SECRET_0";
  public static final String SERVER_TRAFFIC_SECRET_0 = "SERVER_TRAFFIC_SECRET_0";
  public static final String EARLY_EXPORTER_SECRET = "EARLY_EXPORTER_SECRET";
  public static final String EXPORTER_SECRET = "EXPORTER_SECRET";

  private static final Set<String> KNOWN =
      Set.of(
          CLIENT_RANDOM,
          CLIENT_EARLY_TRAFFIC_SECRET,
          CLIENT_HANDSHAKE_TRAFFIC_SECRET,
          SERVER_HANDSHAKE_TRAFFIC_SECRET,
          CLIENT_TRAFFIC_SECRET_0,
          SERVER_TRAFFIC_SECRET_0,
          EARLY_EXPORTER_SECRET,
          EXPORTER_SECRET);

  private static final HexFormat HEX = HexFormat.of();
  private static final NssKeyLog EMPTY = new NssKeyLog(Map.of(), 0);

  /** client random (lower-case hex) → label → secret. */
  private final Map<String, Map<String, byte[]>> secrets;

  private final int entries;

  private NssKeyLog(Map<String, Map<String, byte[]>> secrets, int entries) {
    this.secrets = secrets;
    this.entries = entries;
  }

  /** A key log with no secrets: nothing encrypted can be read. */
  public static NssKeyLog empty() {
    return EMPTY;
  }

  /**
   * Reads {@code file} (ASCII; UTF-8 is accepted).
   *
   * @throws Malformed naming {@code file:line} and what is wrong with the line
   * @throws IOException if the file cannot be read
   */
  public static NssKeyLog read(Path file) throws IOException {
    checkNotNull(file, "file");
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
      return parse(r, file.toString());
    }
  }

  /** Parses key-log text; {@code source} names it in error messages. */
  public static NssKeyLog parse(String text, String source) {
    try {
      return parse(new BufferedReader(new StringReader(text)), source);
    } catch (Malformed e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    } catch (IOException e) {
      throw new IllegalStateException(e); // a StringReader does not fail
    }
  }

  private static NssKeyLog parse(Reader in, String source) throws IOException {
    BufferedReader r = in instanceof BufferedReader b ? b : new BufferedReader(in);
    Map<String, Map<String, byte[]>> map = new HashMap<>();
    int entries = 0;
    int lineNo = 0;
    for (String line = r.readLine(); line != null; line = r.readLine()) {
      lineNo++;
      String t = line.strip();
      if (t.isEmpty() || t.startsWith("#")) {
        continue;
      }
      String[] f = t.split("\\s+");
      if (!KNOWN.contains(f[0])) {
        continue;
      }
      if (f.length != 3) {
        throw new Malformed(
            source,
            lineNo,
            f[0] + " needs 2 fields (client random and secret), found " + (f.length - 1));
      }
      byte[] random = hex(f[1], source, lineNo, "client random");
      if (random.length != 32) {
        throw new Malformed(
            source, lineNo, "the client random has " + random.length + " bytes, expected 32");
      }
      byte[] secret = hex(f[2], source, lineNo, "secret");
      if (f[0].equals(CLIENT_RANDOM) && secret.length != 48) {
        throw new Malformed(
            source,
            lineNo,
            "a CLIENT_RANDOM master secret has 48 bytes, this one " + secret.length);
      }
      if (!f[0].equals(CLIENT_RANDOM) && secret.length != 32 && secret.length != 48) {
        throw new Malformed(
            source,
            lineNo,
            f[0] + " secret has " + secret.length + " bytes, expected 32 (SHA-256) or 48 (SHA-384)");
      }
      map.computeIfAbsent(HEX.formatHex(random), k -> new HashMap<>()).put(f[0], secret);
      entries++;
    }
    return entries == 0 ? EMPTY : new NssKeyLog(Map.copyOf(map), entries);
  }

  private static byte[] hex(String s, String source, int line, String what) throws Malformed {
    if (s.length() % 2 != 0) {
      throw new Malformed(source, line, "the " + what + " has an odd number of hex digits");
    }
    try {
      return HEX.parseHex(s.toLowerCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new Malformed(source, line, "the " + what + " is not hexadecimal: '" + s + "'");
    }
  }

  /** The secret logged under {@code label} for {@code clientRandom}, or null. A copy. */
  public byte[] secret(String label, byte[] clientRandom) {
    if (clientRandom == null || secrets.isEmpty()) {
      return null;
    }
    Map<String, byte[]> m = secrets.get(HEX.formatHex(clientRandom));
    byte[] s = m == null ? null : m.get(label);
    return s == null ? null : s.clone();
  }

  /** Whether any secret is logged for {@code clientRandom}. */
  public boolean has(byte[] clientRandom) {
    return clientRandom != null && secrets.containsKey(HEX.formatHex(clientRandom));
  }

  /** The number of lines with a known label that were read. */
  public int size() {
    return entries;
  }

  public boolean isEmpty() {
    return entries == 0;
  }

  @Override
  public String toString() {
    return "NssKeyLog[" + entries + " secrets, " + secrets.size() + " connections]";
  }

  /** A line of a key log that is not in the format; the message names {@code file:line}. */
  public static final class Malformed extends IOException {
    private static final long serialVersionUID = 1L;
    private final String source;
    private final int line;

    Malformed(String source, int line, String what) {
      super(source + ":" + line + ": " + what);
      this.source = source;
      this.line = line;
    }

    public String source() {
      return source;
    }

    public int line() {
      return line;
    }
  }
}
