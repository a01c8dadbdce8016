package dev.tcplab.capture;

import dev.tcplab.capture.tls.Direction;
import dev.tcplab.capture.tls.NssKeyLog;
import dev.tcplab.capture.tls.TlsStreamObserver;
import dev.tcplab.capture.tls.TlsSummary;
import java.util.ArrayList;
import java.util.List;

/**
 * TLS on a captured connection: feeds a {@link TlsStreamObserver} and judges what it found against
 * how the TCP connection ended. A side's stream is truncated when it ended without its close_notify
 * delivered: a FIN with no close_notify before it, or a RST while the side's close_notify (or data
 * before it) was still unacknowledged — the PH01192 pattern when the RST comes from the side whose
 * close_notify was lost.
 */
final class TlsCheck implements StreamObserver {
  private final TlsStreamObserver observer;

  TlsCheck(NssKeyLog keys) {
    this.observer = new TlsStreamObserver(keys);
  }

  private static Direction direction(Side from) {
    return from == Side.CLIENT ? Direction.CLIENT_TO_SERVER : Direction.SERVER_TO_CLIENT;
  }

  @Override
  public void data(Side from, long offset, byte[] b, int off, int len) {
    observer.onData(direction(from), offset, b, off, len);
  }

  @Override
  public void gap(Side from, long offset) {
    observer.onGap(direction(from), offset);
  }

  @Override
  public ConnectionReport.Tls report(TrackedConnection c) {
    TlsSummary s = observer.summary();
    if (!s.isTls()) return null;
    List<String> truncations = new ArrayList<>();
    for (Side side : Side.values()) {
      String t = truncation(c, s, side);
      if (t != null) truncations.add(t);
    }
    String version = s.version() == null ? "TLS (version not seen)" : "TLS " + s.version();
    String detail = truncations.isEmpty()
        ? version + ", close_notify from client " + seen(s.clientCloseNotify()) + ", from server "
            + seen(s.serverCloseNotify())
        : version + " truncated: " + String.join("; ", truncations);
    return new ConnectionReport.Tls(s.version(), s.clientCloseNotify(), s.serverCloseNotify(),
        !truncations.isEmpty(), detail);
  }

  /** Why {@code side}'s TLS stream was cut short, or null if it was not (or cannot be told). */
  private static String truncation(TrackedConnection c, TlsSummary s, Side side) {
    HalfConnection h = c.half(side);
    Direction d = direction(side);
    Boolean notify = s.closeNotify(d);
    long end = s.closeNotifyEnd(d);
    boolean finFirst = h.finSent() && (c.resetBy == null || h.finPacket < c.resetPacket);
    if (finFirst && Boolean.FALSE.equals(notify)) {
      return "FIN from " + side.label() + " without close_notify";
    }
    if (c.resetBy == null) return null;
    // Bytes of this side still unacknowledged once everything after the RST is counted.
    boolean lost = h.acked() < h.sent();
    if (Boolean.TRUE.equals(notify) && end >= 0 && h.acked() >= end) return null;
    String rst = "RST from " + c.resetBy.label();
    if (c.resetBy == side) {
      // Whether the close_notify was on the wire unacknowledged, or never left the queue: the
      // peer's stream ends at the RST without it.
      return notify != null || lost
          ? rst + " before its close_notify was delivered (the PH01192 pattern)"
          : null;
    }
    return lost ? rst + " while the " + side.label() + "'s data was still unacknowledged" : null;
  }

  private static String seen(Boolean b) {
    return b == null ? "unknown (encrypted)" : b ? "seen" : "not seen";
  }
}
