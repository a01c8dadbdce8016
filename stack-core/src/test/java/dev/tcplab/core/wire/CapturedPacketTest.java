package dev.tcplab.core.wire;

import static dev.tcplab.core.wire.TcpCodecTest.hex;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tcplab.core.wire.MalformedPacketException.Problem;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** {@link IpPacketCodec#decodeCaptured}: packets as a capture holds them. */
class CapturedPacketTest {
  private static final byte[] SRC6 = Ipv6Header.parse("2001:db8::1");
  private static final byte[] DST6 = Ipv6Header.parse("2001:db8::2");

  private static Segment tenBytes() {
    return TcpCodecTest.base().payload(hex("0102030405060708090a")).build();
  }

  @Test
  void acceptsWrongChecksumsThatDecodeRejects() throws MalformedPacketException {
    byte[] p = Ipv4CodecTest.packet(tenBytes());
    p[10] ^= 0x55; // IPv4 header checksum
    p[20 + 16] ^= 0x55; // TCP checksum: the NIC fills both in after a capture on the sender
    assertThat(Ipv4CodecTest.malformed(() -> IpPacketCodec.decode(p, 0, p.length)).problem())
        .isEqualTo(Problem.BAD_CHECKSUM);
    IpPacket packet = IpPacketCodec.decodeCaptured(p, 0, p.length).packet();
    assertThat(packet.segment().payloadLength()).isEqualTo(10);
    assertThat(packet.segment().seq()).isEqualTo(tenBytes().seq());
  }

  @Test
  void packetCutBySnaplenKeepsTheDeclaredLength() throws MalformedPacketException {
    Segment s = tenBytes();
    byte[] p = Ipv4CodecTest.packet(s);
    int headers = 20 + TcpCodec.headerLength(s);
    byte[] cut = Arrays.copyOf(p, headers + 4);
    assertThat(Ipv4CodecTest.malformed(() -> IpPacketCodec.decode(cut, 0, cut.length)).problem())
        .isEqualTo(Problem.TRUNCATED);
    CapturedPacket captured = IpPacketCodec.decodeCaptured(cut, 0, cut.length);
    assertThat(captured.packet().segment().payloadLength()).isEqualTo(4);
    assertThat(captured.payloadOnWire()).isEqualTo(10);
    assertThat(captured.headerCut()).isFalse();
  }

  @Test
  void ipv6CutBySnaplen() throws MalformedPacketException {
    Segment s = tenBytes();
    byte[] p = IpPacketCodec.encodeIpv6(SRC6, DST6, 64, 0, s);
    byte[] cut = Arrays.copyOf(p, 40 + TcpCodec.headerLength(s));
    cut[40 + 16] ^= 0x55;
    CapturedPacket captured = IpPacketCodec.decodeCaptured(cut, 0, cut.length);
    assertThat(captured.packet().version()).isEqualTo(6);
    assertThat(captured.packet().segment().payloadLength()).isZero();
    assertThat(captured.payloadOnWire()).isEqualTo(10);
  }

  @Test
  void optionsCutBySnaplenKeepThoseThatFit() throws MalformedPacketException {
    // mss (4 bytes) then timestamps (10): a 60-byte snaplen after a 16-byte link header leaves
    // 44 bytes of IP, so 24 of TCP: the MSS fits, the timestamps do not.
    Segment s = TcpCodecTest.base()
        .options(new TcpOption.Mss(1460), new TcpOption.Timestamps(7, 9))
        .payload(hex("0102030405060708090a"))
        .build();
    byte[] p = Ipv4CodecTest.packet(s);
    byte[] cut = Arrays.copyOf(p, 20 + 24);
    CapturedPacket captured = IpPacketCodec.decodeCaptured(cut, 0, cut.length);
    assertThat(captured.headerCut()).isTrue();
    assertThat(captured.payloadOnWire()).isEqualTo(10);
    Segment got = captured.packet().segment();
    assertThat(got.options()).containsExactly(new TcpOption.Mss(1460));
    assertThat(got.seq()).isEqualTo(s.seq());
    assertThat(got.ack()).isEqualTo(s.ack());
    assertThat(got.flags()).isEqualTo(s.flags());
    assertThat(got.payloadLength()).isZero();
  }

  @Test
  void fixedHeaderCutShortIsStillAnError() {
    byte[] p = Ipv4CodecTest.packet(tenBytes());
    byte[] cut = Arrays.copyOf(p, 30);
    MalformedPacketException e =
        Ipv4CodecTest.malformed(() -> IpPacketCodec.decodeCaptured(cut, 0, cut.length));
    assertThat(e.problem()).isEqualTo(Problem.TRUNCATED);
    assertThat(e.getMessage()).contains("TCP segment is 10 bytes long");
    assertThat(
            Ipv4CodecTest.malformed(() -> IpPacketCodec.decodeCaptured(new byte[0], 0, 0))
                .problem())
        .isEqualTo(Problem.TRUNCATED);
  }
}
