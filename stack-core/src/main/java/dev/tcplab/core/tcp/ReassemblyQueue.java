package dev.tcplab.core.tcp;

import dev.tcplab.core.wire.SeqNum;
import dev.tcplab.core.wire.TcpOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Segments that arrived out of order, held until the gap before them is filled (RFC 9293 §3.10.7.4
 * seventh: "segments with higher beginning sequence numbers ... may be held for later processing").
 * Entries never overlap: bytes already held are trimmed from new arrivals. Also the source of the SACK
 * blocks the receiver reports (RFC 2018 §4).
 */
final class ReassemblyQueue {
  private static final class Piece {
    final int seq;
    final ByteSlice data;

    Piece(int seq, ByteSlice data) {
      this.seq = seq;
      this.data = data;
    }

    int end() {
      return seq + data.length;
    }
  }

  /** Sorted by sequence number; created on first use. */
  private ArrayList<Piece> pieces;
  private long size;
  /** Left edge of the most recently received block, for RFC 2018 §4's first SACK block. */
  private int lastSeq;
  private boolean haveLast;

  long size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  /** Holds the bytes {@code [seq, seq+len)} that are not held already; {@code rcvNxt} orders the queue. */
  void add(int seq, byte[] array, int offset, int len, int rcvNxt) {
    if (len <= 0) return;
    if (pieces == null) pieces = new ArrayList<>(4);
    lastSeq = seq;
    haveLast = true;
    int s = seq;
    int end = seq + len;
    int i = 0;
    while (SeqNum.lt(s, end)) {
      // Skip pieces that end at or before s.
      while (i < pieces.size() && SeqNum.leq(pieces.get(i).end(), s)) i++;
      int gapEnd = end;
      if (i < pieces.size()) {
        Piece p = pieces.get(i);
        if (SeqNum.leq(p.seq, s)) {
          s = p.end(); // s is covered by p
          i++;
          continue;
        }
        gapEnd = SeqNum.min(end, p.seq);
      }
      int n = gapEnd - s;
      pieces.add(i, new Piece(s, new ByteSlice(array, offset + (s - seq), n)));
      size += n;
      i++;
      s = gapEnd;
    }
  }

  /** Moves the bytes that now follow {@code rcvNxt} into {@code queue}; returns the new RCV.NXT. */
  int drainInto(int rcvNxt, ReceiveQueue queue) {
    if (pieces == null) return rcvNxt;
    while (!pieces.isEmpty()) {
      Piece p = pieces.get(0);
      if (SeqNum.gt(p.seq, rcvNxt)) break;
      pieces.remove(0);
      size -= p.data.length;
      int skip = rcvNxt - p.seq;
      if (skip < p.data.length) {
        queue.add(p.data.array, p.data.offset + skip, p.data.length - skip);
        rcvNxt = p.end();
      }
    }
    if (pieces.isEmpty()) {
      pieces = null;
      haveLast = false;
    }
    return rcvNxt;
  }

  /** How many separate blocks the queue holds (adjacent pieces count as one). */
  int blockCount() {
    if (pieces == null) return 0;
    int n = 0;
    int right = 0;
    for (int i = 0; i < pieces.size(); i++) {
      if (i == 0 || pieces.get(i).seq != right) n++;
      right = pieces.get(i).end();
    }
    return n;
  }

  /**
   * Up to {@code max} SACK blocks: the block holding the most recent arrival first, then the others in
   * sequence order (RFC 2018 §4).
   */
  List<TcpOption.Block> sackBlocks(int max) {
    if (pieces == null || max <= 0) return List.of();
    List<TcpOption.Block> blocks = new ArrayList<>();
    int i = 0;
    while (i < pieces.size()) {
      int left = pieces.get(i).seq;
      int right = pieces.get(i).end();
      i++;
      while (i < pieces.size() && pieces.get(i).seq == right) right = pieces.get(i++).end();
      blocks.add(new TcpOption.Block(left, right));
    }
    if (haveLast) {
      for (int k = 0; k < blocks.size(); k++) {
        TcpOption.Block b = blocks.get(k);
        if (SeqNum.leq(b.left(), lastSeq) && SeqNum.lt(lastSeq, b.right())) {
          blocks.remove(k);
          blocks.add(0, b);
          break;
        }
      }
    }
    return blocks.size() > max ? List.copyOf(blocks.subList(0, max)) : blocks;
  }

  void clear() {
    pieces = null;
    size = 0;
    haveLast = false;
  }
}
