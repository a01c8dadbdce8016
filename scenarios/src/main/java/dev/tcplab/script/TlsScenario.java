package dev.tcplab.script;

import dev.tcplab.sim.LinkConfig;
import dev.tcplab.tls.RstPolicy;
import dev.tcplab.tls.TlsVersion;
import dev.tcplab.tls.scenario.ServerEnding;
import dev.tcplab.tls.scenario.TlsTransfer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The companion format for TLS scenarios ({@code .tls} files), run by the same runner and command as
 * packetdrill scripts: settings of the PH01192 experiment ({@link TlsTransfer}) and the outcomes to
 * expect.
 *
 * <pre>
 * // PH01192 before the fix: ...
 * tls = 1.3
 * policy = immediate
 * server-ending = abort-after-close-notify
 * response-bytes = 150000
 * delay = 10ms
 * bandwidth = 10Mbit
 * expect client-read = fewer          (all | fewer)
 * expect close-notify = missing       (seen | missing)
 * expect client-end = RESET_BY_PEER   (a ConnectionEnd)
 * expect server-end = ABORTED_LOCALLY
 * expect rst = deferred               (deferred | immediate | none)
 * </pre>
 */
public final class TlsScenario {
  private TlsScenario() {}

  /** Parses and runs {@code file}; syntax errors name the file and line. */
  public static ScriptRunner.Outcome run(Path file) throws IOException, ScriptSyntaxException {
    String path = file.toString();
    List<String> lines = Files.readAllLines(file);
    Map<String, String> settings = new LinkedHashMap<>();
    Map<String, String> expect = new LinkedHashMap<>();
    Map<String, Integer> lineOf = new LinkedHashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i).strip();
      if (l.isEmpty() || l.startsWith("//") || l.startsWith("#")) continue;
      int eq = l.indexOf('=');
      if (eq < 0) throw new ScriptSyntaxException(path, i + 1, 1, "expected 'name = value' but found '" + l + "'");
      String key = l.substring(0, eq).strip().toLowerCase(Locale.ROOT);
      String value = l.substring(eq + 1).strip();
      boolean isExpect = key.startsWith("expect ");
      if (isExpect) key = key.substring(7).strip();
      (isExpect ? expect : settings).put(key, value);
      lineOf.put((isExpect ? "expect " : "") + key, i + 1);
    }
    TlsTransfer t;
    try {
      t = transfer(settings);
    } catch (IllegalArgumentException e) {
      throw new ScriptSyntaxException(path, 1, 1, e.getMessage());
    }
    TlsTransfer.Result r = t.run();
    List<String> failures = new ArrayList<>();
    for (Map.Entry<String, String> e : expect.entrySet()) {
      String actual = actual(e.getKey(), r);
      if (actual == null) {
        throw new ScriptSyntaxException(path, lineOf.get("expect " + e.getKey()), 1,
            "unknown expectation '" + e.getKey() + "': use client-read, close-notify, client-end,"
                + " server-end or rst");
      }
      if (!actual.equalsIgnoreCase(e.getValue())) {
        failures.add(path + ":" + lineOf.get("expect " + e.getKey()) + ": expected " + e.getKey()
            + " = " + e.getValue() + " but it was " + actual + " (" + r.outcome() + ")");
      }
    }
    List<String> log = r.network().trace().lines();
    return new ScriptRunner.Outcome(path, failures.isEmpty(),
        failures.isEmpty() ? null : String.join("; ", failures), List.of(), log,
        r.network().trace());
  }

  private static String actual(String what, TlsTransfer.Result r) {
    return switch (what) {
      case "client-read" -> r.clientReadEverything() ? "all" : "fewer";
      case "close-notify" -> r.client().tls() != null && r.client().tls().closeNotifyReceived()
          ? "seen" : "missing";
      case "client-end" -> String.valueOf(r.client().end());
      case "server-end" -> String.valueOf(r.server().end());
      case "rst" -> rst(r);
      default -> null;
    };
  }

  private static String rst(TlsTransfer.Result r) {
    for (String l : r.network().trace().lines()) {
      if (l.contains("RST deferred")) return "deferred";
      if (l.contains("RST now")) return "immediate";
    }
    return "none";
  }

  private static TlsTransfer transfer(Map<String, String> s) {
    TlsTransfer base = TlsTransfer.ph01192(RstPolicy.DEFER_UNTIL_DELIVERED);
    LinkConfig.Builder link = base.link().toBuilder();
    if (s.containsKey("delay")) link.delay(duration(s.get("delay")));
    if (s.containsKey("bandwidth")) link.bandwidth(rate(s.get("bandwidth")));
    TlsVersion v = TlsVersion.parse(s.getOrDefault("tls", "1.3"));
    RstPolicy p = RstPolicy.parse(s.getOrDefault("policy", "defer"));
    ServerEnding ending = ServerEnding.valueOf(s.getOrDefault("server-ending",
        "abort-after-close-notify").toUpperCase(Locale.ROOT).replace('-', '_'));
    int bytes = Integer.parseInt(s.getOrDefault("response-bytes", "150000"));
    int rcvbuf = Integer.parseInt(s.getOrDefault("client-rcvbuf", "540000"));
    long seed = Long.parseLong(s.getOrDefault("seed", "1"));
    return new TlsTransfer(seed, link.build(), v, p, ending, bytes, rcvbuf, base.limitNanos());
  }

  private static long duration(String v) {
    String t = v.strip().toLowerCase(Locale.ROOT);
    if (t.endsWith("ms")) return Math.round(Double.parseDouble(t.substring(0, t.length() - 2)) * 1e6);
    if (t.endsWith("us")) return Math.round(Double.parseDouble(t.substring(0, t.length() - 2)) * 1e3);
    if (t.endsWith("s")) return Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 1e9);
    throw new IllegalArgumentException("'" + v + "' is not a duration (10ms, 1s)");
  }

  private static long rate(String v) {
    String t = v.strip().toLowerCase(Locale.ROOT);
    if (t.endsWith("gbit")) return Math.round(Double.parseDouble(t.substring(0, t.length() - 4)) * 1e9);
    if (t.endsWith("mbit")) return Math.round(Double.parseDouble(t.substring(0, t.length() - 4)) * 1e6);
    if (t.endsWith("kbit")) return Math.round(Double.parseDouble(t.substring(0, t.length() - 4)) * 1e3);
    return Long.parseLong(t);
  }
}
