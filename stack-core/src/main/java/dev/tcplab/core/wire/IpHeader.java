package dev.tcplab.core.wire;

import java.net.InetAddress;

/**
 * The fixed header of an IP packet carrying TCP: {@link Ipv4Header} (RFC 791 §3.1) or {@link
 * Ipv6Header} (RFC 8200 §3). Use {@code instanceof} for the version-specific fields.
 */
public sealed interface IpHeader permits Ipv4Header, Ipv6Header {
  /** 4 or 6. */
  int version();

  /** The source address; an {@link java.net.Inet4Address} or {@link java.net.Inet6Address}. */
  InetAddress srcAddress();

  /** The destination address; an {@link java.net.Inet4Address} or {@link java.net.Inet6Address}. */
  InetAddress dstAddress();

  /** The IPv6 hop limit (RFC 8200 §3), or the IPv4 time to live (RFC 791 §3.1): 0..255. */
  int hopLimit();

  /** Bytes after the IP header(s) that belong to this packet: the TCP segment's length. */
  int payloadLength();
}
