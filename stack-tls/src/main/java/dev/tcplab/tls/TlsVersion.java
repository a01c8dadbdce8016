package dev.tcplab.tls;

import java.util.Locale;
import org.bouncycastle.tls.ProtocolVersion;

/**
 * The TLS protocol versions TcpLab can negotiate. An engine offers or accepts exactly one of them.
 */
public enum TlsVersion {
  TLS_1_2("1.2", ProtocolVersion.TLSv12),
  TLS_1_3("1.3", ProtocolVersion.TLSv13);

  private final String display;
  private final ProtocolVersion bcVersion;

  TlsVersion(String display, ProtocolVersion bcVersion) {
    this.display = display;
    this.bcVersion = bcVersion;
  }

  /** "1.2" or "1.3". */
  public String display() {
    return display;
  }

  /** Parses "1.2", "1.3", "TLSv1.3", "tls1.2", "TLS_1_3" (case-insensitive). */
  public static TlsVersion parse(String text) {
    String t = text.trim().toUpperCase(Locale.ROOT).replace('_', '.');
    if (t.startsWith("TLSV")) {
      t = t.substring(4);
    } else if (t.startsWith("TLS")) {
      t = t.substring(3);
    }
    if (t.startsWith(".")) {
      t = t.substring(1);
    }
    for (TlsVersion v : values()) {
      if (v.display.equals(t)) {
        return v;
      }
    }
    throw new IllegalArgumentException(
        "unsupported TLS version '" + text + "' (expected 1.2 or 1.3)");
  }

  ProtocolVersion bcVersion() {
    return bcVersion;
  }

  static TlsVersion fromBc(ProtocolVersion v) {
    for (TlsVersion t : values()) {
      if (t.bcVersion.equals(v)) {
        return t;
      }
    }
    throw new IllegalArgumentException("unsupported TLS version " + v);
  }
}
