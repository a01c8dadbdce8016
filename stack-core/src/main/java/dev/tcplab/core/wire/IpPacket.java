package dev.tcplab.core.wire;

import static com.google.common.base.Preconditions.checkNotNull;

/**
 * A decoded IP packet carrying one TCP segment. The header is an {@link Ipv4Header} or an {@link
 * Ipv6Header}; {@link IpHeader} has the accessors they share.
 */
public record IpPacket(IpHeader header, Segment segment) {
  public IpPacket {
    checkNotNull(header);
    checkNotNull(segment);
  }

  /** 4 or 6. */
  public int version() {
    return header.version();
  }

  /** {@code "10.0.0.1 > 10.0.0.2: 1000 > 80 S seq ..."}. */
  @Override
  public String toString() {
    return header + ": " + segment;
  }
}
