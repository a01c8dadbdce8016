package dev.tcplab.core.wire;

/** TCP header control bits (RFC 9293 §3.1, RFC 3168 for ECE/CWR) as an {@code int} bit set. */
public final class TcpFlags {
  private TcpFlags() {}

  public static final int FIN = 0x01;
  public static final int SYN = 0x02;
  public static final int RST = 0x04;
  public static final int PSH = 0x08;
  public static final int ACK = 0x10;
  public static final int URG = 0x20;
  public static final int ECE = 0x40;
  public static final int CWR = 0x80;

  /**
   * The flags in tcpdump/packetdrill notation: {@code S}, {@code F}, {@code R}, {@code P}, {@code .} for
   * ACK, {@code U}, {@code E}, {@code W}; e.g. {@code "S."} for SYN-ACK and {@code "F."} for FIN-ACK.
   */
  public static String toString(int flags) {
    StringBuilder sb = new StringBuilder(8);
    if ((flags & SYN) != 0) sb.append('S');
    if ((flags & FIN) != 0) sb.append('F');
    if ((flags & RST) != 0) sb.append('R');
    if ((flags & PSH) != 0) sb.append('P');
    if ((flags & URG) != 0) sb.append('U');
    if ((flags & ECE) != 0) sb.append('E');
    if ((flags & CWR) != 0) sb.append('W');
    if ((flags & ACK) != 0) sb.append('.');
    return sb.length() == 0 ? "none" : sb.toString();
  }
}
