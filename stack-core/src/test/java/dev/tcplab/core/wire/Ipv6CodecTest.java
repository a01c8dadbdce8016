package dev.tcplab.core.wire;

import static dev.tcplab.core.wire.TcpCodecTest.concat;
import static dev.tcplab.core.wire.TcpCodecTest.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.google.common.net.InetAddresses;
import dev.tcplab.core.wire.MalformedPacketException.Problem;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class Ipv6CodecTest {
  static final byte[] SRC = hex("20010db8000000000000000000000001"); // 2001:db8::1
  static final byte[] DST = hex("20010db8000000000000000000000002"); // 2001:db8::2
  static final int FLOW = 0x12345;

  /**
   * {@link TcpCodecTest#LINUX_SYN} sent 2001:db8::1 > 2001:db8::2 with traffic class 0, flow label
   * 0x12345, payload length 40, next header TCP, hop limit 64 (RFC 8200 §3).
   */
  static final byte[] SYN_IPV6_HEADER =
      hex(
          "6001 2345 0028 0640"
              + " 20010db8000000000000000000000001"
              + " 20010db8000000000000000000000002");

  /**
   * The same TCP bytes as {@link TcpCodecTest#LINUX_SYN} but for the checksum, 0xd22a over the IPv6
   * pseudo-header (RFC 8200 §8.1). Computed separately (a Python RFC 1071 implementation that also
   * reproduces the IPv4 value 0x199d), not by this codebase.
   */
  static final byte[] SYN_TCP_OVER_IPV6 =
      hex(
          "d431 0050 1234 5678 0000 0000 a002 faf0 d22a 0000"
              + " 0204 05b4 0402 080a 0001 e240 0000 0000 0103 0307");

  static MalformedPacketException malformed(ThrowingCallable call) {
    return TcpCodecTest.malformed(call);
  }

  static byte[] packet(Segment s) {
    return IpPacketCodec.encodeIpv6(SRC, DST, 64, FLOW, s);
  }

  /** The header of a packet that must be IPv6. */
  static Ipv6Header header6(IpPacket packet) {
    assertThat(packet.header()).isInstanceOf(Ipv6Header.class);
    return (Ipv6Header) packet.header();
  }

  /** A segment using every option kind the codec knows, plus an unknown one: 40 option bytes. */
  static Segment withAllOptions(byte[] payload) {
    return TcpCodecTest.base()
        .options(
            new TcpOption.Mss(1440),
            new TcpOption.WindowScale(7),
            TcpOption.Nop.INSTANCE,
            new TcpOption.Timestamps(0xdeadbeef, 7),
            new TcpOption.Sack(
                List.of(new TcpOption.Block(100, 200), new TcpOption.Block(0xfffffff0, 5))),
            new TcpOption.Unknown(254, hex("abcd")))
        .payload(payload)
        .build();
  }

  /**
   * Recomputes the TCP checksum after a test changed bytes under it, over the pseudo-header built
   * from the packet's own addresses and payload length (RFC 8200 §8.1).
   */
  static byte[] fixTcpChecksum(byte[] p) {
    int length = TcpCodec.u16(p, 4);
    TcpCodec.putU16(p, 40 + 16, 0);
    int pseudo =
        InternetChecksum.pseudoHeaderIpv6(
            Arrays.copyOfRange(p, 8, 24), Arrays.copyOfRange(p, 24, 40), 6, length);
    TcpCodec.putU16(
        p, 40 + 16, InternetChecksum.finish(InternetChecksum.sum(p, 40, length, pseudo)));
    return p;
  }

  /**
   * The IPv6 pseudo-header written out byte by byte (RFC 8200 §8.1): source, destination, 32-bit
   * upper-layer length, three zero bytes, next header.
   */
  static byte[] pseudoHeaderBytes(byte[] src, byte[] dst, int length) {
    byte[] tail = new byte[8];
    TcpCodec.putU32(tail, 0, length);
    tail[7] = 6;
    return concat(src, dst, tail);
  }

  // ---------------------------------------------------------------------------------------------
  // Encoding and decoding

  @Test
  void encodesHandBuiltSynPacket() throws MalformedPacketException {
    byte[] p = packet(TcpCodecTest.linuxSyn());
    assertThat(p).isEqualTo(concat(SYN_IPV6_HEADER, SYN_TCP_OVER_IPV6));

    byte[] known = concat(SYN_IPV6_HEADER, SYN_TCP_OVER_IPV6);
    IpPacket packet = IpPacketCodec.decodeIpv6(known, 0, known.length);
    assertThat(packet.segment()).isEqualTo(TcpCodecTest.linuxSyn());
    Ipv6Header h = header6(packet);
    assertThat(h.flowLabel()).isEqualTo(FLOW);
    assertThat(h.hopLimit()).isEqualTo(64);
    assertThat(h.payloadLength()).isEqualTo(40);
  }

  @Test
  void roundTripWithOptionsAndPayload() throws MalformedPacketException {
    byte[] payload = new byte[1000];
    new Random(8200).nextBytes(payload);
    Segment s = withAllOptions(payload);
    assertThat(TcpCodec.headerLength(s)).isEqualTo(60);
    byte[] p = IpPacketCodec.encodeIpv6(SRC, DST, 255, 0xfffff, s);
    assertThat(p).hasSize(40 + 60 + 1000);

    IpPacket packet = IpPacketCodec.decodeIpv6(p, 0, p.length);
    assertThat(packet.segment()).isEqualTo(s);
    assertThat(packet.segment().payloadArray()).isSameAs(p);
    assertThat(packet.segment().payloadOffset()).isEqualTo(100);
    assertThat(packet.version()).isEqualTo(6);

    Ipv6Header h = header6(packet);
    assertThat(h.version()).isEqualTo(6);
    assertThat(h.trafficClass()).isZero();
    assertThat(h.flowLabel()).isEqualTo(0xfffff);
    assertThat(h.payloadLength()).isEqualTo(1060);
    assertThat(h.nextHeader()).isEqualTo(6);
    assertThat(h.hopLimit()).isEqualTo(255);
    assertThat(h.src()).isEqualTo(SRC);
    assertThat(h.dst()).isEqualTo(DST);
    assertThat(h.srcAddress().getAddress()).isEqualTo(SRC);
    assertThat(h.dstAddress().getAddress()).isEqualTo(DST);
    assertThat(packet.toString()).startsWith("2001:db8::1 > 2001:db8::2: 1000 > 80");

    // Re-encoding the decoded packet gives the same bytes, through the generic entry points too.
    assertThat(IpPacketCodec.encodeIpv6(h.src(), h.dst(), 255, 0xfffff, packet.segment()))
        .isEqualTo(p);
    assertThat(IpPacketCodec.decode(p, 0, p.length)).isEqualTo(packet);
  }

  @Test
  void largestPayload() throws MalformedPacketException {
    Segment s = TcpCodecTest.base().payload(new byte[0xffff - 20]).build();
    byte[] p = packet(s);
    assertThat(TcpCodec.u16(p, 4)).isEqualTo(0xffff);
    assertThat(IpPacketCodec.decodeIpv6(p, 0, p.length).segment()).isEqualTo(s);
  }

  @Test
  void trafficClassAndFlowLabelBits() throws MalformedPacketException {
    byte[] p = packet(TcpCodecTest.base().build());
    // Version 6, traffic class 0xb9 (DSCP 46 = EF, ECN 1 = ECT(1)), flow label 0xf0f0f.
    p[0] = 0x6b;
    p[1] = (byte) 0x9f;
    p[2] = 0x0f;
    p[3] = 0x0f;
    Ipv6Header h = header6(IpPacketCodec.decodeIpv6(p, 0, p.length));
    assertThat(h.trafficClass()).isEqualTo(0xb9);
    assertThat(h.dscp()).isEqualTo(46);
    assertThat(h.ecn()).isEqualTo(1);
    assertThat(h.flowLabel()).isEqualTo(0xf0f0f);
  }

  @Test
  void headerFieldsOutsideThePseudoHeaderAreNotChecksummed() throws MalformedPacketException {
    // RFC 8200 §3: the IPv6 header has no checksum; §8.1: hop limit and flow label are not in the
    // pseudo-header, so routers may change them without breaking the TCP checksum.
    byte[] p = packet(TcpCodecTest.linuxSyn());
    p[7] = 1;
    p[3] ^= 0x55;
    IpPacket packet = IpPacketCodec.decodeIpv6(p, 0, p.length);
    assertThat(packet.header().hopLimit()).isEqualTo(1);
    assertThat(packet.segment()).isEqualTo(TcpCodecTest.linuxSyn());
  }

  @Test
  void linkPaddingBeyondPayloadLengthIsIgnored() throws MalformedPacketException {
    Segment s = TcpCodecTest.base().payload(hex("01")).build();
    byte[] p = concat(packet(s), hex("000000000000")); // e.g. padding to a minimum frame size
    IpPacket packet = IpPacketCodec.decodeIpv6(p, 0, p.length);
    assertThat(packet.header().payloadLength()).isEqualTo(21);
    assertThat(packet.segment()).isEqualTo(s);
  }

  @Test
  void decodesAtAnOffsetInALargerBuffer() throws MalformedPacketException {
    Segment s = TcpCodecTest.base().payload(hex("aabbcc")).build();
    byte[] p = packet(s);
    byte[] frame = concat(new byte[14], p, new byte[4]); // behind an Ethernet header, FCS after
    IpPacket packet = IpPacketCodec.decodeIpv6(frame, 14, p.length);
    assertThat(packet.segment()).isEqualTo(s);
    assertThat(packet.segment().payloadOffset()).isEqualTo(14 + 40 + 20);
    assertThat(IpPacketCodec.decode(frame, 14, p.length)).isEqualTo(packet);
  }

  // ---------------------------------------------------------------------------------------------
  // Checksums

  @Test
  void pseudoHeaderPlusSegmentSumsToZero() {
    for (int n : new int[] {0, 1, 2, 5, 999}) { // odd lengths pad the last byte (RFC 1071 §4.1)
      Segment s = withAllOptions(new byte[n]).toBuilder().seq(n * 7919).build();
      byte[] p = packet(s);
      int tcpLength = p.length - 40;
      byte[] summed =
          concat(pseudoHeaderBytes(SRC, DST, tcpLength), Arrays.copyOfRange(p, 40, p.length));
      assertThat(InternetChecksum.checksum(summed, 0, summed.length)).as("payload %d", n).isZero();
      assertThat(InternetChecksum.tcpIpv6(p, 40, tcpLength, SRC, DST)).isZero();
    }
  }

  @Test
  void knownPacketChecksumMatchesTheIndependentValue() {
    byte[] tcp = SYN_TCP_OVER_IPV6.clone();
    assertThat(TcpCodec.u16(tcp, 16)).isEqualTo(0xd22a);
    byte[] summed = concat(pseudoHeaderBytes(SRC, DST, 40), tcp);
    assertThat(InternetChecksum.checksum(summed, 0, summed.length)).isZero();
    // With the field zeroed, the sum gives exactly the value to put there.
    TcpCodec.putU16(tcp, 16, 0);
    summed = concat(pseudoHeaderBytes(SRC, DST, 40), tcp);
    assertThat(InternetChecksum.checksum(summed, 0, summed.length)).isEqualTo(0xd22a);
  }

  @Test
  void addressesAreCoveredByTheChecksum() {
    byte[] p = packet(TcpCodecTest.linuxSyn());
    p[8 + 15] ^= 0x10; // source 2001:db8::11
    MalformedPacketException e = malformed(() -> IpPacketCodec.decodeIpv6(p, 0, p.length));
    assertThat(e.problem()).isEqualTo(Problem.BAD_CHECKSUM);
    assertThat(e.offset()).isEqualTo(56);
    assertThat(e.getMessage())
        .startsWith("TCP checksum at offset 56 is 0xd22a")
        .contains("IPv6 pseudo-header");

    byte[] q = packet(TcpCodecTest.linuxSyn());
    q[24] ^= 1; // destination 2101:db8::2
    assertThat(malformed(() -> IpPacketCodec.decodeIpv6(q, 0, q.length)).problem())
        .isEqualTo(Problem.BAD_CHECKSUM);
  }

  // ---------------------------------------------------------------------------------------------
  // Malformed packets

  @Test
  void shorterThanFixedHeader() {
    byte[] p = packet(TcpCodecTest.base().build());
    MalformedPacketException e = malformed(() -> IpPacketCodec.decodeIpv6(p, 0, 39));
    assertThat(e.problem()).isEqualTo(Problem.TRUNCATED);
    assertThat(e.offset()).isEqualTo(39);
    assertThat(e.getMessage())
        .isEqualTo("IPv6 packet is 39 bytes long but the fixed IPv6 header needs 40");
    assertThat(malformed(() -> IpPacketCodec.decodeIpv6(p, 0, 0)).offset()).isZero();
  }

  @Test
  void wrongVersion() {
    byte[] p = packet(TcpCodecTest.base().build());
    p[0] = 0x45;
    MalformedPacketException e = malformed(() -> IpPacketCodec.decodeIpv6(p, 0, p.length));
    assertThat(e.problem()).isEqualTo(Problem.BAD_IP_VERSION);
    assertThat(e.offset()).isZero();
    assertThat(e.getMessage()).isEqualTo("IP version at offset 0 is 4, not 6");
  }

  @Test
  void payloadLengthBeyondReceivedBytes() {
    byte[] p = packet(TcpCodecTest.base().payload(new byte[10]).build()); // 70 bytes
    MalformedPacketException e = malformed(() -> IpPacketCodec.decodeIpv6(p, 0, p.length - 1));
    assertThat(e.problem()).isEqualTo(Problem.TRUNCATED);
    assertThat(e.offset()).isEqualTo(p.length - 1);
    assertThat(e.getMessage())
        .isEqualTo(
            "IPv6 payload length at offset 4 is 30 bytes but only 29 bytes follow the 40-byte"
                + " header");

    // A payload length of 0xffff in a short packet, as a jumbogram's would be (RFC 2675 uses 0).
    TcpCodec.putU16(p, 4, 0xffff);
    e = malformed(() -> IpPacketCodec.decodeIpv6(p, 0, p.length));
    assertThat(e.problem()).isEqualTo(Problem.TRUNCATED);
    assertThat(e.offset()).isEqualTo(p.length);
  }

  @ParameterizedTest
  @CsvSource({
    "0, Hop-by-Hop Options",
    "43, Routing",
    "44, Fragment",
    "50, Encapsulating Security Payload",
    "51, Authentication Header",
    "60, Destination Options",
    "135, Mobility",
  })
  void extensionHeadersAreNotSupported(int nextHeader, String name) {
    byte[] p = packet(TcpCodecTest.base().build());
    p[6] = (byte) nextHeader;
    MalformedPacketException e = malformed(() -> IpPacketCodec.decodeIpv6(p, 0, p.length));
    assertThat(e.problem()).isEqualTo(Problem.NOT_TCP);
    assertThat(e.offset()).isEqualTo(6);
    assertThat(e.getMessage())
        .isEqualTo(
            "IPv6 next header at offset 6 is "
                + nextHeader
                + " ("
                + name
                + "), not TCP (6); IPv6 extension headers are not supported");
  }

  @Test
  void otherUpperLayerProtocolsAreNotTcp() {
    byte[] udp = packet(TcpCodecTest.base().build());
    udp[6] = 17;
    MalformedPacketException e = malformed(() -> IpPacketCodec.decodeIpv6(udp, 0, udp.length));
    assertThat(e.problem()).isEqualTo(Problem.NOT_TCP);
    assertThat(e.offset()).isEqualTo(6);
    assertThat(e.getMessage()).isEqualTo("IPv6 next header at offset 6 is 17 (UDP), not TCP (6)");

    byte[] icmp = packet(TcpCodecTest.base().build());
    icmp[6] = 58;
    assertThat(malformed(() -> IpPacketCodec.decodeIpv6(icmp, 0, icmp.length)).getMessage())
        .isEqualTo("IPv6 next header at offset 6 is 58 (ICMPv6), not TCP (6)");

    byte[] unassigned = packet(TcpCodecTest.base().build());
    unassigned[6] = (byte) 200;
    assertThat(
            malformed(() -> IpPacketCodec.decodeIpv6(unassigned, 0, unassigned.length))
                .getMessage())
        .isEqualTo("IPv6 next header at offset 6 is 200, not TCP (6)");
  }

  @Test
  void tcpProblemsAreReportedAtOffsetsFromTheIpPacketStart() {
    // A damaged TCP checksum: field at TCP offset 16, IP offset 56.
    byte[] p = packet(TcpCodecTest.linuxSyn());
    p[40 + 17] ^= 1;
    MalformedPacketException e = malformed(() -> IpPacketCodec.decodeIpv6(p, 0, p.length));
    assertThat(e.problem()).isEqualTo(Problem.BAD_CHECKSUM);
    assertThat(e.offset()).isEqualTo(56);
    assertThat(e.getMessage()).startsWith("TCP checksum at offset 56 is 0xd22b");

    // A bad option inside a larger buffer, checksum fixed up: MSS at TCP offset 20, IP offset 60.
    byte[] q = packet(TcpCodecTest.base().options(new TcpOption.Mss(1460)).build());
    q[40 + 21] = 3;
    fixTcpChecksum(q);
    byte[] frame = concat(new byte[14], q);
    e = malformed(() -> IpPacketCodec.decodeIpv6(frame, 14, q.length));
    assertThat(e.problem()).isEqualTo(Problem.BAD_OPTION_LENGTH);
    assertThat(e.offset()).isEqualTo(60);
    assertThat(e.getMessage()).contains("at offset 60");

    // A data offset past the segment: byte 12 of TCP, IP offset 52.
    byte[] r = packet(TcpCodecTest.base().build());
    r[40 + 12] = (byte) 0x60;
    fixTcpChecksum(r);
    e = malformed(() -> IpPacketCodec.decodeIpv6(r, 0, r.length));
    assertThat(e.problem()).isEqualTo(Problem.BAD_DATA_OFFSET);
    assertThat(e.offset()).isEqualTo(52);

    // A payload shorter than the fixed TCP header: runs out at IP offset 40 + 10.
    byte[] t = packet(TcpCodecTest.base().build());
    TcpCodec.putU16(t, 4, 10);
    e = malformed(() -> IpPacketCodec.decodeIpv6(t, 0, t.length));
    assertThat(e.problem()).isEqualTo(Problem.TRUNCATED);
    assertThat(e.offset()).isEqualTo(50);
    assertThat(e.getMessage()).contains("TCP segment is 10 bytes long");

    // No payload at all.
    TcpCodec.putU16(t, 4, 0);
    e = malformed(() -> IpPacketCodec.decodeIpv6(t, 0, t.length));
    assertThat(e.problem()).isEqualTo(Problem.TRUNCATED);
    assertThat(e.offset()).isEqualTo(40);
  }

  // ---------------------------------------------------------------------------------------------
  // Dispatch on the version nibble

  @Test
  void decodeDispatchesOnTheVersion() throws MalformedPacketException {
    Segment s = TcpCodecTest.linuxSyn();

    byte[] v4 = IpPacketCodec.encodeIpv4(TcpCodecTest.SRC, TcpCodecTest.DST, 64, 1, s);
    IpPacket p4 = IpPacketCodec.decode(v4, 0, v4.length);
    assertThat(p4.header()).isInstanceOf(Ipv4Header.class);
    assertThat(p4).isEqualTo(IpPacketCodec.decodeIpv4(v4, 0, v4.length));
    IpHeader h4 = p4.header();
    assertThat(h4.version()).isEqualTo(4);
    assertThat(h4.hopLimit()).isEqualTo(64).isEqualTo(((Ipv4Header) h4).ttl());
    assertThat(h4.srcAddress()).isInstanceOf(Inet4Address.class);
    assertThat(h4.srcAddress().getHostAddress()).isEqualTo("10.0.0.1");
    assertThat(h4.dstAddress().getHostAddress()).isEqualTo("10.0.0.2");
    assertThat(h4.payloadLength()).isEqualTo(40);

    byte[] v6 = packet(s);
    IpPacket p6 = IpPacketCodec.decode(v6, 0, v6.length);
    assertThat(p6.header()).isInstanceOf(Ipv6Header.class);
    assertThat(p6).isEqualTo(IpPacketCodec.decodeIpv6(v6, 0, v6.length));
    IpHeader h6 = p6.header();
    assertThat(h6.version()).isEqualTo(6);
    assertThat(h6.hopLimit()).isEqualTo(64);
    assertThat(h6.srcAddress()).isInstanceOf(Inet6Address.class);
    assertThat(InetAddresses.toAddrString(h6.srcAddress())).isEqualTo("2001:db8::1");
    assertThat(InetAddresses.toAddrString(h6.dstAddress())).isEqualTo("2001:db8::2");
    assertThat(h6.payloadLength()).isEqualTo(40);
    assertThat(p6.segment()).isEqualTo(p4.segment());
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 5, 7, 15})
  void otherVersionsAreRejected(int version) {
    byte[] p = packet(TcpCodecTest.base().build());
    p[0] = (byte) (version << 4);
    MalformedPacketException e = malformed(() -> IpPacketCodec.decode(p, 0, p.length));
    assertThat(e.problem()).isEqualTo(Problem.BAD_IP_VERSION);
    assertThat(e.offset()).isZero();
    assertThat(e.getMessage()).isEqualTo("IP version at offset 0 is " + version + ", not 4 or 6");
  }

  @Test
  void emptyAndShortBuffers() {
    MalformedPacketException e = malformed(() -> IpPacketCodec.decode(new byte[0], 0, 0));
    assertThat(e.problem()).isEqualTo(Problem.TRUNCATED);
    assertThat(e.offset()).isZero();
    assertThat(e.getMessage()).contains("empty");
    // Zero bytes inside a larger buffer are empty too.
    assertThat(malformed(() -> IpPacketCodec.decode(new byte[] {0x60}, 1, 0)).problem())
        .isEqualTo(Problem.TRUNCATED);

    // One byte is enough to dispatch; the version's own decoder reports the truncation.
    e = malformed(() -> IpPacketCodec.decode(new byte[] {0x60}, 0, 1));
    assertThat(e.problem()).isEqualTo(Problem.TRUNCATED);
    assertThat(e.offset()).isEqualTo(1);
    assertThat(e.getMessage()).contains("IPv6 packet is 1 bytes long");
    e = malformed(() -> IpPacketCodec.decode(new byte[] {0x45}, 0, 1));
    assertThat(e.problem()).isEqualTo(Problem.TRUNCATED);
    assertThat(e.getMessage()).contains("IPv4 packet is 1 bytes long");

    assertThatThrownBy(() -> IpPacketCodec.decode(new byte[4], 2, 3))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> IpPacketCodec.decode(null, 0, 0))
        .isInstanceOf(NullPointerException.class);
  }

  // ---------------------------------------------------------------------------------------------
  // Encoding by address family

  @Test
  void encodePicksTheVersionFromTheAddressFamily() throws Exception {
    Segment s = TcpCodecTest.base().payload(hex("0102")).build();
    InetAddress src4 = InetAddresses.forString("10.0.0.1");
    InetAddress dst4 = InetAddresses.forString("10.0.0.2");
    assertThat(IpPacketCodec.encode(src4, dst4, 64, 0x1c46, s))
        .isEqualTo(IpPacketCodec.encodeIpv4(TcpCodecTest.SRC, TcpCodecTest.DST, 64, 0x1c46, s));

    InetAddress src6 = InetAddresses.forString("2001:db8::1");
    InetAddress dst6 = InetAddresses.forString("2001:db8::2");
    byte[] p = IpPacketCodec.encode(src6, dst6, 64, 0x1c46, s);
    assertThat(p).isEqualTo(IpPacketCodec.encodeIpv6(SRC, DST, 64, 0, s));
    Ipv6Header h = header6(IpPacketCodec.decode(p, 0, p.length));
    assertThat(h.flowLabel()).isZero(); // unlabelled (RFC 6437 §2); the id is not sent
    assertThat(h.srcAddress()).isEqualTo(src6);
    assertThat(h.dstAddress()).isEqualTo(dst6);

    // An IPv4-mapped address held as an Inet6Address is sent as IPv6.
    Inet6Address mapped = Ipv6Header.toInetAddress(Ipv6Header.parse("::ffff:10.0.0.1"));
    byte[] m = IpPacketCodec.encode(mapped, dst6, 64, 0, s);
    assertThat(m[0] >>> 4).isEqualTo(6);
  }

  @Test
  void encodeRejectsMixedFamilies() {
    Segment s = TcpCodecTest.base().build();
    InetAddress v4 = InetAddresses.forString("10.0.0.1");
    InetAddress v6 = InetAddresses.forString("2001:db8::2");
    assertThatThrownBy(() -> IpPacketCodec.encode(v4, v6, 64, 1, s))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Source and destination must be of the same address family, but source 10.0.0.1 is"
                + " IPv4 and destination 2001:db8::2 is IPv6");
    assertThatThrownBy(() -> IpPacketCodec.encode(v6, v4, 64, 1, s))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("source 2001:db8::2 is IPv6 and destination 10.0.0.1 is IPv4");
    assertThatThrownBy(() -> IpPacketCodec.encode(null, v4, 64, 1, s))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> IpPacketCodec.encode(v6, v6, 256, 1, s))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> IpPacketCodec.encode(v6, v6, 64, 0x10000, s))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void encodeIpv6RejectsBadArguments() {
    Segment s = TcpCodecTest.base().build();
    assertThatThrownBy(() -> IpPacketCodec.encodeIpv6(new byte[4], DST, 64, 0, s))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("source address must be 16 bytes");
    assertThatThrownBy(() -> IpPacketCodec.encodeIpv6(SRC, new byte[17], 64, 0, s))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("destination address must be 16 bytes");
    assertThatThrownBy(() -> IpPacketCodec.encodeIpv6(SRC, DST, 256, 0, s))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> IpPacketCodec.encodeIpv6(SRC, DST, -1, 0, s))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> IpPacketCodec.encodeIpv6(SRC, DST, 64, 0x100000, s))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> IpPacketCodec.encodeIpv6(SRC, DST, 64, -1, s))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> IpPacketCodec.encodeIpv6(null, DST, 64, 0, s))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> IpPacketCodec.encodeIpv6(SRC, DST, 64, 0, null))
        .isInstanceOf(NullPointerException.class);
    Segment huge = TcpCodecTest.base().payload(new byte[0xffff - 20 + 1]).build();
    assertThatThrownBy(() -> IpPacketCodec.encodeIpv6(SRC, DST, 64, 0, huge))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("65535");
  }

  // ---------------------------------------------------------------------------------------------
  // Ipv6Header

  @Test
  void headerCopiesItsAddresses() {
    byte[] src = SRC.clone();
    Ipv6Header h = new Ipv6Header(0, 0, 20, 6, 64, src, DST);
    src[15] = 9;
    assertThat(h.src()).isEqualTo(SRC);
    h.src()[15] = 9;
    h.dst()[15] = 9;
    assertThat(h.src()).isEqualTo(SRC);
    assertThat(h.dst()).isEqualTo(DST);
    assertThat(h.src()).isNotSameAs(h.src());
  }

  @Test
  void headerEqualityIsByContent() {
    Ipv6Header a = new Ipv6Header(0xb8, FLOW, 20, 6, 64, SRC.clone(), DST.clone());
    Ipv6Header b = new Ipv6Header(0xb8, FLOW, 20, 6, 64, SRC.clone(), DST.clone());
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a).isNotEqualTo(new Ipv6Header(0xb8, FLOW, 20, 6, 64, DST, SRC));
    assertThat(a).isNotEqualTo(new Ipv6Header(0xb8, FLOW, 20, 6, 63, SRC, DST));
    assertThat(a).isNotEqualTo(new Ipv6Header(0xb8, FLOW + 1, 20, 6, 64, SRC, DST));
    assertThat(a).isNotEqualTo(new Ipv6Header(0, FLOW, 20, 6, 64, SRC, DST));
    assertThat(a).isNotEqualTo(new Ipv6Header(0xb8, FLOW, 21, 6, 64, SRC, DST));
    assertThat(a).isNotEqualTo(new Ipv6Header(0xb8, FLOW, 20, 17, 64, SRC, DST));
    assertThat(a).isNotEqualTo(null);
  }

  @Test
  void headerToStringUsesCompressedAddresses() {
    assertThat(new Ipv6Header(0, 0, 20, 6, 64, SRC, DST)).hasToString("2001:db8::1 > 2001:db8::2");
    assertThat(
            new Ipv6Header(
                0, 0, 20, 6, 64, Ipv6Header.parse("::1"), Ipv6Header.parse("0:0:0:0:0:0:0:0")))
        .hasToString("::1 > ::");
    // RFC 5952 §4.2.3: the longest run of zero groups is the one shortened; lower case hex.
    assertThat(Ipv6Header.toString(Ipv6Header.parse("2001:DB8:0:0:1:0:0:0")))
        .isEqualTo("2001:db8:0:0:1::");
    assertThat(Ipv6Header.toString(Ipv6Header.parse("fe80::1:0:0:2"))).isEqualTo("fe80::1:0:0:2");
  }

  @Test
  void headerAddressHelpers() throws Exception {
    Inet6Address a = Ipv6Header.toInetAddress(SRC);
    assertThat(a.getAddress()).isEqualTo(SRC);
    assertThat(a).isEqualTo(InetAddress.getByName("2001:db8::1")); // a literal: no DNS lookup
    assertThat(a.getScopeId()).isZero();
    assertThat(Ipv6Header.toBytes(a)).isEqualTo(SRC);
    assertThat(Ipv6Header.parse("2001:db8::2")).isEqualTo(DST);

    // IPv4-mapped addresses stay IPv6 (InetAddress.getByAddress would make an Inet4Address).
    byte[] mapped = Ipv6Header.parse("::ffff:10.0.0.1");
    assertThat(mapped).isEqualTo(hex("00000000000000000000ffff0a000001"));
    assertThat(Ipv6Header.toInetAddress(mapped)).isInstanceOf(Inet6Address.class);
    assertThat(Ipv6Header.toString(mapped)).isEqualTo("::ffff:a00:1");

    assertThatThrownBy(() -> Ipv6Header.parse("10.0.0.1"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Ipv6Header.parse("example.com"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Ipv6Header.parse("2001:db8::g"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Ipv6Header.toInetAddress(new byte[4]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void headerRangeChecks() {
    assertThat(new Ipv6Header(0xff, 0xfffff, 0xffff, 0xff, 0xff, SRC, DST).version()).isEqualTo(6);
    assertThatThrownBy(() -> new Ipv6Header(256, 0, 20, 6, 64, SRC, DST))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Ipv6Header(0, 0x100000, 20, 6, 64, SRC, DST))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Ipv6Header(0, 0, 0x10000, 6, 64, SRC, DST))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Ipv6Header(0, 0, 20, -1, 64, SRC, DST))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Ipv6Header(0, 0, 20, 6, 256, SRC, DST))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Ipv6Header(0, 0, 20, 6, 64, new byte[15], DST))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Source address must be 16 bytes: 15");
    assertThatThrownBy(() -> new Ipv6Header(0, 0, 20, 6, 64, SRC, null))
        .isInstanceOf(NullPointerException.class);
  }

  // ---------------------------------------------------------------------------------------------
  // Fuzzing

  @Test
  void fuzzedPacketsDecodeOrFailCleanly() {
    byte[][] seeds = {
      packet(TcpCodecTest.linuxSyn()),
      packet(TcpCodecTest.base().payload(new byte[100]).build()),
      packet(withAllOptions(hex("0102030405"))),
      IpPacketCodec.encodeIpv4(TcpCodecTest.SRC, TcpCodecTest.DST, 64, 1, TcpCodecTest.linuxSyn()),
    };
    Random rnd = new Random(8200);
    int decoded6 = 0;
    int decoded4 = 0;
    int rejected = 0;
    for (int i = 0; i < 10_000; i++) {
      byte[] p = seeds[rnd.nextInt(seeds.length)].clone();
      int mutations = rnd.nextInt(4);
      for (int m = 0; m < mutations; m++) {
        int at = rnd.nextInt(4) == 0 ? rnd.nextInt(Math.min(p.length, 8)) : rnd.nextInt(p.length);
        p[at] = (byte) rnd.nextInt(256);
      }
      if (rnd.nextInt(3) == 0) { // let header and option mutations reach the later checks
        int length = TcpCodec.u16(p, 4);
        if ((p[0] >>> 4 & 0xf) == 6 && length >= 18 && 40 + length <= p.length) {
          fixTcpChecksum(p);
        } else if ((p[0] >>> 4 & 0xf) == 4) {
          Ipv4CodecTest.fixHeaderChecksum(p);
        }
      }
      int off = rnd.nextInt(3);
      int len = rnd.nextInt(5) == 0 ? rnd.nextInt(p.length + 1) : p.length;
      byte[] buf = concat(new byte[off], p, new byte[rnd.nextInt(3)]);
      try {
        IpPacket packet = IpPacketCodec.decode(buf, off, len);
        if (packet.header() instanceof Ipv6Header h) {
          decoded6++;
          assertThat(Ipv6Header.LENGTH + h.payloadLength()).isLessThanOrEqualTo(len);
          assertThat(h.nextHeader()).isEqualTo(6);
        } else {
          decoded4++;
        }
        assertThat(packet.segment().payloadOffset() + packet.segment().payloadLength())
            .isLessThanOrEqualTo(off + len);
      } catch (MalformedPacketException e) {
        rejected++;
        assertThat(e.offset()).isBetween(0, len);
      } catch (RuntimeException e) {
        fail("iteration " + i + ": " + HexFormat.of().formatHex(buf, off, off + len), e);
      }
    }
    assertThat(decoded6).isGreaterThan(500);
    assertThat(decoded4).isGreaterThan(100);
    assertThat(rejected).isGreaterThan(500);
  }
}
