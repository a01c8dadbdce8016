package dev.tcplab.capture;

import dev.tcplab.core.wire.IpHeader;
import dev.tcplab.core.wire.Ipv4Header;
import dev.tcplab.core.wire.Ipv6Header;

/**
 * A connection's two endpoints in a fixed order (the lower address and port first), so that both
 * directions of a connection find the same key.
 */
record FlowKey(int version, long a0, long a1, long b0, long b1, int portA, int portB) {
  static FlowKey of(IpHeader h, int srcPort, int dstPort) {
    long s0;
    long s1;
    long d0;
    long d1;
    if (h instanceof Ipv4Header v4) {
      s0 = 0;
      s1 = v4.src() & 0xffffffffL;
      d0 = 0;
      d1 = v4.dst() & 0xffffffffL;
    } else {
      Ipv6Header v6 = (Ipv6Header) h;
      s0 = high(v6.src(), 0);
      s1 = high(v6.src(), 8);
      d0 = high(v6.dst(), 0);
      d1 = high(v6.dst(), 8);
    }
    return compare(s0, s1, srcPort, d0, d1, dstPort) <= 0
        ? new FlowKey(h.version(), s0, s1, d0, d1, srcPort, dstPort)
        : new FlowKey(h.version(), d0, d1, s0, s1, dstPort, srcPort);
  }

  /** Whether a packet with this source goes from endpoint A to endpoint B. */
  boolean isForward(IpHeader h, int srcPort) {
    if (srcPort != portA) return false;
    if (h instanceof Ipv4Header v4) return (v4.src() & 0xffffffffL) == a1;
    Ipv6Header v6 = (Ipv6Header) h;
    return high(v6.src(), 0) == a0 && high(v6.src(), 8) == a1;
  }

  private static int compare(long x0, long x1, int xp, long y0, long y1, int yp) {
    int c = Long.compareUnsigned(x0, y0);
    if (c == 0) c = Long.compareUnsigned(x1, y1);
    return c != 0 ? c : Integer.compare(xp, yp);
  }

  private static long high(byte[] b, int from) {
    long v = 0;
    for (int i = from; i < from + 8; i++) v = (v << 8) | (b[i] & 0xff);
    return v;
  }
}
