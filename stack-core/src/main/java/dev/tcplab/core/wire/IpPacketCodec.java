package dev.tcplab.core.wire;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkPositionIndexes;
import static dev.tcplab.core.wire.TcpCodec.putU16;
import static dev.tcplab.core.wire.TcpCodec.putU32;
import static dev.tcplab.core.wire.TcpCodec.u16;
import static dev.tcplab.core.wire.TcpCodec.u32;

import dev.tcplab.core.wire.MalformedPacketException.Problem;

/**
 * Encodes and decodes IPv4 packets carrying TCP (RFC 791 §3.1). Offsets in exceptions are relative
 * to the start of the IP packet, also for problems found in the TCP segment.
 */
public final class IpPacketCodec {
  private static final int FLAG_DF = 0x4000;
  private static final int FLAG_MF = 0x2000;
  private static final int FRAGMENT_OFFSET_MASK = 0x1fff;
  private static final int CHECKSUM_OFFSET = 10;

  private IpPacketCodec() {}

  /**
   * Parses the IPv4 packet in {@code buf[off, off+len)} and the TCP segment it carries, verifying
   * both checksums. Bytes beyond the IP total length are ignored (link-layer padding). The
   * segment's payload is a view of {@code buf}.
   */
  public static IpPacket decodeIpv4(byte[] buf, int off, int len) throws MalformedPacketException {
    checkPositionIndexes(off, off + len, checkNotNull(buf).length);
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
    if (!InternetChecksum.verifies(InternetChecksum.sum(buf, off, headerLength, 0))) {
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
    if (totalLength > len) {
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
        TcpCodec.decodeIpv4(
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
}
