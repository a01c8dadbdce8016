package dev.tcplab.core.tcp;

/**
 * A range of an array that nobody writes to again: a send-queue chunk or a received payload. Queues hold
 * slices so that payload moves from queue to segment to queue without copying.
 */
final class ByteSlice {
  static final ByteSlice EMPTY = new ByteSlice(new byte[0], 0, 0);

  byte[] array;
  int offset;
  int length;

  ByteSlice(byte[] array, int offset, int length) {
    this.array = array;
    this.offset = offset;
    this.length = length;
  }

  /** Drops the first {@code n} bytes. */
  void advance(int n) {
    offset += n;
    length -= n;
  }
}
