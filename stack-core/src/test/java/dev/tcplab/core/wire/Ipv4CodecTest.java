package dev.tcplab.core.wire;

import static dev.tcplab.core.wire.TcpCodecTest.concat;
import static dev.tcplab.core.wire.TcpCodecTest.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.tcplab.core.wire.MalformedPacketException.Problem;
import java.net.Inet4Address;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class Ipv4CodecTest {
  static final int SRC = TcpCodecTest.SRC;
  static final int DST = TcpCodecTest.DST;

  /**
   * The IPv4 header for {@link TcpCodecTest#LINUX_SYN}: total length 60, id 0x1c46, DF, TTL 64,
   * TCP. The header checksum 0x0a74 was computed separately (Python), not by this codebase.
   */
  static final byte[] SYN_IP_HEADER = hex("4500 003c 1c46 4000 4006 0a74 0a000001 0a000002");

  static MalformedPacketException malformed(ThrowingCallable call) {
    return TcpCodecTest.malformed(call);
  }

  /** The header of a packet that must be IPv4. */
  static Ipv4Header header4(IpPacket packet) {
    assertThat(packet.header()).isInstanceOf(Ipv4Header.class);
    return (Ipv4Header) packet.header();
  }

  static byte[] packet(Segment s) {
    return IpPacketCodec.encodeIpv4(SRC, DST, 64, 0x1c46, s);
  }

  /** Recomputes the header checksum after a test changed a header field (RFC 791 §3.1). */
  static byte[] fixHeaderChecksum(byte[] p) {
    int ihl = (p[0] & 0xf) * 4;
    p[10] = 0;
    p[11] = 0;
    TcpCodec.putU16(p, 10, InternetChecksum.checksum(p, 0, Math.min(ihl, p.length)));
    return p;
  }

  @Test
  void encodesHandBuiltSynPacket() {
    byte[] p = packet(TcpCodecTest.linuxSyn());
    assertThat(p).isEqualTo(concat(SYN_IP_HEADER, TcpCodecTest.LINUX_SYN));
    assertThat(InternetChecksum.checksum(p, 0, 20)).isZero();
  }

  @Test
  void roundTrip() throws MalformedPacketException {
    Segment s = TcpCodecTest.base().payload(hex("0102030405060708090a")).build();
    byte[] p = IpPacketCodec.encodeIpv4(SRC, DST, 255, 0xbeef, s);
    IpPacket packet = IpPacketCodec.decodeIpv4(p, 0, p.length);

    Ipv4Header h = header4(packet);
    assertThat(h.version()).isEqualTo(4);
    assertThat(h.ihl()).isEqualTo(5);
    assertThat(h.headerLength()).isEqualTo(20);
    assertThat(h.tos()).isZero();
    assertThat(h.totalLength()).isEqualTo(20 + 20 + 10).isEqualTo(p.length);
    assertThat(h.payloadLength()).isEqualTo(30);
    assertThat(h.identification()).isEqualTo(0xbeef);
    assertThat(h.dontFragment()).isTrue();
    assertThat(h.moreFragments()).isFalse();
    assertThat(h.fragmentOffset()).isZero();
    assertThat(h.ttl()).isEqualTo(255);
    assertThat(h.protocol()).isEqualTo(6);
    assertThat(h.headerChecksum()).isEqualTo(TcpCodec.u16(p, 10));
    assertThat(h.src()).isEqualTo(SRC);
    assertThat(h.dst()).isEqualTo(DST);
    assertThat(packet.segment()).isEqualTo(s);
    assertThat(packet.segment().payloadArray()).isSameAs(p);
    assertThat(packet.toString()).startsWith("10.0.0.1 > 10.0.0.2: 1000 > 80");
  }

  @Test
  void linkPaddingBeyondTotalLengthIsIgnored() throws MalformedPacketException {
    Segment s = TcpCodecTest.base().build(); // 40-byte packet, Ethernet pads frames to 46 bytes
    byte[] p = concat(packet(s), hex("000000000000"));
    IpPacket packet = IpPacketCodec.decodeIpv4(p, 0, p.length);
    assertThat(header4(packet).totalLength()).isEqualTo(40);
    assertThat(packet.segment().payloadLength()).isZero();
    assertThat(packet.segment()).isEqualTo(s);
  }

  @Test
  void ipOptionsAreSkipped() throws MalformedPacketException {
    Segment s = TcpCodecTest.linuxSyn();
    byte[] plain = packet(s);
    // IHL 6: four bytes of IP options (NOP, NOP, NOP, EOL; RFC 791 §3.1) before the TCP header.
    byte[] p =
        concat(
            Arrays.copyOfRange(plain, 0, 20),
            hex("01010100"),
            Arrays.copyOfRange(plain, 20, plain.length));
    p[0] = 0x46;
    TcpCodec.putU16(p, 2, p.length);
    fixHeaderChecksum(p);
    IpPacket packet = IpPacketCodec.decodeIpv4(p, 0, p.length);
    assertThat(header4(packet).ihl()).isEqualTo(6);
    assertThat(packet.segment()).isEqualTo(s);
  }

  @Test
  void decodesAtAnOffsetInALargerBuffer() throws MalformedPacketException {
    Segment s = TcpCodecTest.base().payload(hex("aabbcc")).build();
    byte[] p = packet(s);
    byte[] frame = concat(new byte[14], p); // behind an Ethernet header
    IpPacket packet = IpPacketCodec.decodeIpv4(frame, 14, p.length);
    assertThat(packet.segment()).isEqualTo(s);
    assertThat(packet.segment().payloadOffset()).isEqualTo(14 + 40);
  }

  @Test
  void headerChecksumOfTheClassicExample() {
    // The widely used worked example (UDP, 192.168.0.1 > 192.168.0.199) has checksum 0xb861.
    byte[] h = hex("4500 0073 0000 4000 4011 0000 c0a80001 c0a800c7");
    assertThat(InternetChecksum.checksum(h, 0, 20)).isEqualTo(0xb861);
    TcpCodec.putU16(h, 10, 0xb861);
    assertThat(InternetChecksum.checksum(h, 0, 20)).isZero();
    // A valid header whose protocol is UDP is rejected as not TCP.
    byte[] p = concat(h, new byte[0x73 - 20]);
    MalformedPacketException e = malformed(() -> IpPacketCodec.decodeIpv4(p, 0, p.length));
    assertThat(e.problem()).isEqualTo(Problem.NOT_TCP);
    assertThat(e.offset()).isEqualTo(9);
    assertThat(e.getMessage()).isEqualTo("IPv4 protocol at offset 9 is 17, not TCP (6)");
  }

  @Test
  void headerAddressHelpers() throws Exception {
    Inet4Address a = Ipv4Header.toInetAddress(0x0a000001);
    assertThat(a.getHostAddress()).isEqualTo("10.0.0.1");
    assertThat(Ipv4Header.toInt(a)).isEqualTo(0x0a000001);
    assertThat(Ipv4Header.toInt((Inet4Address) Inet4Address.getByName("192.168.255.254")))
        .isEqualTo(0xc0a8fffe);
    assertThat(Ipv4Header.parse("255.255.255.255")).isEqualTo(-1);
    assertThat(Ipv4Header.toString(0xc0a8fffe)).isEqualTo("192.168.255.254");
    assertThatThrownBy(() -> Ipv4Header.parse("example.com"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Ipv4Header.parse("::1")).isInstanceOf(IllegalArgumentException.class);

    Ipv4Header h = new Ipv4Header(5, 0xb9, 40, 1, true, false, 0, 64, 6, 0, SRC, DST);
    assertThat(h).hasToString("10.0.0.1 > 10.0.0.2");
    assertThat(h.srcAddress().getHostAddress()).isEqualTo("10.0.0.1");
    assertThat(h.dstAddress().getHostAddress()).isEqualTo("10.0.0.2");
    assertThat(h.dscp()).isEqualTo(46); // EF
    assertThat(h.ecn()).isEqualTo(1);
    assertThatThrownBy(() -> new Ipv4Header(4, 0, 40, 1, true, false, 0, 64, 6, 0, SRC, DST))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Ipv4Header(5, 0, 19, 1, true, false, 0, 64, 6, 0, SRC, DST))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Ipv4Header(5, 0, 40, 1, true, false, 0, 256, 6, 0, SRC, DST))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void encodeRejectsBadArguments() {
    Segment s = TcpCodecTest.base().build();
    assertThatThrownBy(() -> IpPacketCodec.encodeIpv4(SRC, DST, 256, 1, s))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> IpPacketCodec.encodeIpv4(SRC, DST, 64, 0x10000, s))
        .isInstanceOf(IllegalArgumentException.class);
    Segment huge = TcpCodecTest.base().payload(new byte[65535 - 40 + 1]).build();
    assertThatThrownBy(() -> IpPacketCodec.encodeIpv4(SRC, DST, 64, 1, huge))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // ---------------------------------------------------------------------------------------------
  // Malformed packets

  @Test
  void shorterThanFixedHeader() {
    byte[] p = packet(TcpCodecTest.base().build());
    MalformedPacketException e = malformed(() -> IpPacketCodec.decodeIpv4(p, 0, 19));
    assertThat(e.problem()).isEqualTo(Problem.TRUNCATED);
    assertThat(e.offset()).isEqualTo(19);
    assertThat(e.getMessage())
        .isEqualTo("IPv4 packet is 19 bytes long but the fixed IPv4 header needs 20");
  }

  @Test
  void wrongVersion() {
    byte[] p = packet(TcpCodecTest.base().build());
    p[0] = 0x65;
    MalformedPacketException e = malformed(() -> IpPacketCodec.decodeIpv4(p, 0, p.length));
    assertThat(e.problem()).isEqualTo(Problem.BAD_IP_VERSION);
    assertThat(e.offset()).isZero();
    assertThat(e.getMessage()).isEqualTo("IP version at offset 0 is 6, not 4");
  }

  @Test
  void headerLengthBelowFive() {
    byte[] p = packet(TcpCodecTest.base().build());
    p[0] = 0x44;
    MalformedPacketException e = malformed(() -> IpPacketCodec.decodeIpv4(p, 0, p.length));
    assertThat(e.problem()).isEqualTo(Problem.BAD_IP_HEADER_LENGTH);
    assertThat(e.offset()).isZero();
    assertThat(e.getMessage()).contains("4 words (16 bytes)").contains("minimum");
  }

  @Test
  void headerLengthPastTheReceivedBytes() {
    byte[] p = packet(TcpCodecTest.base().build()); // 40 bytes
    p[0] = 0x4f; // 60-byte header
    MalformedPacketException e = malformed(() -> IpPacketCodec.decodeIpv4(p, 0, p.length));
    assertThat(e.problem()).isEqualTo(Problem.BAD_IP_HEADER_LENGTH);
    assertThat(e.getMessage()).contains("15 words (60 bytes)").contains("only 40 bytes");
  }

  @Test
  void badHeaderChecksum() {
    byte[] p = packet(TcpCodecTest.linuxSyn());
    p[8] = 63; // TTL changed without updating the checksum
    MalformedPacketException e = malformed(() -> IpPacketCodec.decodeIpv4(p, 0, p.length));
    assertThat(e.problem()).isEqualTo(Problem.BAD_CHECKSUM);
    assertThat(e.offset()).isEqualTo(10);
    // 0x0a74 + 0x0100 = 0x0b74 for TTL 63 instead of 64.
    assertThat(e.getMessage())
        .isEqualTo("IPv4 header checksum at offset 10 is 0x0a74 but the header gives 0x0b74");
  }

  @Test
  void totalLengthBeyondReceivedBytes() {
    byte[] p = packet(TcpCodecTest.base().payload(new byte[10]).build());
    MalformedPacketException e = malformed(() -> IpPacketCodec.decodeIpv4(p, 0, p.length - 1));
    assertThat(e.problem()).isEqualTo(Problem.TRUNCATED);
    assertThat(e.offset()).isEqualTo(p.length - 1);
    assertThat(e.getMessage())
        .isEqualTo("IPv4 total length at offset 2 is 50 bytes but only 49 bytes were received");
  }

  @Test
  void totalLengthSmallerThanHeader() {
    byte[] p = packet(TcpCodecTest.base().build());
    TcpCodec.putU16(p, 2, 19);
    fixHeaderChecksum(p);
    MalformedPacketException e = malformed(() -> IpPacketCodec.decodeIpv4(p, 0, p.length));
    assertThat(e.problem()).isEqualTo(Problem.BAD_TOTAL_LENGTH);
    assertThat(e.offset()).isEqualTo(2);
    assertThat(e.getMessage()).contains("19 bytes, less than the 20-byte header");
  }

  @Test
  void notTcp() {
    byte[] p = packet(TcpCodecTest.base().build());
    p[9] = 1; // ICMP
    fixHeaderChecksum(p);
    MalformedPacketException e = malformed(() -> IpPacketCodec.decodeIpv4(p, 0, p.length));
    assertThat(e.problem()).isEqualTo(Problem.NOT_TCP);
    assertThat(e.offset()).isEqualTo(9);
  }

  @Test
  void fragments() {
    byte[] first = packet(TcpCodecTest.base().build());
    TcpCodec.putU16(first, 6, 0x2000); // MF, offset 0
    fixHeaderChecksum(first);
    MalformedPacketException e = malformed(() -> IpPacketCodec.decodeIpv4(first, 0, first.length));
    assertThat(e.problem()).isEqualTo(Problem.FRAGMENTED);
    assertThat(e.offset()).isEqualTo(6);
    assertThat(e.getMessage()).contains("MF 1, fragment offset 0 bytes");

    byte[] last = packet(TcpCodecTest.base().build());
    TcpCodec.putU16(last, 6, 0x00b9); // no MF, offset 185 * 8 = 1480 bytes
    fixHeaderChecksum(last);
    e = malformed(() -> IpPacketCodec.decodeIpv4(last, 0, last.length));
    assertThat(e.problem()).isEqualTo(Problem.FRAGMENTED);
    assertThat(e.getMessage()).contains("MF 0, fragment offset 1480 bytes");
  }

  @Test
  void tcpProblemsAreReportedAtOffsetsFromTheIpPacketStart() {
    byte[] p = packet(TcpCodecTest.linuxSyn());
    p[20 + 17] ^= 1; // low byte of the TCP checksum
    MalformedPacketException e = malformed(() -> IpPacketCodec.decodeIpv4(p, 0, p.length));
    assertThat(e.problem()).isEqualTo(Problem.BAD_CHECKSUM);
    assertThat(e.offset()).isEqualTo(36);
    assertThat(e.getMessage()).startsWith("TCP checksum at offset 36 is 0x199c");

    // Also from inside a larger buffer: offsets stay relative to the IP packet.
    byte[] q = packet(TcpCodecTest.base().options(new TcpOption.Mss(1460)).build());
    q[20 + 21] = 3; // MSS length 3 (fits the option space, wrong for MSS)
    byte[] frame = concat(new byte[14], q);
    e = malformed(() -> IpPacketCodec.decodeIpv4(frame, 14, q.length));
    assertThat(e.problem())
        .isEqualTo(Problem.BAD_CHECKSUM); // the length byte is under the checksum
    // With a fixed-up TCP checksum the option error itself shows, at IP offset 40.
    int sum = InternetChecksum.pseudoHeaderIpv4(SRC, DST, 6, q.length - 20);
    TcpCodec.putU16(q, 36, 0);
    TcpCodec.putU16(
        q, 36, InternetChecksum.finish(InternetChecksum.sum(q, 20, q.length - 20, sum)));
    byte[] frame2 = concat(new byte[14], q);
    e = malformed(() -> IpPacketCodec.decodeIpv4(frame2, 14, q.length));
    assertThat(e.problem()).isEqualTo(Problem.BAD_OPTION_LENGTH);
    assertThat(e.offset()).isEqualTo(40);
    assertThat(e.getMessage()).contains("at offset 40");

    // A TCP segment shorter than its fixed header, inside a valid IP packet.
    byte[] r = Arrays.copyOf(packet(TcpCodecTest.base().build()), 30);
    TcpCodec.putU16(r, 2, 30);
    fixHeaderChecksum(r);
    e = malformed(() -> IpPacketCodec.decodeIpv4(r, 0, r.length));
    assertThat(e.problem()).isEqualTo(Problem.TRUNCATED);
    assertThat(e.offset()).isEqualTo(30);
  }

  @Test
  void fuzzedPacketsDecodeOrFailCleanly() {
    byte[][] seeds = {
      packet(TcpCodecTest.linuxSyn()),
      packet(TcpCodecTest.base().payload(new byte[100]).build()),
      packet(TcpCodecTest.base().options(new TcpOption.Timestamps(1, 2)).build()),
    };
    Random rnd = new Random(791);
    int decoded = 0;
    int rejected = 0;
    for (int i = 0; i < 10_000; i++) {
      byte[] p = seeds[rnd.nextInt(seeds.length)].clone();
      int mutations = rnd.nextInt(3);
      for (int m = 0; m < mutations; m++) {
        p[rnd.nextInt(p.length)] = (byte) rnd.nextInt(256);
      }
      if (rnd.nextBoolean()) fixHeaderChecksum(p); // let header mutations reach the later checks
      if (rnd.nextInt(3) == 0) { // and sometimes the TCP checksum too
        int ihl = (p[0] & 0xf) * 4;
        int total = TcpCodec.u16(p, 2);
        if (ihl >= 20 && ihl + 18 <= total && total <= p.length) {
          TcpCodec.putU16(p, ihl + 16, 0);
          int pseudo =
              InternetChecksum.pseudoHeaderIpv4(
                  TcpCodec.u32(p, 12), TcpCodec.u32(p, 16), 6, total - ihl);
          TcpCodec.putU16(
              p,
              ihl + 16,
              InternetChecksum.finish(InternetChecksum.sum(p, ihl, total - ihl, pseudo)));
        }
      }
      int len = rnd.nextInt(5) == 0 ? rnd.nextInt(p.length + 1) : p.length;
      try {
        IpPacket packet = IpPacketCodec.decodeIpv4(p, 0, len);
        decoded++;
        assertThat(header4(packet).totalLength()).isLessThanOrEqualTo(len);
      } catch (MalformedPacketException e) {
        rejected++;
        assertThat(e.offset()).isBetween(0, len);
      } catch (RuntimeException e) {
        fail("iteration " + i + ": " + HexFormat.of().formatHex(p, 0, len), e);
      }
    }
    assertThat(decoded).isGreaterThan(500);
    assertThat(rejected).isGreaterThan(500);
  }
}
