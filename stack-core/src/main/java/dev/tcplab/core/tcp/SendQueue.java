package dev.tcplab.core.tcp;

/**
 * Bytes the application wrote that have not been sent yet (RFC 9293 §3.3.1: beyond SND.NXT). Writes
 * are copied once into chunks; a chunk's bytes never change after they are written, so segments carry
 * views of them.
 */
final class SendQueue extends SliceQueue {
  private static final int MIN_CHUNK = 4096;
  /** Describes the last {@link #take}: reused, so taking a segment's bytes allocates nothing. */
  private ByteSlice taken;
  /** Free space at the end of the last chunk's array, where small writes are appended. */
  private int tailFree;

  /** Copies {@code len} bytes of {@code src} into the queue. */
  void write(byte[] src, int off, int len) {
    ByteSlice last = last();
    int k = Math.min(tailFree, len);
    if (k > 0) {
      System.arraycopy(src, off, last.array, last.offset + last.length, k);
      grewLast(k);
      tailFree -= k;
      off += k;
      len -= k;
    }
    if (len == 0) return;
    byte[] chunk = new byte[Math.max(len, MIN_CHUNK)];
    System.arraycopy(src, off, chunk, 0, len);
    add(slice(chunk, 0, len));
    tailFree = chunk.length - len;
  }

  /** Removes up to {@code max} bytes for one segment; the result is valid until the next take. */
  ByteSlice take(int max) {
    if (taken == null) taken = new ByteSlice(null, 0, 0);
    ByteSlice s = take(max, taken);
    if (isEmpty()) tailFree = 0;
    return s;
  }

  /** Discards everything (ABORT, RFC 9293 §3.10.5). */
  @Override
  void clear() {
    super.clear();
    tailFree = 0;
  }
}
