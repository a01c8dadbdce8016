package dev.tcplab.core.wire;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkPositionIndexes;

/**
 * The Internet checksum (RFC 1071): the 16-bit one's complement of the one's complement sum of the
 * data taken as big-endian 16-bit words, a trailing odd byte padded with a zero byte.
 *
 * <p>Sums are built up as non-negative {@code int} "partial sums" whose carries are folded back
 * only when needed (RFC 1071 §2(C), deferred carries), so nothing is allocated. Partial sums of
 * several pieces may be added together and passed on, as long as every piece but the last has an
 * even length. {@link #finish} turns a partial sum into the checksum to put on the wire.
 */
public final class InternetChecksum {
  /** IP protocol number of TCP (RFC 9293 §3.1). */
  public static final int PROTOCOL_TCP = 6;

  // Words added between folds: 0xffff + 0x7fff * 0xffff < 2^31, so the int never overflows.
  private static final int WORDS_PER_FOLD = 0x7fff;

  private InternetChecksum() {}

  /**
   * Adds {@code buf[off, off+len)} as 16-bit big-endian words to the partial sum {@code acc} (RFC
   * 1071 §4.1); an odd last byte counts as its high half. Returns a new partial sum.
   */
  private static final java.lang.invoke.VarHandle BIG_ENDIAN_LONGS =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(
          long[].class, java.nio.ByteOrder.BIG_ENDIAN);

  public static int sum(byte[] buf, int off, int len, int acc) {
    checkPositionIndexes(off, off + len, buf.length);
    checkArgument(acc >= 0, "Partial sum must be non-negative: %s", acc);
    int s = fold(acc);
    int i = off;
    int evenEnd = off + (len & ~1);
    // RFC 1071 §2(C): sum 64 bits at a time (four 16-bit words, big-endian), carries folded at the end
    int wideEnd = off + (len & ~7);
    if (wideEnd - off >= 64) {
      long wide = 0;
      for (; i < wideEnd; i += 8) {
        long v = (long) BIG_ENDIAN_LONGS.get(buf, i);
        wide += (v >>> 32) + (v & 0xffffffffL); // each term < 2^33: no overflow below 2^30 steps
      }
      wide = (wide & 0xffffffffL) + (wide >>> 32);
      wide = (wide & 0xffffffffL) + (wide >>> 32);
      int w = (int) ((wide & 0xffff) + ((wide >>> 16) & 0xffff) + (wide >>> 32));
      s += fold(w);
    }
    while (i < evenEnd) {
      int stop = Math.min(evenEnd, i + 2 * WORDS_PER_FOLD);
      for (; i < stop; i += 2) {
        s += ((buf[i] & 0xff) << 8) | (buf[i + 1] & 0xff);
      }
      s = (s & 0xffff) + (s >>> 16);
    }
    if ((len & 1) != 0) {
      s += (buf[evenEnd] & 0xff) << 8;
    }
    return s;
  }

  /** Folds the carries of a partial sum back in (end-around carry, RFC 1071 §2(B)): 0..0xffff. */
  public static int fold(int acc) {
    int s = (acc & 0xffff) + (acc >>> 16);
    s = (s & 0xffff) + (s >>> 16);
    return s;
  }

  /** The checksum field value for a partial sum: the one's complement of the folded sum. */
  public static int finish(int acc) {
    return ~fold(acc) & 0xffff;
  }

  /** The RFC 1071 checksum of {@code buf[off, off+len)}. */
  public static int checksum(byte[] buf, int off, int len) {
    return finish(sum(buf, off, len, 0));
  }

  /**
   * True when data that already contains its checksum field sums to all ones, i.e. the checksum
   * verifies (RFC 1071 §1: "the result is checked ... all 1 bits"). Takes a partial sum.
   */
  public static boolean verifies(int acc) {
    return fold(acc) == 0xffff;
  }

  /**
   * The partial sum of the IPv4 pseudo-header (RFC 9293 §3.1): source and destination address, a
   * zero byte, the protocol, and the upper-layer length.
   */
  public static int pseudoHeaderIpv4(int src, int dst, int protocol, int length) {
    checkArgument(protocol >= 0 && protocol <= 0xff, "Protocol out of range: %s", protocol);
    checkArgument(
        length >= 0 && length <= 0xffff, "IPv4 upper-layer length out of range: %s", length);
    return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + protocol + length;
  }

  /**
   * The partial sum of the IPv6 pseudo-header (RFC 8200 §8.1): 16-byte source and destination, the
   * 32-bit upper-layer length, three zero bytes and the next-header value.
   */
  public static int pseudoHeaderIpv6(byte[] src16, byte[] dst16, int nextHeader, int length) {
    checkArgument(
        checkNotNull(src16).length == 16, "IPv6 address must be 16 bytes: %s", src16.length);
    checkArgument(
        checkNotNull(dst16).length == 16, "IPv6 address must be 16 bytes: %s", dst16.length);
    checkArgument(
        nextHeader >= 0 && nextHeader <= 0xff, "Next header out of range: %s", nextHeader);
    checkArgument(length >= 0, "Upper-layer length out of range: %s", length);
    int s = sum(src16, 0, 16, 0);
    s = sum(dst16, 0, 16, s);
    return s + (length >>> 16) + (length & 0xffff) + nextHeader;
  }

  /** The TCP checksum of {@code buf[off, off+len)} (checksum field included as it is) over IPv4. */
  public static int tcpIpv4(byte[] buf, int off, int len, int src, int dst) {
    return finish(sum(buf, off, len, pseudoHeaderIpv4(src, dst, PROTOCOL_TCP, len)));
  }

  /** The TCP checksum of {@code buf[off, off+len)} (checksum field included as it is) over IPv6. */
  public static int tcpIpv6(byte[] buf, int off, int len, byte[] src16, byte[] dst16) {
    return finish(sum(buf, off, len, pseudoHeaderIpv6(src16, dst16, PROTOCOL_TCP, len)));
  }
}
