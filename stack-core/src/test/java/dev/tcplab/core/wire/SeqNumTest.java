package dev.tcplab.core.wire;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** RFC 9293 §3.4: sequence numbers compare modulo 2^32. */
class SeqNumTest {
  @Test
  void comparesPlainNumbers() {
    assertThat(SeqNum.lt(1, 2)).isTrue();
    assertThat(SeqNum.lt(2, 1)).isFalse();
    assertThat(SeqNum.lt(5, 5)).isFalse();
    assertThat(SeqNum.leq(5, 5)).isTrue();
    assertThat(SeqNum.gt(2, 1)).isTrue();
    assertThat(SeqNum.gt(5, 5)).isFalse();
    assertThat(SeqNum.geq(5, 5)).isTrue();
    assertThat(SeqNum.geq(4, 5)).isFalse();
  }

  @Test
  void comparesAcrossTheWrap() {
    int beforeWrap = 0xfffffff0;
    int afterWrap = 0x10;
    assertThat(SeqNum.lt(beforeWrap, afterWrap)).isTrue();
    assertThat(SeqNum.leq(beforeWrap, afterWrap)).isTrue();
    assertThat(SeqNum.gt(afterWrap, beforeWrap)).isTrue();
    assertThat(SeqNum.geq(afterWrap, beforeWrap)).isTrue();
    assertThat(SeqNum.gt(beforeWrap, afterWrap)).isFalse();
    assertThat(SeqNum.lt(afterWrap, beforeWrap)).isFalse();
    assertThat(SeqNum.lt(0xffffffff, 0)).isTrue();
    assertThat(SeqNum.diff(afterWrap, beforeWrap)).isEqualTo(0x20);
    assertThat(SeqNum.diff(beforeWrap, afterWrap)).isEqualTo(-0x20);
  }

  @Test
  void comparesAcrossTheSignBoundary() {
    // 0x7fffffff and 0x80000000 are adjacent in sequence space even though the ints have opposite
    // signs.
    assertThat(SeqNum.lt(0x7fffffff, 0x80000000)).isTrue();
    assertThat(SeqNum.gt(0x80000000, 0x7fffffff)).isTrue();
    assertThat(SeqNum.lt(0x7ffffff0, 0x80000010)).isTrue();
  }

  @Test
  void plusWrapsAround() {
    assertThat(SeqNum.plus(0xfffffff0, 0x20)).isEqualTo(0x10);
    assertThat(SeqNum.plus(0xffffffff, 1)).isZero();
    assertThat(SeqNum.plus(0, 0x1_0000_0000L)).isZero();
    assertThat(SeqNum.plus(0x10, -0x20)).isEqualTo(0xfffffff0);
    assertThat(SeqNum.plus(5, 0xffffffffL)).isEqualTo(4);
  }

  @Test
  void maxAndMinAcrossTheWrap() {
    assertThat(SeqNum.max(0xfffffff0, 0x10)).isEqualTo(0x10);
    assertThat(SeqNum.max(0x10, 0xfffffff0)).isEqualTo(0x10);
    assertThat(SeqNum.min(0xfffffff0, 0x10)).isEqualTo(0xfffffff0);
    assertThat(SeqNum.min(0x10, 0xfffffff0)).isEqualTo(0xfffffff0);
    assertThat(SeqNum.max(7, 7)).isEqualTo(7);
    assertThat(SeqNum.min(3, 9)).isEqualTo(3);
  }

  @Test
  void inWindowPlain() {
    assertThat(SeqNum.inWindow(100, 100, 10)).isTrue();
    assertThat(SeqNum.inWindow(109, 100, 10)).isTrue();
    assertThat(SeqNum.inWindow(110, 100, 10)).isFalse();
    assertThat(SeqNum.inWindow(99, 100, 10)).isFalse();
  }

  @Test
  void inWindowStraddlingTheWrap() {
    int start = 0xfffffff8;
    long length = 16; // covers 0xfffffff8 .. 0x00000007
    assertThat(SeqNum.inWindow(0xfffffff8, start, length)).isTrue();
    assertThat(SeqNum.inWindow(0xffffffff, start, length)).isTrue();
    assertThat(SeqNum.inWindow(0, start, length)).isTrue();
    assertThat(SeqNum.inWindow(7, start, length)).isTrue();
    assertThat(SeqNum.inWindow(8, start, length)).isFalse();
    assertThat(SeqNum.inWindow(0xfffffff7, start, length)).isFalse();
  }

  @Test
  void emptyWindowContainsNothing() {
    assertThat(SeqNum.inWindow(100, 100, 0)).isFalse();
    assertThat(SeqNum.inWindow(0, 0, 0)).isFalse();
    assertThat(SeqNum.inWindow(0xffffffff, 0xffffffff, 0)).isFalse();
  }

  @Test
  void largeWindows() {
    // A window of 2^31 (a full half of sequence space) and the full 2^32 space.
    assertThat(SeqNum.inWindow(0x7fffffff, 0, 0x8000_0000L)).isTrue();
    assertThat(SeqNum.inWindow(0x80000000, 0, 0x8000_0000L)).isFalse();
    assertThat(SeqNum.inWindow(0xdeadbeef, 12345, 0x1_0000_0000L)).isTrue();
  }

  @Test
  void unsignedForPrinting() {
    assertThat(SeqNum.unsigned(0xffffffff)).isEqualTo(4294967295L);
    assertThat(SeqNum.unsigned(0x80000000)).isEqualTo(2147483648L);
    assertThat(SeqNum.unsigned(42)).isEqualTo(42L);
  }
}
