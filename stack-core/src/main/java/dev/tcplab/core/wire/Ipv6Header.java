package dev.tcplab.core.wire;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.net.InetAddresses;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * The fields of the fixed IPv6 header (RFC 8200 §3). The version is always 6. Extension headers are
 * not supported, so {@link #nextHeader()} of a decoded packet is always TCP (6).
 *
 * <p>Addresses are held as 16-byte arrays in network order. The record copies them on the way in
 * and out, and {@link #equals}/{@link #hashCode} compare their contents.
 *
 * @param trafficClass the traffic class byte: DSCP in the upper six bits, ECN in the lower two (RFC
 *     8200 §7, RFC 2474, RFC 3168)
 * @param flowLabel the 20-bit flow label, 0 when the packet is unlabelled (RFC 8200 §6, RFC 6437)
 * @param payloadLength bytes after this 40-byte header (RFC 8200 §3)
 * @param nextHeader the protocol of what follows the header (RFC 8200 §3; TCP is 6)
 * @param hopLimit decremented by each forwarding node (RFC 8200 §3)
 * @param src the source address, 16 bytes
 * @param dst the destination address, 16 bytes
 */
public record Ipv6Header(
    int trafficClass,
    int flowLabel,
    int payloadLength,
    int nextHeader,
    int hopLimit,
    byte[] src,
    byte[] dst)
    implements IpHeader {
  /** Length of the fixed IPv6 header (RFC 8200 §3). */
  public static final int LENGTH = 40;

  /** Length of an IPv6 address in bytes (RFC 4291 §2). */
  public static final int ADDRESS_LENGTH = 16;

  /** Largest flow label: 20 bits (RFC 8200 §3). */
  public static final int MAX_FLOW_LABEL = 0xfffff;

  public Ipv6Header {
    checkArgument(
        trafficClass >= 0 && trafficClass <= 0xff, "Traffic class out of range: %s", trafficClass);
    checkArgument(
        flowLabel >= 0 && flowLabel <= MAX_FLOW_LABEL, "Flow label out of range: %s", flowLabel);
    checkArgument(
        payloadLength >= 0 && payloadLength <= 0xffff,
        "Payload length out of range: %s",
        payloadLength);
    checkArgument(
        nextHeader >= 0 && nextHeader <= 0xff, "Next header out of range: %s", nextHeader);
    checkArgument(hopLimit >= 0 && hopLimit <= 0xff, "Hop limit out of range: %s", hopLimit);
    src = checkAddress(src, "Source");
    dst = checkAddress(dst, "Destination");
  }

  private static byte[] checkAddress(byte[] address, String which) {
    checkNotNull(address, "%s address is null", which);
    checkArgument(
        address.length == ADDRESS_LENGTH, "%s address must be 16 bytes: %s", which, address.length);
    return address.clone();
  }

  /** Always 6. */
  @Override
  public int version() {
    return 6;
  }

  /** A copy of the 16-byte source address. */
  @Override
  public byte[] src() {
    return src.clone();
  }

  /** A copy of the 16-byte destination address. */
  @Override
  public byte[] dst() {
    return dst.clone();
  }

  /** Differentiated services code point: the upper six bits of the traffic class (RFC 2474 §3). */
  public int dscp() {
    return trafficClass >>> 2;
  }

  /** ECN field: the lower two bits of the traffic class (RFC 3168 §5). */
  public int ecn() {
    return trafficClass & 3;
  }

  /** The source address as an {@link Inet6Address}. */
  @Override
  public Inet6Address srcAddress() {
    return toInetAddress(src);
  }

  /** The destination address as an {@link Inet6Address}. */
  @Override
  public Inet6Address dstAddress() {
    return toInetAddress(dst);
  }

  /**
   * 16 address bytes as an {@link Inet6Address}, without a scope and without any DNS lookup. Unlike
   * {@link InetAddress#getByAddress(byte[])}, an IPv4-mapped address ({@code ::ffff:a.b.c.d}, RFC
   * 4291 §2.5.5.2) stays an {@link Inet6Address}.
   */
  public static Inet6Address toInetAddress(byte[] address16) {
    checkNotNull(address16);
    checkArgument(
        address16.length == ADDRESS_LENGTH, "IPv6 address must be 16 bytes: %s", address16.length);
    try {
      return Inet6Address.getByAddress(null, address16, -1);
    } catch (UnknownHostException e) {
      throw new AssertionError("16-byte address rejected", e); // only thrown for a wrong length
    }
  }

  /** The 16 bytes of an {@link Inet6Address}, in network order (a new array). */
  public static byte[] toBytes(Inet6Address address) {
    return checkNotNull(address).getAddress();
  }

  /**
   * An IPv6 literal such as {@code "2001:db8::1"} as 16 bytes; never does a DNS lookup. IPv4-mapped
   * literals ({@code "::ffff:10.0.0.1"}) are accepted and kept as 16 bytes; IPv4 literals and host
   * names are rejected.
   */
  public static byte[] parse(String literal) {
    checkNotNull(literal);
    checkArgument(
        literal.indexOf(':') >= 0 && InetAddresses.isInetAddress(literal),
        "Not an IPv6 address literal: %s",
        literal);
    InetAddress a = InetAddresses.forString(literal);
    if (a instanceof Inet4Address) { // Guava turns ::ffff:a.b.c.d into an Inet4Address
      byte[] mapped = new byte[ADDRESS_LENGTH];
      mapped[10] = (byte) 0xff;
      mapped[11] = (byte) 0xff;
      System.arraycopy(a.getAddress(), 0, mapped, 12, 4);
      return mapped;
    }
    return a.getAddress();
  }

  /** The compressed text form of 16 address bytes, {@code "2001:db8::1"} (RFC 5952 §4). */
  public static String toString(byte[] address16) {
    return InetAddresses.toAddrString(toInetAddress(address16));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Ipv6Header h
        && trafficClass == h.trafficClass
        && flowLabel == h.flowLabel
        && payloadLength == h.payloadLength
        && nextHeader == h.nextHeader
        && hopLimit == h.hopLimit
        && Arrays.equals(src, h.src)
        && Arrays.equals(dst, h.dst);
  }

  @Override
  public int hashCode() {
    int h = trafficClass;
    h = 31 * h + flowLabel;
    h = 31 * h + payloadLength;
    h = 31 * h + nextHeader;
    h = 31 * h + hopLimit;
    h = 31 * h + Arrays.hashCode(src);
    h = 31 * h + Arrays.hashCode(dst);
    return h;
  }

  /** {@code "2001:db8::1 > 2001:db8::2"}. */
  @Override
  public String toString() {
    return toString(src) + " > " + toString(dst);
  }
}
