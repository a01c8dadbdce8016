package dev.tcplab.core.wire;

/**
 * Sequence-number arithmetic modulo 2^32 (RFC 9293 §3.4).
 *
 * <p>Sequence numbers are carried as Java {@code int}s; every comparison is the sign of the 32-bit
 * difference, as in FreeBSD's {@code SEQ_LT(a,b) ((int)((a)-(b)) < 0)}. Never compare two sequence
 * numbers with a raw {@code <}.
 */
public final class SeqNum {
  private SeqNum() {}

  /** {@code a < b} modulo 2^32. */
  public static boolean lt(int a, int b) {
    return a - b < 0;
  }

  /** {@code a <= b} modulo 2^32. */
  public static boolean leq(int a, int b) {
    return a - b <= 0;
  }

  /** {@code a > b} modulo 2^32. */
  public static boolean gt(int a, int b) {
    return a - b > 0;
  }

  /** {@code a >= b} modulo 2^32. */
  public static boolean geq(int a, int b) {
    return a - b >= 0;
  }

  /** {@code a + n} modulo 2^32. */
  public static int plus(int a, long n) {
    return (int) (a + n);
  }

  /** The signed distance {@code a - b} (meaningful when the two are within 2^31 of each other). */
  public static int diff(int a, int b) {
    return a - b;
  }

  /** The larger of two sequence numbers modulo 2^32. */
  public static int max(int a, int b) {
    return gt(a, b) ? a : b;
  }

  /** The smaller of two sequence numbers modulo 2^32. */
  public static int min(int a, int b) {
    return lt(a, b) ? a : b;
  }

  /** {@code start <= x < start + length} modulo 2^32; false for an empty window. */
  public static boolean inWindow(int x, int start, long length) {
    return length > 0 && Integer.toUnsignedLong(x - start) < length;
  }

  /** The unsigned value, for printing. */
  public static long unsigned(int a) {
    return Integer.toUnsignedLong(a);
  }
}
