package dev.tcplab.core.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.fail;

import dev.tcplab.core.wire.MalformedPacketException.Problem;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TcpCodecTest {
  static final int SRC = 0x0a000001; // 10.0.0.1
  static final int DST = 0x0a000002; // 10.0.0.2

  /**
   * A Linux-style SYN 10.0.0.1:54321 > 10.0.0.2:80, seq 0x12345678, win 64240, options mss 1460,
   * sackOK, TS val 123456 ecr 0, nop, wscale 7, laid out by hand from RFC 9293 §3.1. The checksum
   * 0x199d was computed separately (a Python RFC 1071 implementation), not by this codebase.
   */
  static final byte[] LINUX_SYN =
      hex(
          "d431 0050 1234 5678 0000 0000 a002 faf0 199d 0000"
              + " 0204 05b4 0402 080a 0001 e240 0000 0000 0103 0307");

  static byte[] hex(String s) {
    return HexFormat.of().parseHex(s.replace(" ", ""));
  }

  static Segment.Builder base() {
    return Segment.builder()
        .srcPort(1000)
        .dstPort(80)
        .seq(0xfffffff0)
        .ack(42)
        .flags(TcpFlags.ACK | TcpFlags.PSH)
        .window(29200);
  }

  static Segment linuxSyn() {
    return Segment.builder()
        .srcPort(54321)
        .dstPort(80)
        .seq(0x12345678)
        .flags(TcpFlags.SYN)
        .window(64240)
        .options(
            new TcpOption.Mss(1460),
            TcpOption.SackPermitted.INSTANCE,
            new TcpOption.Timestamps(123456, 0),
            TcpOption.Nop.INSTANCE,
            new TcpOption.WindowScale(7))
        .build();
  }

  static MalformedPacketException malformed(ThrowingCallable call) {
    Throwable t = catchThrowable(call);
    assertThat(t).isInstanceOf(MalformedPacketException.class);
    return (MalformedPacketException) t;
  }

  /** Encodes, decodes with checksum verification, and checks both directions agree. */
  static Segment roundTrip(Segment s) throws MalformedPacketException {
    byte[] wire = TcpCodec.encode(s, SRC, DST);
    assertThat(wire).hasSize(TcpCodec.encodedLength(s));
    assertThat((wire.length - s.payloadLength()) % 4).isZero();
    assertThat(InternetChecksum.tcpIpv4(wire, 0, wire.length, SRC, DST)).isZero();
    Segment back = TcpCodec.decode(wire, 0, wire.length, SRC, DST);
    assertThat(back).isEqualTo(s);
    assertThat(back.options()).containsExactlyElementsOf(s.options());
    assertThat(back.payload()).isEqualTo(s.payload());
    assertThat(TcpCodec.encode(back, SRC, DST)).isEqualTo(wire);
    return back;
  }

  @Nested
  class Checksum {
    @Test
    void rfc1071Example() {
      // RFC 1071 §3: 0001 f203 f4f5 f6f7 sums to ddf2, so the checksum is 220d.
      byte[] data = hex("0001 f203 f4f5 f6f7");
      assertThat(InternetChecksum.fold(InternetChecksum.sum(data, 0, data.length, 0)))
          .isEqualTo(0xddf2);
      assertThat(InternetChecksum.checksum(data, 0, data.length)).isEqualTo(0x220d);
    }

    @Test
    void oddLengthPadsWithZeroByte() {
      byte[] odd = hex("0102 03");
      byte[] even = hex("0102 0300");
      assertThat(InternetChecksum.checksum(odd, 0, 3))
          .isEqualTo(InternetChecksum.checksum(even, 0, 4));
      assertThat(InternetChecksum.checksum(odd, 0, 3)).isEqualTo(~(0x0102 + 0x0300) & 0xffff);
    }

    @Test
    void chainedPartialSumsEqualOneSum() {
      byte[] data = new byte[1001];
      new Random(7).nextBytes(data);
      int whole = InternetChecksum.sum(data, 0, data.length, 0);
      int chained = InternetChecksum.sum(data, 0, 400, 0);
      chained = InternetChecksum.sum(data, 400, 601, chained);
      assertThat(InternetChecksum.fold(chained)).isEqualTo(InternetChecksum.fold(whole));
    }

    @Test
    void largeBufferOfOnesDoesNotOverflow() {
      byte[] data = new byte[65535 + 40];
      Arrays.fill(data, (byte) 0xff);
      assertThat(InternetChecksum.checksum(data, 0, data.length))
          .isEqualTo(referenceChecksum(data));
      new Random(3).nextBytes(data);
      int acc = InternetChecksum.pseudoHeaderIpv4(-1, -1, 255, 0xffff);
      assertThat(InternetChecksum.finish(InternetChecksum.sum(data, 0, data.length, acc)))
          .isEqualTo(referenceChecksum(concat(hex("ffffffff ffffffff 00ff ffff"), data)));
    }

    @Test
    void ipv4PseudoHeaderEqualsExplicitBytes() {
      byte[] pseudo = hex("0a000001 0a000002 0006 0028");
      assertThat(InternetChecksum.fold(InternetChecksum.pseudoHeaderIpv4(SRC, DST, 6, 40)))
          .isEqualTo(InternetChecksum.fold(InternetChecksum.sum(pseudo, 0, pseudo.length, 0)));
    }

    @Test
    void ipv6PseudoHeaderEqualsExplicitBytes() {
      byte[] src = hex("20010db8000000000000000000000001");
      byte[] dst = hex("fe800000000000000211223344556677");
      // RFC 8200 §8.1: src, dst, 32-bit length, 3 zero bytes, next header.
      byte[] pseudo = concat(src, dst, hex("00012345 000000 06"));
      assertThat(InternetChecksum.fold(InternetChecksum.pseudoHeaderIpv6(src, dst, 6, 0x12345)))
          .isEqualTo(InternetChecksum.fold(InternetChecksum.sum(pseudo, 0, pseudo.length, 0)));
    }

    private int referenceChecksum(byte[] data) {
      long s = 0;
      for (int i = 0; i < data.length; i += 2) {
        int hi = data[i] & 0xff;
        int lo = i + 1 < data.length ? data[i + 1] & 0xff : 0;
        s += (hi << 8) | lo;
      }
      while ((s >>> 16) != 0) s = (s & 0xffff) + (s >>> 16);
      return (int) (~s & 0xffff);
    }
  }

  @Nested
  class KnownPacket {
    @Test
    void encodesLinuxSynToHandBuiltBytes() {
      assertThat(TcpCodec.encode(linuxSyn(), SRC, DST)).isEqualTo(LINUX_SYN);
      assertThat(TcpCodec.headerLength(linuxSyn())).isEqualTo(40);
    }

    @Test
    void validPacketResumsToZero() {
      // RFC 1071 §1: re-summing data that contains its own checksum gives 0 after complement.
      assertThat(InternetChecksum.tcpIpv4(LINUX_SYN, 0, LINUX_SYN.length, SRC, DST)).isZero();
    }

    @Test
    void decodesHandBuiltBytes() throws MalformedPacketException {
      Segment s = TcpCodec.decode(LINUX_SYN, 0, LINUX_SYN.length, SRC, DST);
      assertThat(s.srcPort()).isEqualTo(54321);
      assertThat(s.dstPort()).isEqualTo(80);
      assertThat(s.seq()).isEqualTo(0x12345678);
      assertThat(s.ack()).isZero();
      assertThat(s.flags()).isEqualTo(TcpFlags.SYN);
      assertThat(s.window()).isEqualTo(64240);
      assertThat(s.urgentPointer()).isZero();
      assertThat(s.payloadLength()).isZero();
      assertThat(s.mss()).isEqualTo(1460);
      assertThat(s.sackPermitted()).isTrue();
      assertThat(s.timestamps()).isEqualTo(new TcpOption.Timestamps(123456, 0));
      assertThat(s.windowScale()).isEqualTo(7);
      assertThat(s.options()).isEqualTo(linuxSyn().options());
      assertThat(s).isEqualTo(linuxSyn());
    }

    @Test
    void unsignedFieldsKeepTheirHighBits() throws MalformedPacketException {
      Segment s =
          Segment.builder()
              .srcPort(0xffff)
              .dstPort(0x8000)
              .seq(0xfedcba98)
              .ack(0x80000001)
              .flags(0xff)
              .window(0xffff)
              .urgentPointer(0xfffe)
              .options(new TcpOption.Timestamps(0xffffffff, 0x80000000))
              .build();
      byte[] wire = TcpCodec.encode(s, SRC, DST);
      assertThat(Arrays.copyOfRange(wire, 0, 16))
          .isEqualTo(hex("ffff 8000 fedcba98 80000001 80ff ffff"));
      assertThat(roundTrip(s).timestamps().tsVal()).isEqualTo(0xffffffff);
    }
  }

  static Stream<TcpOption> singleOptions() {
    return Stream.of(
        TcpOption.Nop.INSTANCE,
        new TcpOption.Mss(536),
        new TcpOption.Mss(0xffff),
        new TcpOption.WindowScale(0),
        new TcpOption.WindowScale(14),
        TcpOption.SackPermitted.INSTANCE,
        new TcpOption.Sack(List.of(new TcpOption.Block(0xfffffff0, 0x10))),
        new TcpOption.Sack(
            List.of(
                new TcpOption.Block(100, 200),
                new TcpOption.Block(300, 400),
                new TcpOption.Block(500, 600))),
        new TcpOption.Sack(
            List.of(
                new TcpOption.Block(1, 2),
                new TcpOption.Block(3, 4),
                new TcpOption.Block(5, 6),
                new TcpOption.Block(7, 8))),
        new TcpOption.Timestamps(0xdeadbeef, 0x01020304),
        new TcpOption.Unknown(30, new byte[0]), // MPTCP kind, empty data
        new TcpOption.Unknown(254, hex("f989 0102")), // RFC 6994 experimental
        new TcpOption.Unknown(6, hex("00000001")), // obsolete echo (RFC 1072)
        new TcpOption.Unknown(99, new byte[38])); // the largest option that fits
  }

  @ParameterizedTest
  @MethodSource("singleOptions")
  void everyOptionAloneRoundTrips(TcpOption option) throws MalformedPacketException {
    Segment s = base().options(option).payload(hex("68656c6c6f")).build();
    Segment back = roundTrip(s);
    assertThat(back.options()).containsExactly(option);
    int padded = (option.encodedLength() + 3) & ~3;
    assertThat(TcpCodec.headerLength(s)).isEqualTo(20 + padded);
  }

  @Test
  void linuxSynOrderRoundTrips() throws MalformedPacketException {
    Segment back = roundTrip(linuxSyn());
    assertThat(back.options()).extracting(TcpOption::kind).containsExactly(2, 4, 8, 1, 3);
  }

  @Test
  void mixedKnownAndUnknownOptionsRoundTrip() throws MalformedPacketException {
    Segment s =
        base()
            .options(
                TcpOption.Nop.INSTANCE,
                TcpOption.Nop.INSTANCE,
                new TcpOption.Timestamps(5, 6),
                new TcpOption.Unknown(253, hex("abcd")),
                new TcpOption.Sack(
                    List.of(new TcpOption.Block(10, 20), new TcpOption.Block(30, 40))))
            .payload(new byte[1460])
            .build();
    assertThat(roundTrip(s).sackBlocks())
        .containsExactly(new TcpOption.Block(10, 20), new TcpOption.Block(30, 40));
  }

  /**
   * The codec's shortcut for Linux's NOP, NOP, TS layout (no option list built on encode or decode)
   * gives the same bytes and the same segment as the general option code.
   */
  @Test
  void timestampsLayoutShortcutMatchesTheOptionList() throws MalformedPacketException {
    byte[] payload = hex("68656c6c6f");
    Segment compact = base().timestamps(0x80000001, 0xfffffffe).payload(payload).build();
    Segment listed =
        base()
            .options(
                TcpOption.Nop.INSTANCE,
                TcpOption.Nop.INSTANCE,
                new TcpOption.Timestamps(0x80000001, 0xfffffffe))
            .payload(payload)
            .build();
    byte[] wire = TcpCodec.encode(compact, SRC, DST);
    assertThat(wire).isEqualTo(TcpCodec.encode(listed, SRC, DST));
    assertThat(TcpCodec.headerLength(compact)).isEqualTo(32);
    assertThat(roundTrip(compact)).isEqualTo(listed);
    Segment back = roundTrip(listed);
    assertThat(back.options()).containsExactlyElementsOf(listed.options());
    assertThat(back.timestamps()).isEqualTo(new TcpOption.Timestamps(0x80000001, 0xfffffffe));
    assertThat(back.sackBlocks()).isEmpty();
    // The same 12 bytes in another order take the general path and keep that order.
    Segment tsFirst =
        base()
            .options(
                new TcpOption.Timestamps(1, 2), TcpOption.Nop.INSTANCE, TcpOption.Nop.INSTANCE)
            .build();
    assertThat(roundTrip(tsFirst).options()).extracting(TcpOption::kind).containsExactly(8, 1, 1);
  }

  @Test
  void noOptionsGiveTwentyByteHeader() throws MalformedPacketException {
    Segment s = base().build();
    assertThat(TcpCodec.encodedLength(s)).isEqualTo(20);
    assertThat(TcpCodec.encode(s, SRC, DST)[12]).isEqualTo((byte) 0x50);
    assertThat(roundTrip(s).options()).isEmpty();
  }

  @Nested
  class Padding {
    @Test
    void oddOptionLengthIsPaddedWithZeros() {
      byte[] wire = TcpCodec.encode(base().options(new TcpOption.WindowScale(7)).build(), SRC, DST);
      assertThat(wire).hasSize(24);
      assertThat(wire[12]).isEqualTo((byte) 0x60);
      assertThat(Arrays.copyOfRange(wire, 20, 24)).isEqualTo(hex("030307 00"));
    }

    @Test
    void eolThatIsOnlyPaddingIsNotKept() throws MalformedPacketException {
      // wscale 7, EOL: a 24-byte header whose EOL is exactly the padding encoding adds anyway.
      byte[] wire = headerWithOptions("030307 00");
      Segment s = TcpCodec.decode(wire, 0, wire.length);
      assertThat(s.options()).containsExactly(new TcpOption.WindowScale(7));
      assertThat(reencode(s, wire)).isEqualTo(wire);
    }

    @Test
    void eolBeyondPaddingIsKeptSoTheHeaderLengthSurvives() throws MalformedPacketException {
      // mss 1460, EOL, 3 zeros: the header is 28 bytes although the MSS alone needs 24.
      byte[] wire = headerWithOptions("020405b4 00000000");
      Segment s = TcpCodec.decode(wire, 0, wire.length);
      assertThat(s.options()).containsExactly(new TcpOption.Mss(1460), TcpOption.Eol.INSTANCE);
      assertThat(reencode(s, wire)).isEqualTo(wire);
    }

    @Test
    void longZeroPaddingSurvivesReencoding() throws MalformedPacketException {
      byte[] wire = headerWithOptions("01010303 07000000 00000000 00000000");
      Segment s = TcpCodec.decode(wire, 0, wire.length);
      assertThat(s.windowScale()).isEqualTo(7);
      assertThat(s.options().subList(0, 3))
          .containsExactly(
              TcpOption.Nop.INSTANCE, TcpOption.Nop.INSTANCE, new TcpOption.WindowScale(7));
      assertThat(s.options().subList(3, s.options().size())).containsOnly(TcpOption.Eol.INSTANCE);
      assertThat(reencode(s, wire)).isEqualTo(wire);
    }

    @Test
    void eolAloneInAWordIsKept() throws MalformedPacketException {
      byte[] wire = headerWithOptions("00000000");
      Segment s = TcpCodec.decode(wire, 0, wire.length);
      assertThat(s.options()).containsExactly(TcpOption.Eol.INSTANCE);
      assertThat(reencode(s, wire)).isEqualTo(wire);
    }

    @Test
    void bytesAfterEolAreIgnored() throws MalformedPacketException {
      // Whatever follows EOL is padding (RFC 9293 §3.2), even if it looks like an option.
      byte[] wire = headerWithOptions("00020405 b4ffffff");
      Segment s = TcpCodec.decode(wire, 0, wire.length);
      assertThat(s.mss()).isEqualTo(-1);
      assertThat(TcpCodec.encodedLength(s)).isEqualTo(28);
    }

    @Test
    void segmentEndingInEolRoundTrips() throws MalformedPacketException {
      roundTrip(base().options(new TcpOption.Mss(1400), TcpOption.Eol.INSTANCE).build());
    }

    private byte[] reencode(Segment s, byte[] original) {
      byte[] again = TcpCodec.encode(s, SRC, DST);
      // The original was built with a zero checksum field; compare everything else.
      again[16] = original[16];
      again[17] = original[17];
      return again;
    }
  }

  /** A 20-byte ACK header with the given options appended and the data offset set to match. */
  static byte[] headerWithOptions(String optionHex) {
    byte[] opts = hex(optionHex);
    byte[] wire = concat(hex("03e8 0050 00000001 00000002 5010 1000 0000 0000"), opts);
    wire[12] = (byte) ((wire.length / 4) << 4);
    return wire;
  }

  @Nested
  class PayloadView {
    @Test
    void decodedPayloadIsASliceOfTheInputBuffer() throws MalformedPacketException {
      byte[] wire =
          TcpCodec.encode(linuxSyn().toBuilder().payload(hex("cafebabe01")).build(), SRC, DST);
      byte[] buf = new byte[7 + wire.length + 9];
      Arrays.fill(buf, (byte) 0x77); // link-layer junk around the segment
      System.arraycopy(wire, 0, buf, 7, wire.length);

      Segment s = TcpCodec.decode(buf, 7, wire.length, SRC, DST);

      assertThat(s.payloadArray()).isSameAs(buf);
      assertThat(s.payloadOffset()).isEqualTo(7 + 40);
      assertThat(s.payloadLength()).isEqualTo(5);
      assertThat(s.payload()).isEqualTo(hex("cafebabe01"));
      buf[7 + 40] = 0x11; // a view: later writes to the buffer show through
      assertThat(s.payloadByte(0)).isEqualTo((byte) 0x11);
    }

    @Test
    void encodesFromAPayloadViewSlice() throws MalformedPacketException {
      byte[] chunk = hex("000102030405060708090a0b");
      Segment s = base().payloadView(chunk, 3, 4).build();
      byte[] wire = TcpCodec.encode(s, SRC, DST);
      assertThat(Arrays.copyOfRange(wire, 20, wire.length)).isEqualTo(hex("03040506"));
      assertThat(TcpCodec.decode(wire, 0, wire.length, SRC, DST).payload())
          .isEqualTo(hex("03040506"));
    }

    @Test
    void encodeAtOffsetWritesOnlyItsRange() {
      Segment s = base().payload(hex("aabb")).build();
      byte[] dst = new byte[40];
      Arrays.fill(dst, (byte) 0x55);
      int n = TcpCodec.encode(s, dst, 10, SRC, DST);
      assertThat(n).isEqualTo(22);
      assertThat(Arrays.copyOfRange(dst, 10, 32)).isEqualTo(TcpCodec.encode(s, SRC, DST));
      assertThat(Arrays.copyOfRange(dst, 0, 10)).containsOnly((byte) 0x55);
      assertThat(Arrays.copyOfRange(dst, 32, 40)).containsOnly((byte) 0x55);
    }

    @Test
    void encodeIntoTooSmallArrayIsACallerError() {
      assertThatThrownBy(() -> TcpCodec.encode(base().build(), new byte[19], 0, SRC, DST))
          .isInstanceOf(IndexOutOfBoundsException.class);
      assertThatThrownBy(() -> TcpCodec.decode(new byte[20], 5, 20))
          .isInstanceOf(IndexOutOfBoundsException.class);
    }
  }

  @Nested
  class Ipv6 {
    final byte[] src = hex("20010db8000000000000000000000001");
    final byte[] dst = hex("20010db8000000000000000000000002");

    @Test
    void roundTripsWithIpv6PseudoHeader() throws MalformedPacketException {
      Segment s = linuxSyn().toBuilder().payload(hex("0102030405")).build();
      byte[] wire = TcpCodec.encode(s, src, dst);
      assertThat(InternetChecksum.tcpIpv6(wire, 0, wire.length, src, dst)).isZero();
      assertThat(TcpCodec.decode(wire, 0, wire.length, src, dst)).isEqualTo(s);
      byte[] into = new byte[wire.length + 4];
      assertThat(TcpCodec.encode(s, into, 4, src, dst)).isEqualTo(wire.length);
      assertThat(Arrays.copyOfRange(into, 4, into.length)).isEqualTo(wire);
    }

    @Test
    void wrongAddressFailsChecksum() {
      byte[] wire = TcpCodec.encode(linuxSyn(), src, dst);
      MalformedPacketException e = malformed(() -> TcpCodec.decode(wire, 0, wire.length, src, src));
      assertThat(e.problem()).isEqualTo(Problem.BAD_CHECKSUM);
      assertThat(e.getMessage()).contains("IPv6 pseudo-header");
    }

    @Test
    void addressesMustBe16Bytes() {
      assertThatThrownBy(() -> TcpCodec.encode(linuxSyn(), new byte[4], dst))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Nested
  class Malformed {
    @Test
    void shortBuffer() {
      byte[] wire = TcpCodec.encode(base().build(), SRC, DST);
      MalformedPacketException e = malformed(() -> TcpCodec.decode(wire, 0, 19));
      assertThat(e.problem()).isEqualTo(Problem.TRUNCATED);
      assertThat(e.offset()).isEqualTo(19);
      assertThat(e.getMessage())
          .isEqualTo("TCP segment is 19 bytes long but the fixed TCP header needs 20");
      assertThat(malformed(() -> TcpCodec.decode(new byte[0], 0, 0)).problem())
          .isEqualTo(Problem.TRUNCATED);
    }

    @Test
    void dataOffsetBelowFive() {
      byte[] wire = TcpCodec.encode(base().payload(new byte[8]).build(), SRC, DST);
      wire[12] = 0x40;
      MalformedPacketException e = malformed(() -> TcpCodec.decode(wire, 0, wire.length));
      assertThat(e.problem()).isEqualTo(Problem.BAD_DATA_OFFSET);
      assertThat(e.offset()).isEqualTo(12);
      assertThat(e.getMessage()).contains("4 words (16 bytes)").contains("less than");
      wire[12] = 0x00;
      assertThat(malformed(() -> TcpCodec.decode(wire, 0, wire.length)).problem())
          .isEqualTo(Problem.BAD_DATA_OFFSET);
    }

    @Test
    void dataOffsetPastTheBuffer() {
      byte[] wire = TcpCodec.encode(base().payload(new byte[8]).build(), SRC, DST);
      wire[12] = (byte) 0xf0; // 60 bytes in a 28-byte segment
      MalformedPacketException e = malformed(() -> TcpCodec.decode(wire, 0, wire.length));
      assertThat(e.problem()).isEqualTo(Problem.BAD_DATA_OFFSET);
      assertThat(e.offset()).isEqualTo(12);
      assertThat(e.getMessage())
          .isEqualTo(
              "TCP data offset at offset 12 is 15 words (60 bytes), but the segment is only 28"
                  + " bytes long");
    }

    @Test
    void optionLengthZeroOrOne() {
      for (String opts : List.of("02000000", "08010000")) {
        byte[] wire = headerWithOptions(opts);
        MalformedPacketException e = malformed(() -> TcpCodec.decode(wire, 0, wire.length));
        assertThat(e.problem()).isEqualTo(Problem.BAD_OPTION_LENGTH);
        assertThat(e.offset()).isEqualTo(20);
        assertThat(e.getMessage()).contains("at offset 20").contains("at least 2");
      }
    }

    @Test
    void optionRunningPastTheHeader() {
      // Ten NOPs, then timestamps (length 10) at offset 30 with 6 bytes of a 36-byte header left.
      byte[] wire = headerWithOptions("01010101 01010101 0101080a 00000000");
      MalformedPacketException e = malformed(() -> TcpCodec.decode(wire, 0, wire.length));
      assertThat(e.problem()).isEqualTo(Problem.OPTION_OVERRUN);
      assertThat(e.offset()).isEqualTo(30);
      assertThat(e.getMessage())
          .isEqualTo(
              "TCP option kind 8 at offset 30 has length 10 but only 6 bytes of option space"
                  + " remain");
    }

    @Test
    void optionOverrunDoesNotReadThePayload() {
      // The bytes after the header would complete the option, but they are payload.
      byte[] wire = concat(headerWithOptions("01010204"), hex("05b4"));
      MalformedPacketException e = malformed(() -> TcpCodec.decode(wire, 0, wire.length));
      assertThat(e.problem()).isEqualTo(Problem.OPTION_OVERRUN);
      assertThat(e.offset()).isEqualTo(22);
    }

    @Test
    void optionKindWithoutLengthByte() {
      byte[] wire = headerWithOptions("01010102");
      MalformedPacketException e = malformed(() -> TcpCodec.decode(wire, 0, wire.length));
      assertThat(e.problem()).isEqualTo(Problem.OPTION_OVERRUN);
      assertThat(e.offset()).isEqualTo(23);
      assertThat(e.getMessage()).contains("kind 2 at offset 23 has no length byte");
    }

    static Stream<Arguments> wrongKnownLengths() {
      return Stream.of(
          Arguments.of(
              "0203 0500", "MSS option (kind 2) at offset 20 has length 3 but must have length 4"),
          Arguments.of("0205 05b4 0000 0000", "MSS option (kind 2) at offset 20 has length 5"),
          Arguments.of("0302 0000", "window scale option (kind 3) at offset 20 has length 2"),
          Arguments.of("0304 0700", "window scale option (kind 3) at offset 20 has length 4"),
          Arguments.of("0403 0000", "SACK-permitted option (kind 4) at offset 20 has length 3"),
          Arguments.of(
              "0808 0000 0000 0000", "timestamps option (kind 8) at offset 20 has length 8"),
          Arguments.of(
              "080c 0000 0000 0000 0000 0000",
              "timestamps option (kind 8) at offset 20 has length 12"),
          Arguments.of("0502 0000", "SACK option (kind 5) at offset 20 has length 2"),
          Arguments.of(
              "0509 0000 0000 0000 0000 0000", "SACK option (kind 5) at offset 20 has length 9"),
          Arguments.of(
              "050c 0000 0000 0000 0000 0000", "SACK option (kind 5) at offset 20 has length 12"));
    }

    @ParameterizedTest
    @MethodSource("wrongKnownLengths")
    void wrongLengthForKnownOption(String options, String message) {
      byte[] wire = headerWithOptions(options);
      MalformedPacketException e = malformed(() -> TcpCodec.decode(wire, 0, wire.length));
      assertThat(e.problem()).isEqualTo(Problem.BAD_OPTION_LENGTH);
      assertThat(e.offset()).isEqualTo(20);
      assertThat(e.getMessage()).contains(message);
    }

    @Test
    void badChecksumNamesFoundAndComputedValues() {
      byte[] wire = LINUX_SYN.clone();
      wire[16] = 0x12;
      wire[17] = 0x34;
      MalformedPacketException e = malformed(() -> TcpCodec.decode(wire, 0, wire.length, SRC, DST));
      assertThat(e.problem()).isEqualTo(Problem.BAD_CHECKSUM);
      assertThat(e.offset()).isEqualTo(16);
      assertThat(e.getMessage())
          .isEqualTo(
              "TCP checksum at offset 16 is 0x1234 but the segment and its IPv4 pseudo-header give"
                  + " 0x199d");
    }

    @Test
    void corruptedPayloadOrWrongAddressFailsChecksum() {
      byte[] wire = TcpCodec.encode(base().payload(hex("0102030405")).build(), SRC, DST);
      assertThat(malformed(() -> TcpCodec.decode(wire, 0, wire.length, SRC, DST + 1)).problem())
          .isEqualTo(Problem.BAD_CHECKSUM);
      wire[wire.length - 1] ^= 0x40;
      assertThat(malformed(() -> TcpCodec.decode(wire, 0, wire.length, SRC, DST)).problem())
          .isEqualTo(Problem.BAD_CHECKSUM);
    }

    @Test
    void decodeWithoutAddressesSkipsTheChecksum() throws MalformedPacketException {
      byte[] wire = LINUX_SYN.clone();
      wire[16] = 0;
      wire[17] = 0;
      assertThat(TcpCodec.decode(wire, 0, wire.length)).isEqualTo(linuxSyn());
    }

    @Test
    void checksumFfffIsTheSameAsZero() throws MalformedPacketException {
      // One's complement has two zeros (RFC 1624 §3); a sender may put 0xffff where we compute 0.
      for (int seq = 0; ; seq++) {
        byte[] wire = TcpCodec.encode(base().seq(seq).build(), SRC, DST);
        if (TcpCodec.u16(wire, 16) != 0) continue;
        wire[16] = (byte) 0xff;
        wire[17] = (byte) 0xff;
        assertThat(TcpCodec.decode(wire, 0, wire.length, SRC, DST).seq()).isEqualTo(seq);
        return;
      }
    }
  }

  @Test
  void fuzzedPacketsDecodeOrFailCleanly() {
    List<byte[]> seeds = new ArrayList<>();
    seeds.add(LINUX_SYN);
    seeds.add(TcpCodec.encode(base().payload(hex("48656c6c6f2c20776f726c64")).build(), SRC, DST));
    seeds.add(
        TcpCodec.encode(
            base()
                .options(
                    TcpOption.Nop.INSTANCE,
                    TcpOption.Nop.INSTANCE,
                    new TcpOption.Timestamps(1, 2),
                    new TcpOption.Sack(
                        List.of(new TcpOption.Block(5, 9), new TcpOption.Block(20, 30))))
                .payload(new byte[33])
                .build(),
            SRC,
            DST));
    seeds.add(
        TcpCodec.encode(
            base()
                .options(new TcpOption.Unknown(77, hex("0102030405")), TcpOption.Eol.INSTANCE)
                .build(),
            SRC,
            DST));
    seeds.add(headerWithOptions("01010303 07000000 00000000 00000000"));

    Random rnd = new Random(0x7c91ab5eedL);
    int decoded = 0;
    int rejected = 0;
    for (int i = 0; i < 10_000; i++) {
      byte[] p = seeds.get(rnd.nextInt(seeds.size())).clone();
      int mutations = 1 + rnd.nextInt(4);
      for (int m = 0; m < mutations; m++) {
        int at = rnd.nextInt(p.length);
        switch (rnd.nextInt(4)) {
          case 0 -> p[at] ^= (byte) (1 << rnd.nextInt(8));
          case 1 -> p[at] = (byte) rnd.nextInt(256);
          case 2 -> p[12] = (byte) (rnd.nextInt(16) << 4); // data offset
          default -> { // small values in the option area: plausible kinds and lengths
            if (p.length > 20)
              p[20 + rnd.nextInt(Math.min(p.length, 60) - 20)] = (byte) rnd.nextInt(12);
          }
        }
      }
      int len = rnd.nextInt(4) == 0 ? rnd.nextInt(p.length + 1) : p.length;
      int off = rnd.nextInt(9);
      byte[] buf = new byte[off + len + rnd.nextInt(9)];
      rnd.nextBytes(buf);
      System.arraycopy(p, 0, buf, off, len);
      try {
        Segment s = TcpCodec.decode(buf, off, len);
        decoded++;
        byte[] again = TcpCodec.encode(s, SRC, DST);
        assertThat(TcpCodec.decode(again, 0, again.length, SRC, DST)).isEqualTo(s);
      } catch (MalformedPacketException e) {
        rejected++;
        assertThat(e.offset()).isBetween(0, len);
        assertThat(e.getMessage()).isNotBlank();
      } catch (RuntimeException e) {
        fail("iteration " + i + ": " + HexFormat.of().formatHex(buf, off, off + len), e);
      }
      try {
        TcpCodec.decode(buf, off, len, SRC, DST);
      } catch (MalformedPacketException e) {
        assertThat(e.offset()).isBetween(0, len);
      } catch (RuntimeException e) {
        fail("iteration " + i + " (checksum): " + HexFormat.of().formatHex(buf, off, off + len), e);
      }
    }
    // Both outcomes must actually happen, or the fuzzing is not exercising anything.
    assertThat(decoded).isGreaterThan(1000);
    assertThat(rejected).isGreaterThan(1000);
  }

  static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) n += p.length;
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }
}
