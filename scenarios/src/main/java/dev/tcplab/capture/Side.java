package dev.tcplab.capture;

import java.util.Locale;

/** The two ends of a captured connection: the client sent the first SYN. */
public enum Side {
  CLIENT,
  SERVER;

  public Side other() {
    return this == CLIENT ? SERVER : CLIENT;
  }

  /** {@code "client"} or {@code "server"}, as in the JSON report. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
