package dev.tcplab.core.wire;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkPositionIndexes;
import static dev.tcplab.core.wire.TcpCodec.putU16;
import static dev.tcplab.core.wire.TcpCodec.putU32;
import static dev.tcplab.core.wire.TcpCodec.u16;
import static dev.tcplab.core.wire.TcpCodec.u32;

import com.google.common.net.InetAddresses;
import dev.tcplab.core.wire.MalformedPacketException.Problem;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;

/**
 * Encodes and decodes IPv4 (RFC 791 §3.1) and IPv6 (RFC 8200 §3) packets carrying TCP. Offsets in
 * exceptions are relative to the start of the IP packet, also for problems found in the TCP
 * segment.
 *
 * <p>IPv4 header options are skipped; IPv4 fragments and IPv6 extension headers (RFC 8200 §4),
 * fragments included, are rejected.
 */
public final class IpPacketCodec {
  private static final int FLAG_DF = 0x4000;
  private static final int FLAG_MF = 0x2000;
  private static final int FRAGMENT_OFFSET_MASK = 0x1fff;
  private static final int CHECKSUM_OFFSET = 10;
  private static final int IPV6_PAYLOAD_LENGTH_OFFSET = 4;
  private static final int IPV6_NEXT_HEADER_OFFSET = 6;

  private IpPacketCodec() {}

  // ---------------------------------------------------------------------------------------------
  // Either version

  /**
   * Parses the IP packet in {@code buf[off, off+len)} as IPv4 or IPv6 according to its version
   * nibble (RFC 791 §3.1, RFC 8200 §3: the upper four bits of the first byte), with {@link
   * #decodeIpv4} or {@link #decodeIpv6}.
   */
  public static IpPacket decode(byte[] buf, int off, int len) throws MalformedPacketException {
    checkPositionIndexes(off, off + len, checkNotNull(buf).length);
    if (len == 0) {
      throw new MalformedPacketException(
          Problem.TRUNCATED, 0, "IP packet is empty: there is no version field to read");
    }
    int version = (buf[off] >>> 4) & 0xf;
    switch (version) {
      case 4:
        return decodeIpv4(buf, off, len);
      case 6:
        return decodeIpv6(buf, off, len);
      default:
        throw new MalformedPacketException(
            Problem.BAD_IP_VERSION,
            0,
            String.format("IP version at offset 0 is %d, not 4 or 6", version));
    }
  }

  /**
   * Parses a packet as a capture recorded it: like {@link #decode}, but checksums are not verified
   * (captures taken on the sending host hold packets whose checksum the NIC fills in later) and the
   * packet may be cut short by the capture's snapshot length. The IP header and the fixed 20 bytes
   * of the TCP header must be there; TCP options cut short are left out (those that fit whole are
   * kept), and the segment's payload is only the captured part. {@link
   * CapturedPacket#payloadOnWire()} is the payload length the headers declare.
   */
  public static CapturedPacket decodeCaptured(byte[] buf, int off, int len)
      throws MalformedPacketException {
    checkPositionIndexes(off, off + len, checkNotNull(buf).length);
    int version = len == 0 ? -1 : (buf[off] >>> 4) & 0xf;
    IpPacket packet;
    switch (version) {
      case 4:
        packet = decodeIpv4(buf, off, len, true);
        break;
      case 6:
        packet = decodeIpv6(buf, off, len, true);
        break;
      case -1:
        throw new MalformedPacketException(
            Problem.TRUNCATED, 0, "IP packet is empty: there is no version field to read");
      default:
        throw new MalformedPacketException(
            Problem.BAD_IP_VERSION,
            0,
            String.format("IP version at offset 0 is %d, not 4 or 6", version));
    }
    int ipHeader = packet.header() instanceof Ipv4Header v4 ? v4.headerLength() : Ipv6Header.LENGTH;
    int tcpHeader = TcpCodec.declaredHeaderLength(buf, off + ipHeader);
    return new CapturedPacket(
        packet,
        Math.max(0, packet.header().payloadLength() - tcpHeader),
        tcpHeader > len - ipHeader);
  }

  /**
   * Encodes {@code s} in an IPv4 packet ({@link #encodeIpv4}) when both addresses are {@link
   * Inet4Address}es, or in an IPv6 packet ({@link #encodeIpv6}, flow label 0) when both are {@link
   * Inet6Address}es.
   *
   * @param ttl the IPv4 TTL or IPv6 hop limit, 0..255
   * @param id the IPv4 identification, 0..0xffff. IPv6 has no such field outside the Fragment
   *     header (RFC 8200 §4.5), so for IPv6 it is range-checked but not sent.
   * @throws IllegalArgumentException if one address is IPv4 and the other IPv6
   */
  public static byte[] encode(InetAddress src, InetAddress dst, int ttl, int id, Segment s) {
    checkNotNull(src, "Source address is null");
    checkNotNull(dst, "Destination address is null");
    checkNotNull(s);
    checkArgument(id >= 0 && id <= 0xffff, "Identification out of range: %s", id);
    if (src instanceof Inet4Address src4 && dst instanceof Inet4Address dst4) {
      return encodeIpv4(Ipv4Header.toInt(src4), Ipv4Header.toInt(dst4), ttl, id, s);
    }
    if (src instanceof Inet6Address src6 && dst instanceof Inet6Address dst6) {
      return encodeIpv6(Ipv6Header.toBytes(src6), Ipv6Header.toBytes(dst6), ttl, 0, s);
    }
    throw new IllegalArgumentException(
        String.format(
            "Source and destination must be of the same address family, but source %s is %s and"
                + " destination %s is %s",
            InetAddresses.toAddrString(src),
            family(src),
            InetAddresses.toAddrString(dst),
            family(dst)));
  }

  private static String family(InetAddress a) {
    return a instanceof Inet4Address ? "IPv4" : a instanceof Inet6Address ? "IPv6" : "unknown";
  }

  // ---------------------------------------------------------------------------------------------
  // IPv4

  /**
   * Parses the IPv4 packet in {@code buf[off, off+len)} and the TCP segment it carries, verifying
   * both checksums. Bytes beyond the IP total length are ignored (link-layer padding). The
   * segment's payload is a view of {@code buf}.
   */
  public static IpPacket decodeIpv4(byte[] buf, int off, int len) throws MalformedPacketException {
    checkPositionIndexes(off, off + len, checkNotNull(buf).length);
    return decodeIpv4(buf, off, len, false);
  }

  /** {@code captured}: as {@link #decodeCaptured} (no checksums, payload possibly cut short). */
  private static IpPacket decodeIpv4(byte[] buf, int off, int len, boolean captured)
      throws MalformedPacketException {
    if (len < Ipv4Header.MIN_LENGTH) {
      throw new MalformedPacketException(
          Problem.TRUNCATED,
          len,
          String.format(
              "IPv4 packet is %d bytes long but the fixed IPv4 header needs %d",
              len, Ipv4Header.MIN_LENGTH));
    }
    // RFC 791 §3.1: version in the upper nibble of byte 0, IHL in words in the lower.
    int version = (buf[off] >>> 4) & 0xf;
    if (version != 4) {
      throw new MalformedPacketException(
          Problem.BAD_IP_VERSION, 0, String.format("IP version at offset 0 is %d, not 4", version));
    }
    int ihl = buf[off] & 0xf;
    int headerLength = ihl * 4;
    if (ihl < 5) {
      throw new MalformedPacketException(
          Problem.BAD_IP_HEADER_LENGTH,
          0,
          String.format(
              "IPv4 header length (IHL) at offset 0 is %d words (%d bytes), less than the 5-word"
                  + " (20-byte) minimum",
              ihl, headerLength));
    }
    if (headerLength > len) {
      throw new MalformedPacketException(
          Problem.BAD_IP_HEADER_LENGTH,
          0,
          String.format(
              "IPv4 header length (IHL) at offset 0 is %d words (%d bytes), but only %d bytes were"
                  + " received",
              ihl, headerLength, len));
    }
    // RFC 791 §3.1 / RFC 1071: the header, checksum included, sums to all ones.
    if (!captured && !InternetChecksum.verifies(InternetChecksum.sum(buf, off, headerLength, 0))) {
      int withoutField = InternetChecksum.sum(buf, off, CHECKSUM_OFFSET, 0);
      withoutField =
          InternetChecksum.sum(
              buf, off + CHECKSUM_OFFSET + 2, headerLength - CHECKSUM_OFFSET - 2, withoutField);
      throw new MalformedPacketException(
          Problem.BAD_CHECKSUM,
          CHECKSUM_OFFSET,
          String.format(
              "IPv4 header checksum at offset %d is 0x%04x but the header gives 0x%04x",
              CHECKSUM_OFFSET,
              u16(buf, off + CHECKSUM_OFFSET),
              InternetChecksum.finish(withoutField)));
    }
    int totalLength = u16(buf, off + 2);
    if (totalLength > len && !captured) {
      throw new MalformedPacketException(
          Problem.TRUNCATED,
          len,
          String.format(
              "IPv4 total length at offset 2 is %d bytes but only %d bytes were received",
              totalLength, len));
    }
    if (totalLength < headerLength) {
      throw new MalformedPacketException(
          Problem.BAD_TOTAL_LENGTH,
          2,
          String.format(
              "IPv4 total length at offset 2 is %d bytes, less than the %d-byte header",
              totalLength, headerLength));
    }
    int protocol = buf[off + 9] & 0xff;
    if (protocol != InternetChecksum.PROTOCOL_TCP) {
      throw new MalformedPacketException(
          Problem.NOT_TCP,
          9,
          String.format("IPv4 protocol at offset 9 is %d, not TCP (6)", protocol));
    }
    int flagsAndOffset = u16(buf, off + 6);
    int fragmentOffset = flagsAndOffset & FRAGMENT_OFFSET_MASK;
    boolean moreFragments = (flagsAndOffset & FLAG_MF) != 0;
    if (moreFragments || fragmentOffset != 0) {
      throw new MalformedPacketException(
          Problem.FRAGMENTED,
          6,
          String.format(
              "IPv4 packet is a fragment (MF %d, fragment offset %d bytes), and fragments are not"
                  + " reassembled",
              moreFragments ? 1 : 0, fragmentOffset * 8));
    }
    int src = u32(buf, off + 12);
    int dst = u32(buf, off + 16);
    Ipv4Header header =
        new Ipv4Header(
            ihl,
            buf[off + 1] & 0xff,
            totalLength,
            u16(buf, off + 4),
            (flagsAndOffset & FLAG_DF) != 0,
            false,
            0,
            buf[off + 8] & 0xff,
            protocol,
            u16(buf, off + CHECKSUM_OFFSET),
            src,
            dst);
    Segment segment =
        captured
            ? TcpCodec.decodeCaptured(
                buf, off + headerLength, Math.min(totalLength, len) - headerLength, headerLength)
            : TcpCodec.decodeIpv4(
                buf, off + headerLength, totalLength - headerLength, src, dst, headerLength);
    return new IpPacket(header, segment);
  }

  /**
   * A 20-byte IPv4 header (DF set, TOS 0, no options) followed by {@code s}, both with correct
   * checksums (RFC 791 §3.1).
   */
  public static byte[] encodeIpv4(int src, int dst, int ttl, int identification, Segment s) {
    checkArgument(ttl >= 0 && ttl <= 0xff, "TTL out of range: %s", ttl);
    checkArgument(
        identification >= 0 && identification <= 0xffff,
        "Identification out of range: %s",
        identification);
    int tcpLength = TcpCodec.encodedLength(checkNotNull(s));
    int totalLength = Ipv4Header.MIN_LENGTH + tcpLength;
    checkArgument(totalLength <= 0xffff, "IPv4 packet longer than 65535 bytes: %s", totalLength);
    byte[] b = new byte[totalLength];
    b[0] = 0x45; // version 4, IHL 5
    b[1] = 0; // TOS
    putU16(b, 2, totalLength);
    putU16(b, 4, identification);
    putU16(b, 6, FLAG_DF);
    b[8] = (byte) ttl;
    b[9] = (byte) InternetChecksum.PROTOCOL_TCP;
    putU32(b, 12, src);
    putU32(b, 16, dst);
    putU16(b, CHECKSUM_OFFSET, InternetChecksum.checksum(b, 0, Ipv4Header.MIN_LENGTH));
    TcpCodec.encode(s, b, Ipv4Header.MIN_LENGTH, src, dst);
    return b;
  }

  // ---------------------------------------------------------------------------------------------
  // IPv6

  /**
   * Parses the IPv6 packet in {@code buf[off, off+len)} and the TCP segment it carries, verifying
   * the TCP checksum over the IPv6 pseudo-header (RFC 8200 §8.1; the IPv6 header itself has no
   * checksum). Bytes beyond the payload length are ignored (link-layer padding). Extension headers
   * are not supported: anything but TCP directly after the fixed header is {@link Problem#NOT_TCP}.
   * The segment's payload is a view of {@code buf}.
   */
  public static IpPacket decodeIpv6(byte[] buf, int off, int len) throws MalformedPacketException {
    checkPositionIndexes(off, off + len, checkNotNull(buf).length);
    return decodeIpv6(buf, off, len, false);
  }

  /** {@code captured}: as {@link #decodeCaptured} (no checksum, payload possibly cut short). */
  private static IpPacket decodeIpv6(byte[] buf, int off, int len, boolean captured)
      throws MalformedPacketException {
    if (len < Ipv6Header.LENGTH) {
      throw new MalformedPacketException(
          Problem.TRUNCATED,
          len,
          String.format(
              "IPv6 packet is %d bytes long but the fixed IPv6 header needs %d",
              len, Ipv6Header.LENGTH));
    }
    // RFC 8200 §3: version in the upper nibble of byte 0.
    int version = (buf[off] >>> 4) & 0xf;
    if (version != 6) {
      throw new MalformedPacketException(
          Problem.BAD_IP_VERSION, 0, String.format("IP version at offset 0 is %d, not 6", version));
    }
    // RFC 8200 §3: payload length counts everything after the 40-byte header.
    int payloadLength = u16(buf, off + IPV6_PAYLOAD_LENGTH_OFFSET);
    if (payloadLength > len - Ipv6Header.LENGTH && !captured) {
      throw new MalformedPacketException(
          Problem.TRUNCATED,
          len,
          String.format(
              "IPv6 payload length at offset 4 is %d bytes but only %d bytes follow the %d-byte"
                  + " header",
              payloadLength, len - Ipv6Header.LENGTH, Ipv6Header.LENGTH));
    }
    // RFC 8200 §4: a next header other than TCP would be an extension header or another protocol.
    int nextHeader = buf[off + IPV6_NEXT_HEADER_OFFSET] & 0xff;
    if (nextHeader != InternetChecksum.PROTOCOL_TCP) {
      throw new MalformedPacketException(
          Problem.NOT_TCP, IPV6_NEXT_HEADER_OFFSET, notTcpMessage(nextHeader));
    }
    int trafficClass = ((buf[off] & 0xf) << 4) | ((buf[off + 1] >>> 4) & 0xf);
    int flowLabel = ((buf[off + 1] & 0xf) << 16) | u16(buf, off + 2);
    int hopLimit = buf[off + 7] & 0xff;
    byte[] src = Arrays.copyOfRange(buf, off + 8, off + 24);
    byte[] dst = Arrays.copyOfRange(buf, off + 24, off + 40);
    Segment segment =
        captured
            ? TcpCodec.decodeCaptured(
                buf,
                off + Ipv6Header.LENGTH,
                Math.min(payloadLength, len - Ipv6Header.LENGTH),
                Ipv6Header.LENGTH)
            : TcpCodec.decodeIpv6(
                buf, off + Ipv6Header.LENGTH, payloadLength, src, dst, Ipv6Header.LENGTH);
    Ipv6Header header =
        new Ipv6Header(trafficClass, flowLabel, payloadLength, nextHeader, hopLimit, src, dst);
    return new IpPacket(header, segment);
  }

  private static String notTcpMessage(int nextHeader) {
    String name = nextHeaderName(nextHeader);
    String head =
        String.format(
            "IPv6 next header at offset %d is %d%s, not TCP (6)",
            IPV6_NEXT_HEADER_OFFSET, nextHeader, name == null ? "" : " (" + name + ")");
    return isExtensionHeader(nextHeader)
        ? head + "; IPv6 extension headers are not supported"
        : head;
  }

  // RFC 8200 §4: extension header types, with those registered later (IANA ipv6-parameters).
  private static boolean isExtensionHeader(int nextHeader) {
    switch (nextHeader) {
      case 0: // Hop-by-Hop Options, RFC 8200 §4.3
      case 43: // Routing, RFC 8200 §4.4
      case 44: // Fragment, RFC 8200 §4.5
      case 50: // Encapsulating Security Payload, RFC 4303
      case 51: // Authentication Header, RFC 4302
      case 60: // Destination Options, RFC 8200 §4.6
      case 135: // Mobility, RFC 6275
      case 139: // Host Identity Protocol, RFC 7401
      case 140: // Shim6, RFC 5533
      case 253: // experimentation, RFC 3692
      case 254:
        return true;
      default:
        return false;
    }
  }

  private static String nextHeaderName(int nextHeader) {
    switch (nextHeader) {
      case 0:
        return "Hop-by-Hop Options";
      case 1:
        return "ICMP";
      case 17:
        return "UDP";
      case 41:
        return "IPv6 encapsulation";
      case 43:
        return "Routing";
      case 44:
        return "Fragment";
      case 50:
        return "Encapsulating Security Payload";
      case 51:
        return "Authentication Header";
      case 58:
        return "ICMPv6";
      case 59:
        return "No Next Header";
      case 60:
        return "Destination Options";
      case 135:
        return "Mobility";
      case 139:
        return "Host Identity Protocol";
      case 140:
        return "Shim6";
      case 253:
      case 254:
        return "experimental";
      default:
        return null;
    }
  }

  /**
   * A 40-byte IPv6 header (traffic class 0, next header TCP, no extension headers) followed by
   * {@code s} with its checksum over the IPv6 pseudo-header (RFC 8200 §3, §8.1).
   *
   * @param flowLabel 0..0xfffff; 0 leaves the packet unlabelled (RFC 6437 §2)
   */
  public static byte[] encodeIpv6(
      byte[] src16, byte[] dst16, int hopLimit, int flowLabel, Segment s) {
    checkNotNull(src16, "Source address is null");
    checkNotNull(dst16, "Destination address is null");
    checkArgument(
        src16.length == Ipv6Header.ADDRESS_LENGTH,
        "IPv6 source address must be 16 bytes: %s",
        src16.length);
    checkArgument(
        dst16.length == Ipv6Header.ADDRESS_LENGTH,
        "IPv6 destination address must be 16 bytes: %s",
        dst16.length);
    checkArgument(hopLimit >= 0 && hopLimit <= 0xff, "Hop limit out of range: %s", hopLimit);
    checkArgument(
        flowLabel >= 0 && flowLabel <= Ipv6Header.MAX_FLOW_LABEL,
        "Flow label out of range: %s",
        flowLabel);
    int tcpLength = TcpCodec.encodedLength(checkNotNull(s));
    // RFC 8200 §3: a 16-bit payload length; jumbograms (RFC 2675) are not supported.
    checkArgument(tcpLength <= 0xffff, "IPv6 payload longer than 65535 bytes: %s", tcpLength);
    byte[] b = new byte[Ipv6Header.LENGTH + tcpLength];
    putU32(b, 0, (6 << 28) | flowLabel); // version 6, traffic class 0, flow label
    putU16(b, IPV6_PAYLOAD_LENGTH_OFFSET, tcpLength);
    b[IPV6_NEXT_HEADER_OFFSET] = (byte) InternetChecksum.PROTOCOL_TCP;
    b[7] = (byte) hopLimit;
    System.arraycopy(src16, 0, b, 8, Ipv6Header.ADDRESS_LENGTH);
    System.arraycopy(dst16, 0, b, 24, Ipv6Header.ADDRESS_LENGTH);
    TcpCodec.encode(s, b, Ipv6Header.LENGTH, src16, dst16);
    return b;
  }
}
