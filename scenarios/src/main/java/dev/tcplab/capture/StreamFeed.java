package dev.tcplab.capture;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns one side's captured segments into its in-order byte stream for a {@link StreamObserver}:
 * retransmitted bytes are passed once, segments captured out of order wait (up to {@link
 * #MAX_PENDING} bytes) for the hole before them to be filled. Bytes missing from the capture (a
 * hole never filled, a payload cut by the snapshot length) end the stream with a gap.
 */
final class StreamFeed {
  /** Out-of-order bytes held per direction before a hole is declared a gap. */
  static final int MAX_PENDING = 1 << 20;

  private final Side side;
  private final StreamObserver observer;
  private final TreeMap<Long, byte[]> pending = new TreeMap<>();
  private int pendingBytes;
  private long next;
  private boolean broken;

  StreamFeed(Side side, StreamObserver observer) {
    this.side = side;
    this.observer = observer;
  }

  /**
   * One segment's payload: stream offset {@code offset}, {@code captured} bytes of {@code
   * onWire} present in {@code b} from {@code off}.
   */
  void segment(long offset, byte[] b, int off, int captured, int onWire) {
    if (broken || onWire == 0) return;
    long end = offset + onWire;
    if (end <= next) return; // all seen before
    if (offset > next) {
      if (captured < onWire) {
        breakAt(next);
        return;
      }
      if (pending.putIfAbsent(offset, Arrays.copyOfRange(b, off, off + captured)) == null) {
        pendingBytes += captured;
      }
      if (pendingBytes > MAX_PENDING) breakAt(next);
      return;
    }
    deliver(offset, b, off, captured);
    if (captured < onWire) {
      breakAt(next);
      return;
    }
    while (!broken && !pending.isEmpty() && pending.firstKey() <= next) {
      Map.Entry<Long, byte[]> e = pending.pollFirstEntry();
      pendingBytes -= e.getValue().length;
      deliver(e.getKey(), e.getValue(), 0, e.getValue().length);
    }
  }

  /** The capture ended (or the connection did) with a hole still open. */
  void finish() {
    if (!broken && !pending.isEmpty()) breakAt(next);
  }

  private void deliver(long offset, byte[] b, int off, int len) {
    long skip = next - offset;
    if (skip >= len) return;
    observer.data(side, next, b, off + (int) skip, len - (int) skip);
    next = offset + len;
  }

  private void breakAt(long offset) {
    broken = true;
    pending.clear();
    pendingBytes = 0;
    observer.gap(side, offset);
  }
}
