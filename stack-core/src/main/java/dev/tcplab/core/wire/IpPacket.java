package dev.tcplab.core.wire;

import static com.google.common.base.Preconditions.checkNotNull;

/** A decoded IPv4 packet carrying one TCP segment. */
public record IpPacket(Ipv4Header header, Segment segment) {
  public IpPacket {
    checkNotNull(header);
    checkNotNull(segment);
  }

  /** {@code "10.0.0.1 > 10.0.0.2: 1000 > 80 S seq ..."}. */
  @Override
  public String toString() {
    return header + ": " + segment;
  }
}
