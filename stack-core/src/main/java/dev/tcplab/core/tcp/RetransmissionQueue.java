package dev.tcplab.core.tcp;

import dev.tcplab.core.wire.SeqNum;
import dev.tcplab.core.wire.TcpOption;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;

/**
 * What has been sent and not yet acknowledged (RFC 9293 §3.3.1: SND.UNA up to SND.NXT), one entry per
 * segment sent, with what loss recovery needs to know about it: when it was sent, how often, whether a
 * SACK covered it (RFC 6675 scoreboard) and whether it is deemed lost.
 */
final class RetransmissionQueue {
  /** One sent segment's sequence range and payload. */
  static final class Entry {
    int seq;
    /** The payload: a range of a send-queue chunk (no copy); length 0 for SYN or FIN alone. */
    byte[] array;
    int offset;
    int length;
    boolean syn;
    boolean fin;
    long firstSentAt;
    long lastSentAt;
    int transmissions;
    boolean sacked;
    boolean lost;
    boolean retransmittedInRecovery;

    int payloadLength() {
      return length;
    }

    int seqLength() {
      return payloadLength() + (syn ? 1 : 0) + (fin ? 1 : 0);
    }

    int end() {
      return seq + seqLength();
    }
  }

  private ArrayDeque<Entry> entries;
  /** Bytes in flight fit in an int: the sequence space allows less than 2^31 outstanding. */
  private int payloadBytes;
  private static final int SPARES = 256;
  /** Entries freed by ACKs, kept for the next segments (allocated after the first data is acked). */
  private Entry[] spare;
  private int spareCount;
  /** The entry the last {@link #acknowledge} returned; recycled on the next call. */
  private Entry retired;

  /** The most entries ever held: a queue that only ever held the SYN lets its deque go when empty. */
  private int peak;

  boolean isEmpty() {
    return entries == null || entries.isEmpty();
  }

  /** Payload bytes held (SYN and FIN not counted). */
  long payloadBytes() {
    return payloadBytes;
  }

  Entry first() {
    return entries == null ? null : entries.peekFirst();
  }

  Entry last() {
    return entries == null ? null : entries.peekLast();
  }

  Iterable<Entry> entries() {
    return entries == null ? List.of() : entries;
  }

  Entry add(int seq, byte[] array, int offset, int length, boolean syn, boolean fin, long now) {
    if (entries == null) entries = new ArrayDeque<>(8);
    Entry e = obtain();
    e.seq = seq;
    e.array = array;
    e.offset = offset;
    e.length = length;
    e.syn = syn;
    e.fin = fin;
    e.firstSentAt = now;
    e.lastSentAt = now;
    e.transmissions = 1;
    e.sacked = false;
    e.lost = false;
    e.retransmittedInRecovery = false;
    entries.addLast(e);
    peak = Math.max(peak, entries.size());
    payloadBytes += length;
    return e;
  }

  /**
   * Removes what {@code ack} covers (RFC 9293 §3.10.7.4 fifth: "remove any segments on the retransmission
   * queue that are thereby entirely acknowledged"); a partly covered entry is trimmed. Returns the entry
   * that the ACK completed last, or null.
   */
  Entry acknowledge(int ack) {
    recycle(retired);
    retired = null;
    Entry done = null;
    while (entries != null && !entries.isEmpty()) {
      Entry e = entries.peekFirst();
      if (SeqNum.leq(e.end(), ack)) {
        entries.pollFirst();
        payloadBytes -= e.payloadLength();
        recycle(done);
        done = e;
        continue;
      }
      if (SeqNum.gt(ack, e.seq)) {
        int n = ack - e.seq;
        if (e.syn) {
          e.syn = false;
          n--;
        }
        if (n > 0 && e.length > 0) {
          int k = Math.min(n, e.length);
          e.offset += k;
          e.length -= k;
          payloadBytes -= k;
        }
        e.seq = ack;
      }
      break;
    }
    if (entries != null && entries.isEmpty() && peak <= 8) entries = null;
    // The caller reads it (RTT sample); it is reused from the next call on. The SYN's entry is not
    // kept: an idle connection holds no spare.
    retired = done != null && done.length > 0 ? done : null;
    return done;
  }

  /** A spare entry, or a new one: a busy connection reuses the entries its ACKs free. */
  private Entry obtain() {
    recycle(retired);
    retired = null;
    return spareCount > 0 ? spare[--spareCount] : new Entry();
  }

  private void recycle(Entry e) {
    if (e == null) return;
    e.array = null;
    if (spare == null) spare = new Entry[SPARES];
    if (spareCount < SPARES) spare[spareCount++] = e;
  }

  /** Marks the entries that lie wholly inside a SACK block; returns the bytes newly marked. */
  long markSacked(List<TcpOption.Block> blocks) {
    long newly = 0;
    if (entries == null) return 0;
    for (TcpOption.Block b : blocks) {
      for (Entry e : entries) {
        if (!e.sacked && SeqNum.leq(b.left(), e.seq) && SeqNum.leq(e.end(), b.right())) {
          e.sacked = true;
          newly += e.seqLength();
        }
      }
    }
    return newly;
  }

  /** After an RTO every outstanding segment is presumed lost and SACK marks are forgotten (RFC 2018 §8). */
  void markAllLost() {
    for (Entry e : entries()) {
      e.lost = true;
      e.sacked = false;
      e.retransmittedInRecovery = false;
    }
  }

  /** Clears the recovery marks when recovery ends. */
  void clearRecoveryMarks() {
    for (Entry e : entries()) {
      e.lost = false;
      e.retransmittedInRecovery = false;
    }
  }

  /** The first entry marked lost, not SACKed and not yet resent in this recovery; or null. */
  Entry nextToRetransmit() {
    for (Entry e : entries()) {
      if (e.lost && !e.sacked && !e.retransmittedInRecovery) return e;
    }
    return null;
  }

  /**
   * RFC 6675 §5 IsLost(): marks entries that have at least {@code dupThresh} SACKed segments, or
   * {@code dupThresh * smss} SACKed bytes, above them.
   */
  void markLostBySack(int dupThresh, int smss) {
    if (entries == null) return;
    long sackedAbove = 0;
    int sackedSegmentsAbove = 0;
    Iterator<Entry> it = entries.descendingIterator();
    while (it.hasNext()) {
      Entry e = it.next();
      if (e.sacked) {
        sackedAbove += e.seqLength();
        sackedSegmentsAbove++;
      } else if (sackedSegmentsAbove >= dupThresh || sackedAbove > (long) (dupThresh - 1) * smss) {
        e.lost = true;
      }
    }
  }

  /**
   * RFC 6675 §4 pipe: bytes presumed still in the network — not SACKed and not lost, plus those
   * retransmitted in this recovery.
   */
  long pipe() {
    long pipe = 0;
    for (Entry e : entries()) {
      if (!e.sacked && !e.lost) pipe += e.seqLength();
      if (e.retransmittedInRecovery) pipe += e.seqLength();
    }
    return pipe;
  }

  void clear() {
    entries = null;
    payloadBytes = 0;
    spare = null;
    spareCount = 0;
    retired = null;
  }
}
