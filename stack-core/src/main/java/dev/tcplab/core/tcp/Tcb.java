package dev.tcplab.core.tcp;

import dev.tcplab.core.wire.SeqNum;

/**
 * The transmission control block's variables (RFC 9293 §3.3.1), plus what the options need (RFC 7323,
 * RFC 2018). Plain data: the rules that change it live in {@link TcpConnection}.
 */
final class Tcb {
  // Send sequence variables (RFC 9293 §3.3.1)
  /** SND.UNA: oldest unacknowledged sequence number. */
  int sndUna;
  /** SND.NXT: next sequence number to be sent. */
  int sndNxt;
  /** SND.WND: the peer's window, already scaled, in bytes. */
  long sndWnd;
  /** SND.UP: send urgent pointer. */
  int sndUp;
  /** SND.WL1: segment sequence number used for the last window update. */
  int sndWl1;
  /** SND.WL2: segment acknowledgment number used for the last window update. */
  int sndWl2;
  /** ISS: initial send sequence number. */
  int iss;

  // Receive sequence variables (RFC 9293 §3.3.1)
  /** RCV.NXT: next sequence number expected on an incoming segment. */
  int rcvNxt;
  /** RCV.WND as last advertised, in bytes (see {@link #receiveWindow()} for the current one). */
  long rcvWnd;
  /** RCV.UP: receive urgent pointer. */
  int rcvUp;
  /** IRS: initial receive sequence number. */
  int irs;
  /**
   * The furthest right edge we have advertised (BSD rcv_adv). RCV.WND is measured to it, so data the
   * peer sends into any window we offered is accepted even when scaling rounded a later one down.
   */
  int rcvAdv;

  // Options (RFC 9293 §3.7.1, RFC 7323, RFC 2018)
  /** The MSS we send with: the peer's MSS option (536 without one) capped by our own. */
  int sndMss = 536;
  /** The MSS we announced. */
  int rcvMss;
  /** Shift applied to windows the peer sends (its window-scale option, 0..14), 0 if not negotiated. */
  byte sndWscale;
  /** Shift applied to windows we send (0..14), 0 if not negotiated. */
  byte rcvWscale;
  /** What our SYN offered (active OPEN); the peer's SYN,ACK decides what is used. */
  boolean offeredWindowScale;
  boolean offeredTimestamps;
  boolean offeredSack;
  /** What the handshake settled on. */
  boolean windowScaleEnabled;
  boolean timestampsEnabled;
  boolean sackEnabled;
  /** TS.Recent (RFC 7323 §4.3). */
  int tsRecent;
  /** Last.ACK.sent (RFC 7323 §4.3). */
  int lastAckSent;
  /** Added to our clock's milliseconds to form TSval; random per connection as Linux does. */
  int tsOffset;
  /** The largest window the peer has offered (RFC 9293 §3.8.6.2.1 Max(SND.WND); RFC 5961 MAX.SND.WND). */
  long maxSndWnd;

  /**
   * The payload of a full segment (SMSS for congestion control): the MSS less the timestamps option
   * every segment carries (RFC 6691; Linux's mss_cache, 1448 on a 1500-byte MTU with timestamps).
   */
  int segmentSize() {
    return sndMss - (timestampsEnabled ? 12 : 0);
  }

  /** RCV.WND as it stands now: from RCV.NXT to the furthest edge advertised. */
  long receiveWindow() {
    return Math.max(0, rcvAdv - rcvNxt);
  }

  /** Bytes sent and not yet acknowledged, SYN and FIN included (RFC 5681 FlightSize). */
  long flightSize() {
    return Integer.toUnsignedLong(sndNxt - sndUna);
  }

  @Override
  public String toString() {
    return "SND.UNA="
        + SeqNum.unsigned(sndUna)
        + " SND.NXT="
        + SeqNum.unsigned(sndNxt)
        + " SND.WND="
        + sndWnd
        + " RCV.NXT="
        + SeqNum.unsigned(rcvNxt)
        + " RCV.WND="
        + rcvWnd;
  }
}
