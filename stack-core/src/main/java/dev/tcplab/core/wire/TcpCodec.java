package dev.tcplab.core.wire;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkPositionIndexes;

import dev.tcplab.core.wire.MalformedPacketException.Problem;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Encodes {@link Segment}s to TCP header bytes and back (RFC 9293 §3.1 header format, §3.2
 * options).
 *
 * <p>Decoding allocates only the segment and its options: the payload is a {@code payloadView}
 * slice of the input buffer, which the caller must not modify afterwards. The four reserved bits of
 * byte 12 are ignored on input and written as zero.
 *
 * <p>Options are written in the given order and padded with zero bytes (EOL) to a 4-byte boundary.
 * On input, parsing stops at the first EOL; the rest of the header is padding. The EOL is kept in
 * the option list only when the header was longer than that padding needs, as {@link TcpOption.Eol}
 * entries enough to give the same header length on re-encoding. So {@code encode(decode(x))}
 * reproduces any header whose padding is zeros, and {@code decode(encode(s))} equals {@code s} for
 * any segment whose options contain no EOL.
 */
public final class TcpCodec {
  /** Length of the fixed TCP header (RFC 9293 §3.1). */
  public static final int MIN_HEADER_LENGTH = 20;

  /** Largest header: data offset 15 words (RFC 9293 §3.1). */
  public static final int MAX_HEADER_LENGTH = 60;

  private static final int CHECKSUM_OFFSET = 16;
  private static final int NO_CHECKSUM = -1;

  /** Linux's option layout on data segments and ACKs: NOP, NOP, kind 8, length 10, TSval, TSecr. */
  private static final int TIMESTAMPS_LAYOUT_LENGTH = 12;
  /** Its first four bytes, big-endian. */
  private static final int TIMESTAMPS_LAYOUT_START =
      (TcpOption.KIND_NOP << 24) | (TcpOption.KIND_NOP << 16) | (TcpOption.KIND_TIMESTAMPS << 8) | 10;

  private TcpCodec() {}

  // ---------------------------------------------------------------------------------------------
  // Decoding

  /** Parses the segment in {@code buf[off, off+len)} without verifying its checksum. */
  public static Segment decode(byte[] buf, int off, int len) throws MalformedPacketException {
    checkPositionIndexes(off, off + len, checkNotNull(buf).length);
    return decode(buf, off, len, 0, NO_CHECKSUM, null, false);
  }

  /** Parses the segment in {@code buf[off, off+len)} and verifies its checksum over IPv4. */
  public static Segment decode(byte[] buf, int off, int len, int srcIpv4, int dstIpv4)
      throws MalformedPacketException {
    checkPositionIndexes(off, off + len, checkNotNull(buf).length);
    checkArgument(len <= 0xffff, "TCP segment over IPv4 longer than 65535 bytes: %s", len);
    return decodeIpv4(buf, off, len, srcIpv4, dstIpv4, 0);
  }

  /** Parses the segment in {@code buf[off, off+len)} and verifies its checksum over IPv6. */
  public static Segment decode(byte[] buf, int off, int len, byte[] src16, byte[] dst16)
      throws MalformedPacketException {
    checkPositionIndexes(off, off + len, checkNotNull(buf).length);
    int pseudo =
        InternetChecksum.pseudoHeaderIpv6(src16, dst16, InternetChecksum.PROTOCOL_TCP, len);
    return decode(buf, off, len, 0, pseudo, "IPv6", false);
  }

  /**
   * For {@link IpPacketCodec#decodeCaptured}: without checksum, and a header cut short by the
   * capture's snapshot length keeps its fixed part and the options that fit whole. Exception
   * offsets are {@code base + (i - off)}.
   */
  static Segment decodeCaptured(byte[] b, int off, int len, int base)
      throws MalformedPacketException {
    return decode(b, off, len, base, NO_CHECKSUM, null, true);
  }

  /** One past the last option that lies whole in {@code b[start, limit)}. */
  private static int wholeOptionsEnd(byte[] b, int start, int limit) {
    int end = start;
    while (end < limit) {
      int kind = b[end] & 0xff;
      if (kind == TcpOption.KIND_EOL || kind == TcpOption.KIND_NOP) {
        end++;
        continue;
      }
      if (end + 1 >= limit) break;
      int optionLength = b[end + 1] & 0xff;
      if (optionLength < 2 || end + optionLength > limit) break;
      end += optionLength;
    }
    return end;
  }

  /** The header length the data offset of the segment at {@code b[off]} declares. */
  static int declaredHeaderLength(byte[] b, int off) {
    return ((b[off + 12] >>> 4) & 0xf) * 4;
  }

  /** For {@link IpPacketCodec}: offsets in exceptions are reported as {@code base + (i - off)}. */
  static Segment decodeIpv4(byte[] buf, int off, int len, int srcIpv4, int dstIpv4, int base)
      throws MalformedPacketException {
    int pseudo =
        InternetChecksum.pseudoHeaderIpv4(srcIpv4, dstIpv4, InternetChecksum.PROTOCOL_TCP, len);
    return decode(buf, off, len, base, pseudo, "IPv4", false);
  }

  /** For {@link IpPacketCodec}: offsets in exceptions are reported as {@code base + (i - off)}. */
  static Segment decodeIpv6(byte[] buf, int off, int len, byte[] src16, byte[] dst16, int base)
      throws MalformedPacketException {
    int pseudo =
        InternetChecksum.pseudoHeaderIpv6(src16, dst16, InternetChecksum.PROTOCOL_TCP, len);
    return decode(buf, off, len, base, pseudo, "IPv6", false);
  }

  /**
   * The decoder proper. {@code pseudo} is the pseudo-header partial sum, or {@link #NO_CHECKSUM};
   * reported offsets are relative to {@code off}, plus {@code base}. {@code cut}: the segment may
   * stop inside its options (a capture's snapshot length), which are then kept as far as they go.
   */
  private static Segment decode(
      byte[] b, int off, int len, int base, int pseudo, String ipVersion, boolean cut)
      throws MalformedPacketException {
    int origin = off - base; // buffer index that is reported as offset 0
    // RFC 9293 §3.1: the fixed header is 20 bytes.
    if (len < MIN_HEADER_LENGTH) {
      throw new MalformedPacketException(
          Problem.TRUNCATED,
          base + len,
          String.format(
              "TCP segment is %d bytes long but the fixed TCP header needs %d",
              len, MIN_HEADER_LENGTH));
    }
    // RFC 9293 §3.1: Data Offset is the header length in 32-bit words, at least 5.
    int dataOffset = (b[off + 12] >>> 4) & 0xf;
    int headerLength = dataOffset * 4;
    if (dataOffset < 5) {
      throw new MalformedPacketException(
          Problem.BAD_DATA_OFFSET,
          base + 12,
          String.format(
              "TCP data offset at offset %d is %d words (%d bytes), less than the 5-word (20-byte)"
                  + " fixed header",
              base + 12, dataOffset, headerLength));
    }
    int optionsEnd = off + headerLength;
    if (headerLength > len && cut) {
      optionsEnd = wholeOptionsEnd(b, off + MIN_HEADER_LENGTH, off + len);
      headerLength = len; // no payload was captured
    } else if (headerLength > len) {
      throw new MalformedPacketException(
          Problem.BAD_DATA_OFFSET,
          base + 12,
          String.format(
              "TCP data offset at offset %d is %d words (%d bytes), but the segment is only %d"
                  + " bytes long",
              base + 12, dataOffset, headerLength, len));
    }
    // Like Linux tcp_v4_rcv: header length is checked first, then the checksum, then the options.
    if (pseudo != NO_CHECKSUM) {
      verifyChecksum(b, off, len, base, pseudo, ipVersion);
    }
    Segment.Builder segment = Segment.builder();
    if (optionsEnd == off + MIN_HEADER_LENGTH + TIMESTAMPS_LAYOUT_LENGTH
        && u32(b, off + MIN_HEADER_LENGTH) == TIMESTAMPS_LAYOUT_START) {
      // NOP, NOP, TS and nothing else, as on every Linux data segment and ACK: the same segment as
      // parseOptions would give (Segment.options() lists exactly these three), without the list.
      segment.timestamps(u32(b, off + MIN_HEADER_LENGTH + 4), u32(b, off + MIN_HEADER_LENGTH + 8));
    } else {
      segment.options(parseOptions(b, off + MIN_HEADER_LENGTH, optionsEnd, origin));
    }
    return segment
        .srcPort(u16(b, off))
        .dstPort(u16(b, off + 2))
        .seq(u32(b, off + 4))
        .ack(u32(b, off + 8))
        .flags(b[off + 13] & 0xff)
        .window(u16(b, off + 14))
        .urgentPointer(u16(b, off + 18))
        .payloadView(b, off + headerLength, len - headerLength)
        .build();
  }

  // RFC 1071 §1: data including its checksum sums to all ones when intact.
  private static void verifyChecksum(
      byte[] b, int off, int len, int base, int pseudo, String ipVersion)
      throws MalformedPacketException {
    int all = InternetChecksum.sum(b, off, len, pseudo);
    if (InternetChecksum.verifies(all)) return;
    int found = u16(b, off + CHECKSUM_OFFSET);
    int withoutField = InternetChecksum.sum(b, off, CHECKSUM_OFFSET, pseudo);
    withoutField =
        InternetChecksum.sum(b, off + CHECKSUM_OFFSET + 2, len - CHECKSUM_OFFSET - 2, withoutField);
    int computed = InternetChecksum.finish(withoutField);
    throw new MalformedPacketException(
        Problem.BAD_CHECKSUM,
        base + CHECKSUM_OFFSET,
        String.format(
            "TCP checksum at offset %d is 0x%04x but the segment and its %s pseudo-header give"
                + " 0x%04x",
            base + CHECKSUM_OFFSET, found, ipVersion, computed));
  }

  // RFC 9293 §3.2: options are kind, or kind-length-data; length counts kind and length bytes.
  private static List<TcpOption> parseOptions(byte[] b, int start, int end, int origin)
      throws MalformedPacketException {
    if (start == end) return List.of();
    List<TcpOption> options = new ArrayList<>(8);
    int i = start;
    while (i < end) {
      int kind = b[i] & 0xff;
      if (kind == TcpOption.KIND_EOL) {
        addEolPadding(options, i - start, end - start);
        break;
      }
      if (kind == TcpOption.KIND_NOP) {
        options.add(TcpOption.Nop.INSTANCE);
        i++;
        continue;
      }
      if (i + 1 >= end) {
        throw new MalformedPacketException(
            Problem.OPTION_OVERRUN,
            i - origin,
            String.format(
                "TCP option kind %d at offset %d has no length byte: the header ends right after"
                    + " its kind byte",
                kind, i - origin));
      }
      int length = b[i + 1] & 0xff;
      if (length < 2) {
        throw new MalformedPacketException(
            Problem.BAD_OPTION_LENGTH,
            i - origin,
            String.format(
                "TCP option kind %d at offset %d has length %d, but the length counts the kind and"
                    + " length bytes and must be at least 2",
                kind, i - origin, length));
      }
      if (length > end - i) {
        throw new MalformedPacketException(
            Problem.OPTION_OVERRUN,
            i - origin,
            String.format(
                "TCP option kind %d at offset %d has length %d but only %d bytes of option space"
                    + " remain",
                kind, i - origin, length, end - i));
      }
      options.add(parseOption(b, i, kind, length, origin));
      i += length;
    }
    return options;
  }

  /**
   * After an EOL at option byte {@code used} of {@code space}: the zero padding that encoding adds
   * reaches {@code roundUp4(used)}; if the header is longer, keep enough EOLs to reach it again.
   */
  private static void addEolPadding(List<TcpOption> options, int used, int space) {
    if (roundUp4(used) == space) return;
    for (int k = space - 3 - used; k > 0; k--) options.add(TcpOption.Eol.INSTANCE);
  }

  private static TcpOption parseOption(byte[] b, int i, int kind, int length, int origin)
      throws MalformedPacketException {
    switch (kind) {
      case TcpOption.KIND_MSS: // RFC 9293 §3.2: kind 2, length 4
        checkLength(kind, "MSS", i, length, 4, origin);
        return new TcpOption.Mss(u16(b, i + 2));
      case TcpOption.KIND_WINDOW_SCALE: // RFC 7323 §2.2: kind 3, length 3
        checkLength(kind, "window scale", i, length, 3, origin);
        return new TcpOption.WindowScale(b[i + 2] & 0xff);
      case TcpOption.KIND_SACK_PERMITTED: // RFC 2018 §2: kind 4, length 2
        checkLength(kind, "SACK-permitted", i, length, 2, origin);
        return TcpOption.SackPermitted.INSTANCE;
      case TcpOption.KIND_SACK: // RFC 2018 §3: kind 5, length 2 + 8n
        {
          int n = (length - 2) / 8;
          if ((length - 2) % 8 != 0 || n < 1 || n > 4) {
            throw new MalformedPacketException(
                Problem.BAD_OPTION_LENGTH,
                i - origin,
                String.format(
                    "TCP SACK option (kind 5) at offset %d has length %d, but it must be 2 + 8 per"
                        + " block for 1 to 4 blocks (10, 18, 26 or 34)",
                    i - origin, length));
          }
          TcpOption.Block[] blocks = new TcpOption.Block[n];
          for (int k = 0; k < n; k++) {
            int p = i + 2 + 8 * k;
            blocks[k] = new TcpOption.Block(u32(b, p), u32(b, p + 4));
          }
          return new TcpOption.Sack(List.of(blocks));
        }
      case TcpOption.KIND_TIMESTAMPS: // RFC 7323 §3.2: kind 8, length 10
        checkLength(kind, "timestamps", i, length, 10, origin);
        return new TcpOption.Timestamps(u32(b, i + 2), u32(b, i + 6));
      default:
        return new TcpOption.Unknown(kind, Arrays.copyOfRange(b, i + 2, i + length));
    }
  }

  private static void checkLength(
      int kind, String name, int i, int length, int expected, int origin)
      throws MalformedPacketException {
    if (length != expected) {
      throw new MalformedPacketException(
          Problem.BAD_OPTION_LENGTH,
          i - origin,
          String.format(
              "TCP %s option (kind %d) at offset %d has length %d but must have length %d",
              name, kind, i - origin, length, expected));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Encoding

  /** Header length for {@code s}: 20 bytes plus its options padded to a 4-byte boundary. */
  public static int headerLength(Segment s) {
    // The timestamps-only layout is 12 bytes; asking s.options() would build its list on every call.
    if (s.timestampsOnly()) return MIN_HEADER_LENGTH + TIMESTAMPS_LAYOUT_LENGTH;
    int optionBytes = 0;
    for (TcpOption o : s.options()) optionBytes += o.encodedLength();
    return MIN_HEADER_LENGTH + roundUp4(optionBytes);
  }

  /** Bytes {@link #encode} writes for {@code s}: header, options with padding, payload. */
  public static int encodedLength(Segment s) {
    return headerLength(checkNotNull(s)) + s.payloadLength();
  }

  /**
   * Writes {@code s} to {@code dst} at {@code off} with its checksum over the IPv4 pseudo-header;
   * returns the bytes written.
   */
  public static int encode(Segment s, byte[] dst, int off, int srcIpv4, int dstIpv4) {
    int n = encodedLength(s);
    checkArgument(n <= 0xffff, "TCP segment over IPv4 longer than 65535 bytes: %s", n);
    checkPositionIndexes(off, off + n, checkNotNull(dst).length);
    write(s, dst, off);
    int pseudo =
        InternetChecksum.pseudoHeaderIpv4(srcIpv4, dstIpv4, InternetChecksum.PROTOCOL_TCP, n);
    putU16(
        dst,
        off + CHECKSUM_OFFSET,
        InternetChecksum.finish(InternetChecksum.sum(dst, off, n, pseudo)));
    return n;
  }

  /** {@code s} as a new array, checksummed over the IPv4 pseudo-header. */
  public static byte[] encode(Segment s, int srcIpv4, int dstIpv4) {
    byte[] out = new byte[encodedLength(s)];
    encode(s, out, 0, srcIpv4, dstIpv4);
    return out;
  }

  /**
   * Writes {@code s} to {@code dst} at {@code off} with its checksum over the IPv6 pseudo-header;
   * returns the bytes written.
   */
  public static int encode(Segment s, byte[] dst, int off, byte[] src16, byte[] dst16) {
    int n = encodedLength(s);
    checkPositionIndexes(off, off + n, checkNotNull(dst).length);
    int pseudo = InternetChecksum.pseudoHeaderIpv6(src16, dst16, InternetChecksum.PROTOCOL_TCP, n);
    write(s, dst, off);
    putU16(
        dst,
        off + CHECKSUM_OFFSET,
        InternetChecksum.finish(InternetChecksum.sum(dst, off, n, pseudo)));
    return n;
  }

  /** {@code s} as a new array, checksummed over the IPv6 pseudo-header. */
  public static byte[] encode(Segment s, byte[] src16, byte[] dst16) {
    byte[] out = new byte[encodedLength(s)];
    encode(s, out, 0, src16, dst16);
    return out;
  }

  /** Writes header, options, padding and payload with a zero checksum field (RFC 9293 §3.1). */
  private static void write(Segment s, byte[] b, int off) {
    int headerLength = headerLength(s);
    putU16(b, off, s.srcPort());
    putU16(b, off + 2, s.dstPort());
    putU32(b, off + 4, s.seq());
    putU32(b, off + 8, s.ack());
    b[off + 12] = (byte) ((headerLength / 4) << 4); // data offset; reserved bits zero
    b[off + 13] = (byte) s.flags();
    putU16(b, off + 14, s.window());
    putU16(b, off + CHECKSUM_OFFSET, 0);
    putU16(b, off + 18, s.urgentPointer());
    int p = off + MIN_HEADER_LENGTH;
    if (s.timestampsOnly()) {
      // NOP, NOP, TS written directly: the same bytes as writeOption over s.options().
      putU32(b, p, TIMESTAMPS_LAYOUT_START);
      putU32(b, p + 4, s.tsVal());
      putU32(b, p + 8, s.tsEcr());
      p += TIMESTAMPS_LAYOUT_LENGTH;
    } else {
      for (TcpOption o : s.options()) p = writeOption(o, b, p);
    }
    Arrays.fill(b, p, off + headerLength, (byte) 0); // RFC 9293 §3.1: padding is zeros
    System.arraycopy(s.payloadArray(), s.payloadOffset(), b, off + headerLength, s.payloadLength());
  }

  private static int writeOption(TcpOption o, byte[] b, int p) {
    b[p] = (byte) o.kind();
    if (o instanceof TcpOption.Eol || o instanceof TcpOption.Nop) return p + 1;
    b[p + 1] = (byte) o.encodedLength();
    if (o instanceof TcpOption.Mss m) {
      putU16(b, p + 2, m.value());
    } else if (o instanceof TcpOption.WindowScale w) {
      b[p + 2] = (byte) w.shift();
    } else if (o instanceof TcpOption.Sack sack) {
      int q = p + 2;
      for (TcpOption.Block block : sack.blocks()) {
        putU32(b, q, block.left());
        putU32(b, q + 4, block.right());
        q += 8;
      }
    } else if (o instanceof TcpOption.Timestamps t) {
      putU32(b, p + 2, t.tsVal());
      putU32(b, p + 6, t.tsEcr());
    } else if (o instanceof TcpOption.Unknown u) {
      byte[] data = u.data();
      System.arraycopy(data, 0, b, p + 2, data.length);
    }
    // SackPermitted: kind and length only.
    return p + o.encodedLength();
  }

  // ---------------------------------------------------------------------------------------------
  // Big-endian field access (RFC 9293 §3.1: network byte order).

  static int u16(byte[] b, int i) {
    return ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
  }

  static int u32(byte[] b, int i) {
    return ((b[i] & 0xff) << 24)
        | ((b[i + 1] & 0xff) << 16)
        | ((b[i + 2] & 0xff) << 8)
        | (b[i + 3] & 0xff);
  }

  static void putU16(byte[] b, int i, int v) {
    b[i] = (byte) (v >>> 8);
    b[i + 1] = (byte) v;
  }

  static void putU32(byte[] b, int i, int v) {
    b[i] = (byte) (v >>> 24);
    b[i + 1] = (byte) (v >>> 16);
    b[i + 2] = (byte) (v >>> 8);
    b[i + 3] = (byte) v;
  }

  private static int roundUp4(int n) {
    return (n + 3) & ~3;
  }
}
