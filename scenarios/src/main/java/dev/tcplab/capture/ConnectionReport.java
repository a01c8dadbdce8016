package dev.tcplab.capture;

import static com.google.common.base.Preconditions.checkNotNull;

import java.util.List;

/**
 * How one captured TCP connection went: endpoints, handshake, bytes per direction and how it
 * closed, with a {@link #verdict} a person reads and fields a script checks (the JSON of {@code
 * tcplab analyze --json} is this record). The client is the side that sent the first SYN (when the
 * handshake was not captured: the sender of the first packet seen).
 *
 * @param number 1-based, in the order of each connection's first packet
 * @param tls null when the connection does not carry TLS
 * @param flags Wireshark-style remarks that matter for the close ("FIN retransmitted by client")
 */
public record ConnectionReport(
    int number,
    String client,
    String server,
    long firstPacket,
    long lastPacket,
    long firstTimeNanos,
    long lastTimeNanos,
    Handshake handshake,
    Close close,
    Bytes clientBytes,
    Bytes serverBytes,
    Tls tls,
    List<String> flags,
    String verdict) {
  public ConnectionReport {
    checkNotNull(client);
    checkNotNull(server);
    checkNotNull(handshake);
    checkNotNull(close);
    checkNotNull(clientBytes);
    checkNotNull(serverBytes);
    flags = List.copyOf(flags);
    checkNotNull(verdict);
  }

  /** The bytes {@code side} sent. */
  public Bytes bytes(Side side) {
    return side == Side.CLIENT ? clientBytes : serverBytes;
  }

  /** How a connection ended; {@link #json} is the name in the JSON report. */
  public enum Kind {
    /** FIN both ways, no data after the first FIN. */
    GRACEFUL("graceful"),
    /** FIN both ways, and the second closer sent data after the first FIN. */
    HALF_CLOSE("half-close"),
    /** FIN both ways, each sent before its sender had the other's (they crossed). */
    SIMULTANEOUS("simultaneous"),
    /** A RST ended it before both FINs were acknowledged. */
    RESET("reset"),
    /** The SYN was answered by RST. */
    REFUSED("refused"),
    /** Still open (or half-closed) when the capture ends. */
    OPEN("open");

    public final String json;

    Kind(String json) {
      this.json = json;
    }
  }

  /** Options of one side's SYN. */
  public record Options(int mss, int windowScale, boolean sackPermitted, boolean timestamps) {
    /** {@code "MSS 1460, WS 7, SACK, TS"}. */
    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder();
      if (mss >= 0) sb.append("MSS ").append(mss);
      if (windowScale >= 0) sb.append(sb.length() > 0 ? ", " : "").append("WS ").append(windowScale);
      if (sackPermitted) sb.append(sb.length() > 0 ? ", " : "").append("SACK");
      if (timestamps) sb.append(sb.length() > 0 ? ", " : "").append("TS");
      return sb.length() == 0 ? "no options" : sb.toString();
    }
  }

  /**
   * The handshake: whether the client's SYN was captured, and each SYN's options (null where that
   * SYN was not captured).
   */
  public record Handshake(boolean captured, Options client, Options server) {}

  /**
   * How the connection closed.
   *
   * @param firstBy {@code "client"}, {@code "server"}, {@code "both"} (simultaneous) or null (open
   *     with neither FIN nor RST)
   * @param resetBy the side whose RST ended the connection, or null
   * @param resetState the resetting side's TCP state when it sent the RST, as the capture shows it
   * @param unackedAtResetClient payload bytes the client had sent that the server had not
   *     acknowledged when the RST came (-1 when no RST ended the connection); likewise for the
   *     server
   * @param timeWait the sides that end in TIME-WAIT after a FIN exchange
   */
  public record Close(
      Kind kind,
      String firstBy,
      Side resetBy,
      String resetState,
      long resetPacket,
      long unackedAtResetClient,
      long unackedAtResetServer,
      List<Side> timeWait) {
    public Close {
      checkNotNull(kind);
      timeWait = List.copyOf(timeWait);
    }

    public long unackedAtReset(Side side) {
      return side == Side.CLIENT ? unackedAtResetClient : unackedAtResetServer;
    }
  }

  /**
   * Payload bytes one side sent: {@code sent} counts each byte once, {@code acked} what the other
   * side acknowledged of them, {@code retransmitted} the bytes sent again.
   */
  public record Bytes(long sent, long acked, long retransmitted, long packets) {}

  /**
   * TLS on the connection.
   *
   * @param version {@code "1.2"}, {@code "1.3"}, ... or null when the ServerHello was not seen
   * @param clientCloseNotify whether the client's close_notify was seen before its TCP close: null
   *     when that cannot be told (encrypted, no key log)
   * @param truncated whether a side's stream ended (FIN or RST) without its close_notify delivered
   * @param detail one line on what was seen, for the text report
   */
  public record Tls(
      String version,
      Boolean clientCloseNotify,
      Boolean serverCloseNotify,
      boolean truncated,
      String detail) {
    public Boolean closeNotify(Side side) {
      return side == Side.CLIENT ? clientCloseNotify : serverCloseNotify;
    }
  }
}
