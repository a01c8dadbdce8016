package dev.tcplab.core.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The 64-bit fast path of the RFC 1071 sum agrees with the word-by-word definition. */
class InternetChecksumTest {
  /** RFC 1071 §1 literally: 16-bit big-endian words, end-around carry, odd byte padded. */
  static int reference(byte[] b, int off, int len) {
    long s = 0;
    for (int i = 0; i + 1 < len; i += 2) s += ((b[off + i] & 0xff) << 8) | (b[off + i + 1] & 0xff);
    if ((len & 1) != 0) s += (b[off + len - 1] & 0xff) << 8;
    while ((s >>> 16) != 0) s = (s & 0xffff) + (s >>> 16);
    return (int) s;
  }

  @Test
  void fastPathMatchesTheDefinitionForAnyOffsetAndLength() {
    Random r = new Random(1071);
    for (int k = 0; k < 20_000; k++) {
      byte[] b = new byte[r.nextInt(3000) + 1];
      if (k % 3 == 0) java.util.Arrays.fill(b, (byte) 0xff); // maximal carries
      else r.nextBytes(b);
      int off = r.nextInt(b.length);
      int len = r.nextInt(b.length - off + 1);
      assertThat(InternetChecksum.fold(InternetChecksum.sum(b, off, len, 0)))
          .as("offset %d length %d", off, len)
          .isEqualTo(reference(b, off, len));
    }
  }
}
