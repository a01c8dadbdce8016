package dev.tcplab.capture;

import dev.tcplab.core.wire.Segment;

/**
 * What one side of a captured connection sent, and how much of it the other side acknowledged.
 *
 * <p>Sequence numbers are kept relative to the side's ISN and unwrapped into a {@code long}, so
 * connections that carry more than 4 GiB are counted right: relative 0 is the SYN, 1 the first
 * data byte. When the capture starts after the handshake, the first sequence number seen stands
 * in for ISN + 1 and the byte counts start there.
 */
final class HalfConnection {
  final Side side;
  final String endpoint;

  /** Whether {@link #isn} is known (a SYN or at least one segment seen from this side). */
  boolean based;

  boolean synSeen;
  int synRetransmissions;
  long isn;

  /** From the SYN: MSS, window scale shift (-1 = none), SACK permitted, timestamps. */
  int mss = -1;

  int windowScale = -1;
  boolean sackPermitted;
  boolean timestamps;

  /** One past the highest relative sequence number sent, SYN and FIN included. */
  long maxEnd;

  /** One past the last payload byte sent (relative; 1 = nothing sent). */
  long dataEnd = 1;

  long retransmittedBytes;
  int retransmittedSegments;
  long packets;

  /** New payload bytes sent after the other side's FIN was seen (half-close). */
  long dataAfterPeerFin;

  /** Relative sequence number of the FIN, -1 if none. */
  long finRel = -1;

  long finPacket = -1;
  int finTransmissions;

  /** Whether this side's FIN segment acknowledged the other side's FIN (a passive close). */
  boolean finAcksPeerFin;

  /** Highest relative acknowledgement number the other side sent for this side's stream, -1 none. */
  long ackedByPeer = -1;

  /** Packet in which the other side first acknowledged this side's FIN, -1 if not yet. */
  long finAckedPacket = -1;

  long rstPacket = -1;
  long lastNewDataPacket = -1;
  long lastZeroWindowPacket = -1;

  HalfConnection(Side side, String endpoint) {
    this.side = side;
    this.endpoint = endpoint;
  }

  /** Sets the base from a SYN, or from the first segment seen when the SYN was not captured. */
  void base(Segment s) {
    based = true;
    if (s.isSyn()) {
      synSeen = true;
      isn = s.seq() & 0xffffffffL;
      maxEnd = 1;
      mss = s.mss();
      windowScale = s.windowScale();
      sackPermitted = s.sackPermitted();
      timestamps = s.hasTimestamps();
    } else {
      isn = (s.seq() - 1) & 0xffffffffL;
      maxEnd = 1;
    }
  }

  /** The 32-bit {@code seq} of this side's stream as a relative number near {@link #maxEnd}. */
  long rel(int seq) {
    long rel32 = (seq - isn) & 0xffffffffL;
    int diff = (int) (rel32 - (maxEnd & 0xffffffffL));
    return maxEnd + diff;
  }

  /** Payload bytes sent (each counted once). */
  long sent() {
    return Math.max(0, dataEnd - 1);
  }

  /** Payload bytes the other side acknowledged. */
  long acked() {
    return Math.max(0, Math.min(ackedByPeer - 1, sent()));
  }

  boolean finSent() {
    return finRel >= 0;
  }

  boolean finAcked() {
    return finAckedPacket >= 0;
  }
}
