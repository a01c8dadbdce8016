package dev.tcplab.core.tcp;

import java.util.ArrayDeque;

/**
 * A FIFO of bytes held as immutable slices; the common part of {@link SendQueue} and {@link
 * ReceiveQueue}. The deque is created on first use, so an idle connection holds no buffer.
 */
class SliceQueue {
  private static final int SPARES = 256;
  private ArrayDeque<ByteSlice> slices;
  private long size;
  /** Slices whose bytes were consumed, reused for the next ones (a busy queue allocates none). */
  private ByteSlice[] spare;
  private int spareCount;

  /** A slice describing {@code array[offset, offset+length)}: a spare one when there is one. */
  ByteSlice slice(byte[] array, int offset, int length) {
    if (spareCount == 0) return new ByteSlice(array, offset, length);
    ByteSlice s = spare[--spareCount];
    s.array = array;
    s.offset = offset;
    s.length = length;
    return s;
  }

  long size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  void add(ByteSlice slice) {
    if (slice.length == 0) return;
    if (slices == null) slices = new ArrayDeque<>(4);
    slices.addLast(slice);
    size += slice.length;
  }

  ByteSlice last() {
    return slices == null ? null : slices.peekLast();
  }

  /** Records that {@code n} bytes were appended in place to the last slice. */
  void grewLast(int n) {
    slices.peekLast().length += n;
    size += n;
  }

  /**
   * The first {@code max} bytes (or fewer), removed from the queue, described in {@code out}: a view of
   * the head slice when it holds them, otherwise a copy of the bytes gathered from several slices.
   */
  ByteSlice take(int max, ByteSlice out) {
    int n = (int) Math.min(max, size);
    ByteSlice head = slices.peekFirst();
    if (head.length >= n) {
      out.array = head.array;
      out.offset = head.offset;
      out.length = n;
      consumeHead(head, n);
    } else {
      byte[] copy = new byte[n];
      int done = 0;
      while (done < n) {
        head = slices.peekFirst();
        int k = Math.min(head.length, n - done);
        System.arraycopy(head.array, head.offset, copy, done, k);
        consumeHead(head, k);
        done += k;
      }
      out.array = copy;
      out.offset = 0;
      out.length = n;
    }
    return out;
  }

  /** Copies up to {@code len} bytes into {@code dst} and removes them; returns the count. */
  int read(byte[] dst, int off, int len) {
    int done = 0;
    while (done < len && size > 0) {
      ByteSlice head = slices.peekFirst();
      int k = Math.min(head.length, len - done);
      System.arraycopy(head.array, head.offset, dst, off + done, k);
      consumeHead(head, k);
      done += k;
    }
    return done;
  }

  void clear() {
    if (slices != null) slices.clear();
    slices = null;
    size = 0;
    spare = null;
    spareCount = 0;
  }

  private void consumeHead(ByteSlice head, int n) {
    size -= n;
    if (n == head.length) {
      slices.pollFirst();
      head.array = null;
      if (spare == null) spare = new ByteSlice[SPARES];
      if (spareCount < SPARES) spare[spareCount++] = head;
    } else {
      head.advance(n);
    }
  }
}
