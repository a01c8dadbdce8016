package dev.tcplab.tls;

/**
 * What an abort of a TLS-secured connection does to the data still queued: the choice IBM APAR PH01192
 * (z/VM TCP/IP, "SSL socket may prematurely close at end of session") is about.
 */
public enum RstPolicy {
  /**
   * RST at once, queues discarded: the behaviour before the fix, and plain BSD sockets' with SO_LINGER
   * 0. A peer that follows its close_notify with an immediate RST truncates what is still in flight.
   */
  IMMEDIATE,
  /**
   * The PH01192 fix (the default): if the original connection is ESTABLISHED and no close has begun,
   * RST at once (a real abort); otherwise hold the RST until everything queued — close_notify included
   * — has been acknowledged, then send it. The hold is bounded, so a dead peer cannot keep the
   * connection forever.
   */
  DEFER_UNTIL_DELIVERED;

  /** Parses "immediate" or "defer" (any case, also the full names); the error lists the choices. */
  public static RstPolicy parse(String text) {
    String t = text.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_');
    switch (t) {
      case "IMMEDIATE":
        return IMMEDIATE;
      case "DEFER":
      case "DEFER_UNTIL_DELIVERED":
        return DEFER_UNTIL_DELIVERED;
      default:
        throw new IllegalArgumentException(
            "'" + text + "' is not an RST policy: use immediate or defer (defer-until-delivered)");
    }
  }
}
