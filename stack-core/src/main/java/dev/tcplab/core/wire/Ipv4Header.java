package dev.tcplab.core.wire;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.net.InetAddresses;
import java.net.Inet4Address;

/**
 * The fields of an IPv4 header (RFC 791 §3.1). The version is always 4; header options, if any were
 * received, are skipped and not kept. Addresses are held as big-endian {@code int}s.
 *
 * @param ihl header length in 32-bit words, 5..15
 * @param tos the type-of-service byte: DSCP in the upper six bits, ECN in the lower two (RFC 2474,
 *     RFC 3168)
 * @param totalLength header plus data, bytes
 * @param dontFragment the DF flag
 * @param moreFragments the MF flag
 * @param fragmentOffset in 8-byte units
 * @param headerChecksum the header checksum as carried (RFC 1071)
 */
public record Ipv4Header(
    int ihl,
    int tos,
    int totalLength,
    int identification,
    boolean dontFragment,
    boolean moreFragments,
    int fragmentOffset,
    int ttl,
    int protocol,
    int headerChecksum,
    int src,
    int dst)
    implements IpHeader {
  /** Length of an IPv4 header without options (RFC 791 §3.1). */
  public static final int MIN_LENGTH = 20;

  public Ipv4Header {
    checkArgument(ihl >= 5 && ihl <= 15, "IHL out of range: %s", ihl);
    checkArgument(tos >= 0 && tos <= 0xff, "TOS out of range: %s", tos);
    checkArgument(
        totalLength >= ihl * 4 && totalLength <= 0xffff,
        "Total length out of range: %s",
        totalLength);
    checkArgument(
        identification >= 0 && identification <= 0xffff,
        "Identification out of range: %s",
        identification);
    checkArgument(
        fragmentOffset >= 0 && fragmentOffset <= 0x1fff,
        "Fragment offset out of range: %s",
        fragmentOffset);
    checkArgument(ttl >= 0 && ttl <= 0xff, "TTL out of range: %s", ttl);
    checkArgument(protocol >= 0 && protocol <= 0xff, "Protocol out of range: %s", protocol);
    checkArgument(
        headerChecksum >= 0 && headerChecksum <= 0xffff,
        "Header checksum out of range: %s",
        headerChecksum);
  }

  /** Always 4. */
  @Override
  public int version() {
    return 4;
  }

  /** The TTL: the IPv4 counterpart of the IPv6 hop limit (RFC 791 §3.1, RFC 8200 §3). */
  @Override
  public int hopLimit() {
    return ttl;
  }

  /** Header length in bytes: {@code ihl * 4}. */
  public int headerLength() {
    return ihl * 4;
  }

  /** Differentiated services code point: the upper six bits of the TOS byte (RFC 2474 §3). */
  public int dscp() {
    return tos >>> 2;
  }

  /** ECN field: the lower two bits of the TOS byte (RFC 3168 §5). */
  public int ecn() {
    return tos & 3;
  }

  /** Payload length: {@code totalLength - headerLength()}. */
  @Override
  public int payloadLength() {
    return totalLength - headerLength();
  }

  /** The source address as an {@link Inet4Address}. */
  @Override
  public Inet4Address srcAddress() {
    return toInetAddress(src);
  }

  /** The destination address as an {@link Inet4Address}. */
  @Override
  public Inet4Address dstAddress() {
    return toInetAddress(dst);
  }

  /** An {@code int} address (big-endian, 10.0.0.1 is 0x0a000001) as an {@link Inet4Address}. */
  public static Inet4Address toInetAddress(int address) {
    return InetAddresses.fromInteger(address);
  }

  /** An {@link Inet4Address} as a big-endian {@code int}. */
  public static int toInt(Inet4Address address) {
    byte[] b = checkNotNull(address).getAddress();
    return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
  }

  /**
   * A dotted-quad literal such as {@code "10.0.0.1"} as an {@code int}; never does a DNS lookup.
   */
  public static int parse(String dottedQuad) {
    checkNotNull(dottedQuad);
    checkArgument(
        InetAddresses.isInetAddress(dottedQuad)
            && InetAddresses.forString(dottedQuad) instanceof Inet4Address,
        "Not an IPv4 address literal: %s",
        dottedQuad);
    return toInt((Inet4Address) InetAddresses.forString(dottedQuad));
  }

  /** Dotted-quad text for an {@code int} address. */
  public static String toString(int address) {
    return (address >>> 24)
        + "."
        + ((address >>> 16) & 0xff)
        + "."
        + ((address >>> 8) & 0xff)
        + "."
        + (address & 0xff);
  }

  /** {@code "10.0.0.1 > 10.0.0.2"}. */
  @Override
  public String toString() {
    return toString(src) + " > " + toString(dst);
  }
}
