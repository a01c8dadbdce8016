package dev.tcplab.core.tcp;

import static dev.tcplab.core.tcp.TcpState.SYN_RECEIVED;
import static dev.tcplab.core.tcp.TcpState.SYN_SENT;

import dev.tcplab.core.wire.Segment;
import dev.tcplab.core.wire.SeqNum;
import dev.tcplab.core.wire.TcpFlags;
import dev.tcplab.core.wire.TcpOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The output side of one connection: which segment goes out when (RFC 9293 §3.8.6 flow control and
 * silly-window avoidance, §3.7.4 Nagle, RFC 5681 congestion window, RFC 6675 pipe), and how each
 * segment is laid out (options per the profile, the window we advertise).
 *
 * <p>Stateless: everything it decides from lives in the connection and its {@link Tcb}, so it is a set
 * of functions of the connection and costs an idle connection nothing.
 */
final class Sender {
  private static final int MAX_SACK_BLOCKS_WITH_TS = 3; // RFC 2018 §3: 3 blocks fit beside timestamps

  private Sender() {}

  // ---------------------------------------------------------------------------------------------
  // Handshake

  /** Our SYN (active OPEN) or SYN,ACK (from LISTEN), queued for retransmission. */
  static void sendSyn(TcpConnection c, boolean synAck) {
    Tcb tcb = c.tcb;
    if (!synAck) {
      Profile p = c.profile();
      tcb.offeredWindowScale = p.offerWindowScale();
      tcb.offeredTimestamps = p.offerTimestamps();
      tcb.offeredSack = p.offerSack();
      if (tcb.offeredWindowScale) tcb.rcvWscale = (byte) p.windowScaleFor(c.receiveBufferSize);
    }
    RetransmissionQueue.Entry e = c.rtxQueue.add(tcb.iss, null, 0, 0, true, false, c.now());
    tcb.sndNxt = tcb.iss + 1;
    transmitSyn(c, e);
    c.timers.restartRetransmission();
  }

  /** A SYN,ACK again: a retransmitted SYN arrived, or a simultaneous open (§3.10.7.3). */
  static void resendSynAck(TcpConnection c) {
    RetransmissionQueue.Entry e = c.rtxQueue.first();
    if (e != null && e.syn) {
      e.transmissions++;
      e.lastSentAt = c.now();
      transmitSyn(c, e);
    }
  }

  private static void transmitSyn(TcpConnection c, RetransmissionQueue.Entry e) {
    Tcb tcb = c.tcb;
    boolean ack = c.state != SYN_SENT;
    int window = synWindow(c);
    tcb.rcvWnd = window;
    tcb.rcvAdv = tcb.rcvNxt + window;
    Segment seg =
        base(c, tcb.iss, TcpFlags.SYN | (ack ? TcpFlags.ACK : 0))
            .ack(ack ? tcb.rcvNxt : 0)
            .window(window)
            .options(synOptions(c, ack))
            .build();
    emit(c, seg);
  }

  /** The SYN's window: never scaled (RFC 7323 §2.2), rounded to whole segments on Linux. */
  private static int synWindow(TcpConnection c) {
    Tcb tcb = c.tcb;
    int w = Math.min(0xffff, c.receiveBufferSize);
    if (c.profile().synWindowRoundedToMss() && w >= tcb.rcvMss) w -= w % tcb.rcvMss;
    return w;
  }

  /**
   * SYN options in the profile's order; a SYN,ACK echoes only what the peer offered (Linux, RFC 7323
   * §2.2 and §3.2, RFC 2018 §2).
   */
  private static List<TcpOption> synOptions(TcpConnection c, boolean synAck) {
    Tcb tcb = c.tcb;
    boolean ts = synAck ? tcb.timestampsEnabled : tcb.offeredTimestamps;
    boolean sack = synAck ? tcb.sackEnabled : tcb.offeredSack;
    boolean ws = synAck ? tcb.windowScaleEnabled : tcb.offeredWindowScale;
    List<TcpOption> o = new ArrayList<>(8);
    o.add(new TcpOption.Mss(tcb.rcvMss));
    if (c.profile().synOptions() == Profile.SynOptionLayout.MSS_ONLY) {
      // The textbook profile still honours what it was configured to offer, after the MSS.
      if (sack) o.add(TcpOption.SackPermitted.INSTANCE);
      if (ts) o.add(new TcpOption.Timestamps(tsVal(c), 0));
      if (ws) o.add(new TcpOption.WindowScale(tcb.rcvWscale));
      return o;
    }
    // Linux tcp_options_write(): MSS; SACK_PERM+TS or NOP,NOP,TS or NOP,NOP,SACK_PERM; NOP,WS
    if (ts) {
      if (sack) {
        o.add(TcpOption.SackPermitted.INSTANCE);
      } else {
        o.add(TcpOption.Nop.INSTANCE);
        o.add(TcpOption.Nop.INSTANCE);
      }
      o.add(new TcpOption.Timestamps(tsVal(c), synAck ? tcb.tsRecent : 0));
    } else if (sack) {
      o.add(TcpOption.Nop.INSTANCE);
      o.add(TcpOption.Nop.INSTANCE);
      o.add(TcpOption.SackPermitted.INSTANCE);
    }
    if (ws) {
      o.add(TcpOption.Nop.INSTANCE);
      o.add(new TcpOption.WindowScale(tcb.rcvWscale));
    }
    return o;
  }

  // ---------------------------------------------------------------------------------------------
  // Data and FIN

  /** Sends what the windows, Nagle and silly-window avoidance allow, then a pending ACK. */
  static void output(TcpConnection c) {
    TcpState s = c.state;
    if (s == TcpState.CLOSED || s == TcpState.LISTEN || s == SYN_SENT) return;
    if (s.isSynchronized() && s != TcpState.TIME_WAIT) sendData(c);
    if (c.ackNow) sendAck(c);
    if (!c.rtxQueue.isEmpty() && !c.timers.retransmissionArmed()) {
      c.timers.restartRetransmission();
    }
    if (c.unsent() > 0 && c.rtxQueue.isEmpty()) c.timers.armPersist();
  }

  private static void sendData(TcpConnection c) {
    Tcb tcb = c.tcb;
    while (c.inRecovery || c.unsent() > 0) {
      long cwnd = c.cc().cwnd();
      long inFlight = c.inRecovery ? pipe(c) : tcb.flightSize();
      if (c.inRecovery && inFlight < cwnd) {
        RetransmissionQueue.Entry lost = c.rtxQueue.nextToRetransmit();
        if (lost != null) {
          retransmit(c, lost);
          continue;
        }
      }
      long available = c.unsent();
      if (available == 0) break;
      long flowRoom = tcb.sndWnd - tcb.flightSize();
      long ccRoom = cwnd - inFlight;
      int mss = maxPayload(c);
      int len = (int) Math.min(Math.min(available, mss), Math.min(flowRoom, ccRoom));
      if (len <= 0) break;
      boolean all = len == available;
      boolean idle = tcb.flightSize() == 0;
      // RFC 9293 §3.7.4 Nagle and §3.8.6.2.1 sender SWS avoidance
      boolean send =
          len == mss
              || (all && (c.noDelay || idle))
              || ((c.noDelay || idle) && len >= tcb.maxSndWnd / 2);
      if (!send) break;
      boolean fin = all && c.finRequested && !c.finSent;
      sendNewData(c, len, all, fin);
    }
    if (c.finRequested && !c.finSent && c.unsent() == 0) sendNewData(c, 0, false, true);
  }

  /** The SWS override (RFC 9293 §3.8.6.2.1): send what the open window takes, however small. */
  static void sendIntoSmallWindow(TcpConnection c) {
    Tcb tcb = c.tcb;
    long room = Math.min(tcb.sndWnd - tcb.flightSize(), c.unsent());
    int len = (int) Math.min(room, maxPayload(c));
    if (len <= 0) return;
    boolean all = len == c.unsent();
    sendNewData(c, len, all, all && c.finRequested && !c.finSent);
  }

  /**
   * The most payload one segment may carry: the MSS less the options every segment carries (RFC 6691:
   * the MSS counts the TCP header without options), so a full segment fits the path's MTU. Linux
   * sends 1448-byte segments with timestamps on a 1500-byte MTU.
   */
  static int maxPayload(TcpConnection c) {
    Tcb tcb = c.tcb;
    if (hasSackBlocks(c)) return tcb.segmentSize() - (4 + 8 * sackBlocks(c).size());
    return tcb.segmentSize();
  }

  /** Do our segments carry a SACK option now (out-of-order data or FIN, a D-SACK to report)? */
  private static boolean hasSackBlocks(TcpConnection c) {
    return c.tcb.sackEnabled
        && (c.outOfOrder() > 0 || c.dsackPending
            || (c.outOfOrderFin && c.profile().sackCoversFin()));
  }

  /**
   * The SACK blocks to send: a D-SACK block first (RFC 2883 §4), then the out-of-order blocks, the most
   * recent first (RFC 2018 §4); on Linux a FIN held out of order extends its block by one (or is a
   * block of its own). At most 3 beside timestamps, else 4.
   */
  private static List<TcpOption.Block> sackBlocks(TcpConnection c) {
    int max = c.tcb.timestampsEnabled ? MAX_SACK_BLOCKS_WITH_TS : 4;
    List<TcpOption.Block> blocks = new ArrayList<>(max);
    if (c.dsackPending) blocks.add(new TcpOption.Block(c.dsackLeft, c.dsackRight));
    List<TcpOption.Block> ofo =
        c.outOfOrder() > 0 ? c.reassembly().sackBlocks(max) : List.of();
    boolean fin = c.outOfOrderFin && c.profile().sackCoversFin();
    boolean finPlaced = false;
    for (TcpOption.Block b : ofo) {
      if (fin && b.right() == c.outOfOrderFinSeq) {
        b = new TcpOption.Block(b.left(), b.right() + 1);
        finPlaced = true;
      }
      blocks.add(b);
    }
    if (fin && !finPlaced) blocks.add(new TcpOption.Block(c.outOfOrderFinSeq, c.outOfOrderFinSeq + 1));
    return blocks.size() > max ? blocks.subList(0, max) : blocks;
  }

  /** RFC 6675 §4 pipe; without SACK each duplicate ACK stands for a segment that left the network. */
  private static long pipe(TcpConnection c) {
    Tcb tcb = c.tcb;
    long pipe = c.rtxQueue.pipe();
    if (!tcb.sackEnabled) pipe -= (long) c.dupAcks * tcb.segmentSize();
    return Math.max(0, pipe);
  }

  private static void sendNewData(TcpConnection c, int len, boolean push, boolean fin) {
    Tcb tcb = c.tcb;
    ByteSlice data = len > 0 ? c.sendQueue().take(len) : ByteSlice.EMPTY;
    int seq = tcb.sndNxt;
    c.rtxQueue.add(seq, data.array, data.offset, data.length, false, fin, c.now());
    tcb.sndNxt = seq + len + (fin ? 1 : 0);
    if (fin) {
      c.finSent = true;
      c.finSeq = seq + len;
    }
    int flags = TcpFlags.ACK | (push && len > 0 ? TcpFlags.PSH : 0) | (fin ? TcpFlags.FIN : 0);
    emit(c, dataSegment(c, seq, flags, data.array, data.offset, data.length));
    if (!c.timers.retransmissionArmed()) c.timers.restartRetransmission();
    c.scheduleLossProbe(false); // Linux tcp_write_xmit: after new data, a tail-loss probe
  }

  /**
   * A tail-loss probe with new data (Linux tcp_send_loss_probe: tcp_write_xmit with push_one 2): one
   * segment, whatever the congestion window and Nagle, if the peer's window takes all of it. Returns
   * false when there is nothing to send or the window is too small.
   */
  static boolean sendLossProbeNewData(TcpConnection c) {
    Tcb tcb = c.tcb;
    long available = c.unsent();
    if (available == 0) return false;
    int len = (int) Math.min(available, maxPayload(c));
    if (tcb.sndWnd - tcb.flightSize() < len) return false; // tcp_snd_wnd_test
    boolean all = len == available;
    sendNewData(c, len, all, all && c.finRequested && !c.finSent);
    return true;
  }

  /** Sends an entry of the retransmission queue again (RFC 6298 §5.4, RFC 5681 §3.2). */
  static void retransmit(TcpConnection c, RetransmissionQueue.Entry e) {
    e.transmissions++;
    e.lastSentAt = c.now();
    if (c.inRecovery) e.retransmittedInRecovery = true;
    if (e.syn) {
      transmitSyn(c, e);
      return;
    }
    int flags = TcpFlags.ACK | (e.fin ? TcpFlags.FIN : 0) | (e.payloadLength() > 0 ? TcpFlags.PSH : 0);
    emit(c, dataSegment(c, e.seq, flags, e.array, e.offset, e.length));
  }

  private static Segment dataSegment(
      TcpConnection c, int seq, int flags, byte[] array, int offset, int length) {
    Tcb tcb = c.tcb;
    Segment.Builder b = options(c, base(c, seq, flags).ack(tcb.rcvNxt).window(advertiseWindow(c)));
    if (length > 0) b.payloadView(array, offset, length);
    return b.build();
  }

  // ---------------------------------------------------------------------------------------------
  // Control segments

  /** <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>. */
  static void sendAck(TcpConnection c) {
    Tcb tcb = c.tcb;
    emit(c, options(c, base(c, tcb.sndNxt, TcpFlags.ACK).ack(tcb.rcvNxt).window(advertiseWindow(c)))
        .build());
  }

  /** A keepalive or zero-window probe: an old sequence number the peer must ACK (RFC 1122 §4.2.3.6). */
  static void sendKeepaliveProbe(TcpConnection c) {
    Tcb tcb = c.tcb;
    Segment.Builder b = base(c, tcb.sndUna - 1, TcpFlags.ACK).ack(tcb.rcvNxt);
    emit(c, options(c, b.window(advertiseWindow(c))).build());
  }

  /** Zero-window probe (RFC 9293 §3.8.6.1), in Linux's form: an ACK below SND.UNA. */
  static void sendWindowProbe(TcpConnection c) {
    c.event("zero-window probe");
    sendKeepaliveProbe(c);
  }

  /** The RST of an ABORT (§3.10.5): "R." with ACK = RCV.NXT on Linux, a bare "R" in the textbook. */
  static void sendAbortRst(TcpConnection c) {
    Tcb tcb = c.tcb;
    boolean ack = c.profile().abortRstCarriesAck();
    sendReset(c, tcb.sndNxt, ack ? tcb.rcvNxt : 0, ack);
  }

  /** <SEQ=seq><CTL=RST> or with {@code withAck} <SEQ=seq><ACK=ack><CTL=RST,ACK>. */
  static void sendReset(TcpConnection c, int seq, int ack, boolean withAck) {
    int flags = TcpFlags.RST | (withAck ? TcpFlags.ACK : 0);
    emit(c, base(c, seq, flags).ack(withAck ? ack : 0).build());
  }

  /** After the application read: a window update when the window opened enough (RFC 9293 §3.8.6.2.2). */
  static void windowOpened(TcpConnection c, long advertisedBefore) {
    // After the peer's FIN or SHUT_RD no more data is wanted: no update (Linux tcp_cleanup_rbuf checks
    // RCV_SHUTDOWN)
    if (c.peerFinReceived || c.readShutdown) return;
    Tcb tcb = c.tcb;
    long max = Math.min(c.receiveBufferSize, 0xffffL << tcb.rcvWscale);
    long free = Math.min(c.receiveBufferSize - c.unread(), max);
    long now = tcb.receiveWindow();
    // Linux tcp_cleanup_rbuf(): only when the offered window had fallen to half the buffer or less
    // and reading at least doubles it; also the way out of a zero window (RFC 9293 §3.8.6.2.2)
    boolean update = now <= max / 2 && free >= 2 * now && free >= Math.min(max / 2, tcb.rcvMss);
    if (update || (advertisedBefore == 0 && free >= tcb.rcvMss)) {
      c.event("window update: " + free + " bytes free");
      sendAck(c);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Layout

  private static Segment.Builder base(TcpConnection c, int seq, int flags) {
    return Segment.builder()
        .srcPort(c.id.localPort())
        .dstPort(c.id.remotePort())
        .seq(seq)
        .flags(flags);
  }

  /**
   * The window to advertise: the free receive buffer, moved right only in steps of at least
   * min(buffer/2, MSS) (RFC 9293 §3.8.6.2.2 receiver SWS avoidance), never shrunk (§3.8.6).
   */
  private static int advertiseWindow(TcpConnection c) {
    Tcb tcb = c.tcb;
    long free = Math.max(0, c.receiveBufferSize - c.unread());
    long offered = Math.max(0, tcb.rcvAdv - tcb.rcvNxt);
    long wnd = free;
    if (free > offered && free - offered < Math.min(c.receiveBufferSize / 2, tcb.rcvMss)) {
      wnd = offered;
    }
    wnd = Math.max(wnd, offered);
    // The scaled field rounds down: the edge may retract by less than 2^shift (RFC 7323 §2.4), and
    // what the peer sends into the window offered before is still accepted (see Tcb.rcvAdv).
    int field = (int) Math.min(wnd >> tcb.rcvWscale, 0xffff);
    long effective = (long) field << tcb.rcvWscale;
    int edge = tcb.rcvNxt + (int) effective;
    if (SeqNum.gt(edge, tcb.rcvAdv)) tcb.rcvAdv = edge;
    tcb.rcvWnd = Integer.toUnsignedLong(tcb.rcvAdv - tcb.rcvNxt);
    return field;
  }

  /** Options of a non-SYN segment: NOP,NOP,TS then NOP,NOP,SACK as Linux lays them out. */
  private static Segment.Builder options(TcpConnection c, Segment.Builder b) {
    Tcb tcb = c.tcb;
    boolean ts = tcb.timestampsEnabled;
    if (!hasSackBlocks(c)) return ts ? b.timestamps(tsVal(c), tcb.tsRecent) : b;
    List<TcpOption> o = new ArrayList<>(6);
    if (ts) {
      o.add(TcpOption.Nop.INSTANCE);
      o.add(TcpOption.Nop.INSTANCE);
      o.add(new TcpOption.Timestamps(tsVal(c), tcb.tsRecent));
    }
    o.add(TcpOption.Nop.INSTANCE);
    o.add(TcpOption.Nop.INSTANCE);
    o.add(new TcpOption.Sack(sackBlocks(c)));
    return b.options(o);
  }

  /** TSval: a millisecond clock with a per-connection offset (RFC 7323 §5.4). */
  private static int tsVal(TcpConnection c) {
    return c.tsClock();
  }

  private static void emit(TcpConnection c, Segment seg) {
    Tcb tcb = c.tcb;
    if (seg.isAck()) {
      c.dsackPending = false; // reported once (RFC 2883 §4)
      tcb.lastAckSent = tcb.rcvNxt;
      c.ackNow = false;
      c.unackedSegments = 0;
      c.timers.stopDelayedAck();
    }
    c.stack.transmit(c, seg);
  }
}
