package dev.tcplab.capture;

import dev.tcplab.capture.ConnectionReport.Close;
import java.util.ArrayList;
import java.util.List;

/** The one-line verdict of a connection report, in words a person reads. */
final class Verdicts {
  private Verdicts() {}

  static String verdict(TrackedConnection c, Close close, ConnectionReport.Tls tls) {
    List<String> parts = new ArrayList<>();
    parts.add(tcp(c, close));
    if (tls != null && tls.detail() != null) parts.add(tls.detail());
    return String.join("; ", parts);
  }

  private static String tcp(TrackedConnection c, Close close) {
    switch (close.kind()) {
      case REFUSED:
        return "refused: the SYN was answered by RST";
      case GRACEFUL:
        return "graceful close, " + close.firstBy() + " closed first (FIN both ways); "
            + close.firstBy() + " ends in TIME-WAIT";
      case HALF_CLOSE: {
        Side second = Side.valueOf(close.firstBy().toUpperCase(java.util.Locale.ROOT)).other();
        return "half-close: " + close.firstBy() + " closed first, " + second.label() + " sent "
            + count(c.half(second).dataAfterPeerFin) + " after that FIN, then closed; "
            + close.firstBy() + " ends in TIME-WAIT";
      }
      case SIMULTANEOUS:
        return "simultaneous close: the FINs crossed; both ends pass CLOSING to TIME-WAIT";
      case RESET: {
        Side by = close.resetBy();
        StringBuilder sb = new StringBuilder("reset by ").append(by.label()).append(" in ")
            .append(close.resetState());
        // What was unacknowledged at the RST, less what the peer acknowledged after it (data
        // already in flight that arrived before the RST did).
        List<String> lost = new ArrayList<>();
        for (Side from : Side.values()) {
          long atReset = close.unackedAtReset(from);
          if (atReset <= 0) continue;
          long sent = from == Side.CLIENT ? c.sentAtResetClient : c.sentAtResetServer;
          long n = sent - Math.min(sent, c.half(from).acked());
          String late = n < atReset ? " (" + count(atReset - n) + " more acknowledged after the RST)"
              : "";
          if (n > 0 || !late.isEmpty()) {
            // The resetting side's own ACKs end at its RST: what it had not acknowledged of the
            // peer's data was in flight, or received and not acknowledged (RFC 1122 §4.2.2.13).
            String unread = from != by && n > 0
                ? " (the " + by.label() + " had not acknowledged them)" : "";
            lost.add(count(n) + " from " + from.label() + " to " + from.other().label() + late
                + unread);
          }
        }
        sb.append(lost.isEmpty()
            ? ": nothing on the wire was lost (everything sent had been acknowledged)"
            : ": data lost to RST: " + String.join(" and ", lost));
        return sb.toString();
      }
      case OPEN:
      default:
        return close.firstBy() == null
            ? "open at the end of the capture"
            : "half-closed by " + close.firstBy() + " at the end of the capture";
    }
  }

  /** {@code "144 280 bytes"}: thousands grouped with a space, as people read them. */
  static String count(long bytes) {
    String digits = Long.toString(bytes);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < digits.length(); i++) {
      if (i > 0 && (digits.length() - i) % 3 == 0) sb.append(' ');
      sb.append(digits.charAt(i));
    }
    return sb.append(bytes == 1 ? " byte" : " bytes").toString();
  }
}
