package dev.tcplab.core.tcp;

import static dev.tcplab.core.tcp.TcpState.CLOSED;
import static dev.tcplab.core.tcp.TcpState.CLOSE_WAIT;
import static dev.tcplab.core.tcp.TcpState.CLOSING;
import static dev.tcplab.core.tcp.TcpState.ESTABLISHED;
import static dev.tcplab.core.tcp.TcpState.FIN_WAIT_1;
import static dev.tcplab.core.tcp.TcpState.FIN_WAIT_2;
import static dev.tcplab.core.tcp.TcpState.LAST_ACK;
import static dev.tcplab.core.tcp.TcpState.LISTEN;
import static dev.tcplab.core.tcp.TcpState.SYN_RECEIVED;
import static dev.tcplab.core.tcp.TcpState.SYN_SENT;
import static dev.tcplab.core.tcp.TcpState.TIME_WAIT;

import dev.tcplab.core.wire.Segment;
import java.net.InetAddress;
import dev.tcplab.core.wire.SeqNum;

/**
 * One connection: its state, TCB, queues and timers, the user calls of RFC 9293 §3.10.1–§3.10.6 and
 * SEGMENT ARRIVES in the order of §3.10.7. Output (what to send and when) is in {@link Sender}; the
 * timer deadlines in {@link ConnectionTimers}.
 */
final class TcpConnection {
  static final int DUP_THRESH = 3; // RFC 5681 §3.2, RFC 6675 DupThresh
  /** The PTO's addend with more than one segment outstanding (Linux TCP_TIMEOUT_MIN, 2 ms). */
  static final long TLP_TIMEOUT_MIN = 2_000_000L;
  /** The PTO before any RTT sample (Linux TCP_TIMEOUT_INIT, 1 s; RFC 8985 §7.2). */
  static final long TLP_TIMEOUT_INIT = 1_000_000_000L;

  final TcpStack stack;
  final Tcb tcb = new Tcb();
  final RetransmissionQueue rtxQueue = new RetransmissionQueue();
  // Created on first use, so that an idle connection holds no queue it does not need.
  private SendQueue sendQueue;
  private ReceiveQueue receiveQueue;
  private ReassemblyQueue reassembly;
  final ConnectionTimers timers;
  RttEstimator rtt;
  /** Created on first use: an idle connection never needs one. */
  private CongestionControl cc;

  ConnectionId id;
  TcpState state = CLOSED;
  /** Came from LISTEN (RFC 9293 §3.10.7.4 first: a reset SYN-RECEIVED goes back to LISTEN). */
  boolean passive;
  /** The port of a single-TCB passive OPEN ({@link TcpStack#openPassive}), 0 otherwise. */
  int passivePort;
  /** The Berkeley listener that forked this connection, or null. */
  TcpListener parent;
  TcpSocket socket;

  // Socket options
  int sendBufferSize;
  int receiveBufferSize;
  boolean noDelay;
  boolean lingerZero;
  boolean keepAlive;
  long userTimeoutNanos;

  // Close bookkeeping
  /** The application asked for a FIN (shutdown of output or close); it follows the queued data. */
  boolean finRequested;
  /** Our FIN has been sent; its sequence number is {@link #finSeq}. */
  boolean finSent;
  int finSeq;
  /** The application called close(): nothing more will be read (RFC 1122 §4.2.2.13). */
  boolean orphaned;
  /** The application shut down reading. */
  boolean readShutdown;
  /** The peer's FIN has been received and is in sequence. */
  boolean peerFinReceived;
  /** The sequence number of a FIN that arrived out of order, valid when {@link #outOfOrderFin}. */
  int outOfOrderFinSeq;
  boolean outOfOrderFin;
  /** A duplicate to report in the next ACK's first SACK block (RFC 2883), valid when {@link #dsackPending}. */
  int dsackLeft;
  int dsackRight;
  boolean dsackPending;
  /** Set once the connection ended; the error the next read/write reports. */
  ConnectionEnd end;
  /**
   * The connection's error (ECONNRESET, ETIMEDOUT, ...) was reported: like Linux's sk_err, it goes to
   * whichever of read or write comes first; afterwards reads see EOF and writes EPIPE.
   */
  boolean errorReported;

  // Receiver ACK policy (RFC 9293 §3.8.6.3, RFC 5681 §4.2)
  boolean ackNow;
  int unackedSegments;
  int quickAcksLeft;

  // Loss recovery (RFC 5681 §3.2, RFC 6582, RFC 6675)
  int dupAcks;
  boolean inRecovery;
  /** Recovery after an RTO (slow start from the loss window) rather than fast recovery. */
  boolean rtoRecovery;
  int recoverPoint;
  long lastChallengeAckAt = Long.MIN_VALUE;
  int keepaliveProbesSent;
  /**
   * A tail-loss probe is outstanding: SND.NXT when it went out is {@link #tlpHighSeq} (Linux
   * tlp_high_seq; at most one probe per tail, RFC 8985 §7.3).
   */
  boolean tlpOutstanding;
  int tlpHighSeq;
  /** Retransmission timeouts since data was last acknowledged; the give-up count (RFC 9293 §3.8.3). */
  int consecutiveTimeouts;
  long lastReceivedAt;

  TcpConnection(TcpStack stack) {
    this.stack = stack;
    this.timers = new ConnectionTimers(this);
    this.sendBufferSize = stack.defaultSendBuffer();
    this.receiveBufferSize = stack.defaultReceiveBuffer();
  }

  SendQueue sendQueue() {
    if (sendQueue == null) sendQueue = new SendQueue();
    return sendQueue;
  }

  ReceiveQueue receiveQueue() {
    if (receiveQueue == null) receiveQueue = new ReceiveQueue();
    return receiveQueue;
  }

  ReassemblyQueue reassembly() {
    if (reassembly == null) reassembly = new ReassemblyQueue();
    return reassembly;
  }

  /** Drops what we would still send. */
  void terminateQueues() {
    sendQueue = null;
    rtxQueue.clear();
  }

  /** Bytes written and not yet sent. */
  long unsent() {
    return sendQueue == null ? 0 : sendQueue.size();
  }

  /** Bytes received in order and not yet read. */
  long unread() {
    return receiveQueue == null ? 0 : receiveQueue.size();
  }

  /** Bytes held out of order. */
  long outOfOrder() {
    return reassembly == null ? 0 : reassembly.size();
  }

  /** TSval as we send it now: a millisecond clock plus the connection's offset (RFC 7323 §5.4). */
  int tsClock() {
    return (int) (now() / 1_000_000L) + tcb.tsOffset;
  }

  /** The congestion controller, made with the negotiated MSS on first use. */
  CongestionControl cc() {
    if (cc == null) cc = stack.newCongestionControl(tcb.segmentSize());
    return cc;
  }

  /** The stack's profile (shared, not copied into every connection). */
  Profile profile() {
    return stack.profile();
  }

  long now() {
    return stack.clock().nanos();
  }

  /** Is {@code seg} from {@code src} to {@code dst} for this connection? (demultiplexing) */
  boolean matches(InetAddress src, InetAddress dst, Segment seg) {
    ConnectionId i = id;
    return i != null
        && i.remotePort() == seg.srcPort()
        && i.localPort() == seg.dstPort()
        && i.remoteAddress().equals(src)
        && i.localAddress().equals(dst);
  }

  // ---------------------------------------------------------------------------------------------
  // State changes: every one goes through here and must be an arc of the RFC 9293 diagram.

  void setState(TcpState to, boolean abrupt, String reason) {
    Transition t = Transition.of(state, to, abrupt);
    if (t == null) {
      throw new IllegalStateException("No RFC 9293 arc from " + state + " to " + to + ": " + reason);
    }
    state = to;
    stack.stateChanged(this, t, reason);
  }

  // ---------------------------------------------------------------------------------------------
  // User calls (RFC 9293 §3.10.1 - §3.10.6)

  /** OPEN, active (§3.10.1) to the {@link #id} the stack set: CLOSED or LISTEN to SYN-SENT, SYN out. */
  void openActive() {
    initSendSequence();
    setState(SYN_SENT, false, state == LISTEN ? "SEND on a passive OPEN" : "connect()");
    Sender.sendSyn(this, false);
  }

  /** OPEN, passive (§3.10.1). */
  void openPassive() {
    setState(LISTEN, false, "listen()");
  }

  void initSendSequence() {
    initSendSequence(stack.isn(id));
  }

  void initSendSequence(int iss) {
    tcb.iss = iss;
    tcb.sndUna = tcb.iss;
    tcb.sndNxt = tcb.iss;
    tcb.tsOffset = stack.random().nextInt();
    tcb.rcvMss = stack.mss();
    tcb.sndMss = Math.min(536, tcb.rcvMss);
    rtt = new RttEstimator(profile());
  }

  /** SEND (§3.10.2): returns the bytes accepted, 0 when the send buffer is full. */
  int write(byte[] src, int off, int len) {
    if (end != null) {
      SocketError e = errorReported ? SocketError.EPIPE : endError();
      errorReported = true;
      throw new TcpSocketException(e);
    }
    switch (state) {
      case CLOSED:
        throw new TcpSocketException(SocketError.ENOTCONN);
      case LISTEN:
        throw new TcpSocketException(SocketError.ENOTCONN, "connect() this passive OPEN first");
      case FIN_WAIT_1:
      case FIN_WAIT_2:
      case CLOSING:
      case LAST_ACK:
      case TIME_WAIT:
        throw new TcpSocketException(SocketError.EPIPE, "connection closing (RFC 9293 §3.10.2)");
      default:
        break;
    }
    if (finRequested) throw new TcpSocketException(SocketError.EPIPE, "output shut down");
    long room = sendBufferSize - unsent() - rtxQueue.payloadBytes();
    int n = (int) Math.max(0, Math.min(room, len));
    if (n == 0) return 0;
    sendQueue().write(src, off, n);
    if (state.isSynchronized()) Sender.output(this);
    return n;
  }

  /** RECEIVE (§3.10.3): bytes read, 0 when nothing is there yet, -1 at end of stream. */
  int read(byte[] dst, int off, int len) {
    // After SHUT_RD queued data is still read (Linux tcp_recvmsg), unless the profile discarded it
    if (unread() > 0) {
      long before = tcb.receiveWindow();
      int n = receiveQueue.read(dst, off, len);
      Sender.windowOpened(this, before);
      return n;
    }
    if (end != null) {
      SocketError e = endError();
      boolean report = !errorReported && e != SocketError.EPIPE && !peerFinReceived;
      if (report) errorReported = true;
      if (report) throw new TcpSocketException(e);
      return -1;
    }
    if (peerFinReceived || readShutdown) return -1;
    if (state == CLOSED || state == LISTEN) throw new TcpSocketException(SocketError.ENOTCONN);
    return 0;
  }

  /**
   * The error the first read or write reports once the connection has ended (Linux: ECONNRESET,
   * ECONNREFUSED or ETIMEDOUT once, then EOF for reads and EPIPE for writes).
   */
  private SocketError endError() {
    switch (end) {
      case RESET_BY_PEER:
      case RESET_ON_DATA_AFTER_SHUTDOWN:
        return SocketError.ECONNRESET;
      case REFUSED:
        return SocketError.ECONNREFUSED;
      case TIMED_OUT:
        return SocketError.ETIMEDOUT;
      default:
        return SocketError.EPIPE;
    }
  }

  /** Bytes waiting to be read. */
  long available() {
    return unread();
  }

  /** Room in the send buffer. */
  long writable() {
    return Math.max(0, sendBufferSize - unsent() - rtxQueue.payloadBytes());
  }

  /** shutdown(SHUT_WR): CLOSE of the sending half (§3.10.4), a FIN after the queued data. */
  void shutdownOutput() {
    if (end != null) throw new TcpSocketException(SocketError.ENOTCONN);
    switch (state) {
      case CLOSED:
      case LISTEN:
      case SYN_SENT:
        throw new TcpSocketException(SocketError.ENOTCONN);
      case SYN_RECEIVED:
      case ESTABLISHED:
        finRequested = true;
        setState(FIN_WAIT_1, false, "close of the sending side");
        break;
      case CLOSE_WAIT:
        finRequested = true;
        setState(LAST_ACK, false, "close of the sending side");
        break;
      default:
        return; // FIN already queued
    }
    Sender.output(this);
  }

  /**
   * shutdown(SHUT_RD): sends nothing. Linux only marks the receiving side shut (queued and later data
   * stay readable, an empty read is end of file); the BSD way discards queued and later data.
   */
  void shutdownInput() {
    readShutdown = true;
    if (!profile().shutdownReadKeepsData()) receiveQueue = null;
  }

  /** SHUT_RD discards what arrives (the BSD way, {@link Profile#shutdownReadKeepsData()} false). */
  private boolean discardsInput() {
    return readShutdown && !profile().shutdownReadKeepsData();
  }

  /**
   * close() (§3.10.4) with the Berkeley rules on top: SO_LINGER 0 aborts; unread data aborts (RFC 1122
   * §4.2.2.13); otherwise a FIN follows the queued data and the socket is orphaned.
   */
  void close() {
    if (end != null || state == CLOSED) {
      stack.forget(this);
      return;
    }
    long unread = unread() + outOfOrder();
    if (lingerZero && state != LISTEN && state != SYN_SENT) {
      abort("close() with SO_LINGER 0");
      return;
    }
    // RFC 1122 §4.2.2.13; Linux counts data that arrived after SHUT_RD too (tcp_close)
    if (unread > 0 && !discardsInput()) {
      abort("close() with " + unread + " unread bytes (RFC 1122 §4.2.2.13)");
      return;
    }
    orphaned = true;
    readShutdown = true;
    switch (state) {
      case LISTEN:
        setState(CLOSED, false, "close()");
        terminate(null);
        return;
      case SYN_SENT:
        setState(CLOSED, false, "close()");
        terminate(ConnectionEnd.ABORTED_LOCALLY);
        return;
      case SYN_RECEIVED:
      case ESTABLISHED:
      case CLOSE_WAIT:
        shutdownOutput();
        break;
      default:
        break;
    }
    if (state == FIN_WAIT_2) timers.armFinWait2();
  }

  /** Drops a half-open connection without a word, as Linux does with its request sockets. */
  void dropSilently(String reason) {
    if (state != CLOSED) setState(CLOSED, true, reason);
    terminate(ConnectionEnd.ABORTED_LOCALLY);
  }

  /** ABORT (§3.10.5): RST in the synchronized states and SYN-RECEIVED, queues flushed, CLOSED. */
  void abort(String reason) {
    switch (state) {
      case SYN_RECEIVED:
      case ESTABLISHED:
      case FIN_WAIT_1:
      case FIN_WAIT_2:
      case CLOSE_WAIT:
        Sender.sendAbortRst(this);
        break;
      default:
        break; // CLOSING, LAST-ACK, TIME-WAIT, SYN-SENT, LISTEN: no RST (§3.10.5)
    }
    if (state != CLOSED) setState(CLOSED, true, reason);
    terminate(ConnectionEnd.ABORTED_LOCALLY);
  }

  /** Deletes the TCB: queues and timers gone, the application told how it ended. */
  void terminate(ConnectionEnd how) {
    if (how != null && end == null) end = how;
    terminateQueues();
    reassembly = null;
    // Bytes already received in order stay readable after a graceful end and after the peer's RST
    // (Linux reads them before reporting ECONNRESET); a local abort or a timeout discards them.
    if (how == ConnectionEnd.ABORTED_LOCALLY || how == ConnectionEnd.TIMED_OUT) receiveQueue = null;
    timers.cancelAll();
    stack.removed(this, how == null ? null : end);
  }

  // ---------------------------------------------------------------------------------------------
  // SEGMENT ARRIVES (RFC 9293 §3.10.7)

  /**
   * LISTEN (§3.10.7.2), called on a fresh child TCB, its {@link #id} set, with the SYN that made it and
   * the ISS the stack chose.
   */
  void listenArrives(Segment seg, int iss) {
    passive = true;
    initSendSequence(iss);
    tcb.irs = seg.seq();
    tcb.rcvNxt = seg.seq() + 1;
    negotiateOptions(seg);
    tcb.sndWnd = seg.window(); // never scaled in a SYN (RFC 7323 §2.2)
    tcb.maxSndWnd = tcb.sndWnd;
    tcb.sndWl1 = seg.seq();
    tcb.sndWl2 = seg.ack();
    rememberTimestamp(seg);
    lastReceivedAt = now();
    setState(SYN_RECEIVED, false, "rcv SYN");
    Sender.sendSyn(this, true);
  }

  void segmentArrives(Segment seg) {
    lastReceivedAt = now();
    keepaliveProbesSent = 0;
    if (state == SYN_SENT) {
      synSentArrives(seg);
    } else {
      otherwiseArrives(seg);
    }
    if (state != CLOSED) Sender.output(this);
  }

  /** SYN-SENT (§3.10.7.3). */
  private void synSentArrives(Segment seg) {
    boolean ackAcceptable = false;
    // first, check the ACK bit
    if (seg.isAck()) {
      if (SeqNum.leq(seg.ack(), tcb.iss) || SeqNum.gt(seg.ack(), tcb.sndNxt)) {
        if (!seg.isRst()) Sender.sendReset(this, seg.ack(), 0, false);
        event("unacceptable ACK in SYN-SENT: RST sent");
        return;
      }
      ackAcceptable = SeqNum.leq(tcb.sndUna, seg.ack()) && SeqNum.leq(seg.ack(), tcb.sndNxt);
    }
    // second, check the RST bit
    if (seg.isRst()) {
      if (ackAcceptable) {
        setState(CLOSED, true, "rcv RST,ACK: connection refused");
        terminate(ConnectionEnd.REFUSED);
      } else {
        event("RST without ACK in SYN-SENT ignored");
      }
      return;
    }
    // fourth, check the SYN bit
    if (!seg.isSyn()) return;
    tcb.irs = seg.seq();
    tcb.rcvNxt = seg.seq() + 1;
    tcb.rcvAdv = tcb.rcvNxt + (int) tcb.rcvWnd; // our SYN's window, now anchored at RCV.NXT
    negotiateOptions(seg);
    rememberTimestamp(seg);
    if (seg.isAck()) {
      ackSyn(seg.ack());
    }
    if (SeqNum.gt(tcb.sndUna, tcb.iss)) {
      tcb.sndWnd = (long) seg.window() << 0; // SYN,ACK windows are not scaled (RFC 7323 §2.2)
      tcb.maxSndWnd = tcb.sndWnd;
      tcb.sndWl1 = seg.seq();
      tcb.sndWl2 = seg.ack();
      setState(ESTABLISHED, false, "rcv SYN,ACK");
      enterEstablished();
      ackNow = true;
      if (seg.payloadLength() > 0 || seg.isFin()) processTextAndFin(seg, seg.seq() + 1);
    } else {
      // Simultaneous open: SYN-RECEIVED, SYN,ACK out (§3.10.7.3 fourth).
      tcb.sndWnd = seg.window();
      tcb.maxSndWnd = tcb.sndWnd;
      tcb.sndWl1 = seg.seq();
      setState(SYN_RECEIVED, false, "rcv SYN (simultaneous open)");
      Sender.resendSynAck(this);
    }
  }

  /** The ACK of our SYN arrived: SND.UNA moves past ISS. */
  private void ackSyn(int ack) {
    RetransmissionQueue.Entry done = rtxQueue.acknowledge(ack);
    if (done != null && done.transmissions == 1) rtt.sample(now() - done.firstSentAt);
    tcb.sndUna = ack;
    timers.stopRetransmission();
  }

  private void enterEstablished() {
    rtt.dataTransmissionBegins(); // RFC 6298 §5.7
    quickAcksLeft = profile().quickAckSegments();
    if (keepAlive) timers.armKeepalive();
    stack.established(this);
  }

  /** SYN-RECEIVED and the synchronized states (§3.10.7.4). */
  private void otherwiseArrives(Segment seg) {
    if (state == SYN_RECEIVED && seg.isSyn() && !seg.isAck() && seg.seq() == tcb.irs) {
      Sender.resendSynAck(this); // the peer's SYN again: our SYN,ACK was lost
      return;
    }
    // RFC 7323 §5.3 PAWS, before the sequence check
    if (pawsRejects(seg)) {
      if (!seg.isRst()) ackNow = true;
      event("PAWS: old timestamp, segment dropped");
      return;
    }
    // Linux tcp_reset_check(): after the peer's FIN, a RST at RCV.NXT - 1 is accepted too
    if (seg.isRst() && profile().orphanRstsLikeLinux() && seg.seq() == tcb.rcvNxt - 1
        && (state == CLOSE_WAIT || state == LAST_ACK || state == CLOSING)) {
      resetArrives();
      return;
    }
    // first, check sequence number
    if (!acceptable(seg)) {
      if (seg.isSyn() && !seg.isRst()) {
        sendChallengeAck("SYN outside the window"); // RFC 5961 §4.2, rate-limited (§7)
        return;
      }
      if (!seg.isRst()) {
        if (state == TIME_WAIT && seg.isFin()) timers.armTimeWait(); // §3.10.7.4 eighth
        int end = seg.seq() + seg.seqLength();
        if (seg.seqLength() > 0 && SeqNum.leq(end, tcb.rcvNxt)) {
          reportDuplicate(seg.seq(), end); // RFC 2883 §4: a duplicate segment
        }
        ackNow = true;
        event("unacceptable segment: ACK sent");
      }
      return;
    }
    // second, check the RST bit (RFC 5961 §3.2)
    if (seg.isRst()) {
      boolean lightweightFinWait2 =
          orphaned && state == FIN_WAIT_2 && profile().orphanRstsLikeLinux();
      if (seg.seq() != tcb.rcvNxt && !lightweightFinWait2) {
        sendChallengeAck("in-window RST with SEQ != RCV.NXT");
        return;
      }
      resetArrives();
      return;
    }
    // fourth, check the SYN bit (RFC 5961 §4)
    if (seg.isSyn()) {
      sendChallengeAck("SYN in a synchronized state");
      return;
    }
    // fifth, check the ACK field
    if (!seg.isAck()) return;
    if (!processAck(seg)) return;
    if (state == CLOSED) return;
    // sixth, check the URG bit
    if (seg.isUrg() && (state == ESTABLISHED || state == FIN_WAIT_1 || state == FIN_WAIT_2)) {
      tcb.rcvUp = SeqNum.max(tcb.rcvUp, seg.seq() + seg.urgentPointer());
    }
    rememberTimestamp(seg);
    // seventh and eighth: text and FIN
    processTextAndFin(seg, seg.seq());
  }

  private boolean pawsRejects(Segment seg) {
    if (!tcb.timestampsEnabled || seg.isRst()) return false;
    return seg.hasTimestamps() && tcb.tsRecent != 0 && seg.tsVal() - tcb.tsRecent < 0;
  }

  /** RFC 7323 §4.3: TS.Recent from a segment covering Last.ACK.sent. */
  private void rememberTimestamp(Segment seg) {
    if (!seg.hasTimestamps()) return;
    if (seg.isSyn()
        || (SeqNum.leq(seg.seq(), tcb.lastAckSent)
            && SeqNum.leq(tcb.lastAckSent, seg.seq() + seg.seqLength()))) {
      tcb.tsRecent = seg.tsVal();
    }
  }

  /** The four cases of the acceptability test (§3.10.7.4 first). */
  private boolean acceptable(Segment seg) {
    long wnd = tcb.receiveWindow();
    int len = seg.seqLength();
    int s = seg.seq();
    if (len == 0) {
      return wnd == 0 ? s == tcb.rcvNxt : SeqNum.inWindow(s, tcb.rcvNxt, wnd);
    }
    if (wnd == 0) return false;
    return SeqNum.inWindow(s, tcb.rcvNxt, wnd) || SeqNum.inWindow(s + len - 1, tcb.rcvNxt, wnd);
  }

  /** An acceptable RST (§3.10.7.4 second). */
  private void resetArrives() {
    if (state == SYN_RECEIVED && passive) {
      setState(LISTEN, false, "rcv RST");
      stack.embryonicReset(this);
      return;
    }
    TcpState from = state;
    setState(CLOSED, true, "rcv RST");
    if (from == CLOSE_WAIT) errorReported = true; // Linux: EPIPE, not ECONNRESET, after our EOF
    // An active OPEN reset in SYN-RECEIVED "was refused" (§3.10.7.4 second)
    terminate(from == SYN_RECEIVED ? ConnectionEnd.REFUSED : ConnectionEnd.RESET_BY_PEER);
  }

  /** RFC 5961 §3.2/§4.2/§5.2 challenge ACK, rate-limited (Linux tcp_invalid_ratelimit). */
  private void sendChallengeAck(String why) {
    long now = now();
    if (lastChallengeAckAt != Long.MIN_VALUE
        && now - lastChallengeAckAt < profile().challengeAckIntervalNanos()) {
      event("challenge ACK suppressed (rate limit): " + why);
      return;
    }
    lastChallengeAckAt = now;
    event("challenge ACK: " + why);
    Sender.sendAck(this);
  }

  /** Fifth, check the ACK field. Returns false when the segment is to be dropped. */
  private boolean processAck(Segment seg) {
    int ack = seg.ack();
    if (state == SYN_RECEIVED) {
      if (SeqNum.lt(tcb.sndUna, ack) && SeqNum.leq(ack, tcb.sndNxt)) {
        ackSyn(ack);
        tcb.sndWnd = (long) seg.window() << tcb.sndWscale;
        tcb.maxSndWnd = Math.max(tcb.maxSndWnd, tcb.sndWnd);
        tcb.sndWl1 = seg.seq();
        tcb.sndWl2 = ack;
        setState(ESTABLISHED, false, "rcv ACK of SYN");
        enterEstablished();
      } else {
        Sender.sendReset(this, ack, 0, false);
        event("unacceptable ACK in SYN-RECEIVED: RST sent");
        return false;
      }
    }
    // RFC 5961 §5.2: acceptable if (SND.UNA - MAX.SND.WND) <= SEG.ACK <= SND.NXT
    if (SeqNum.gt(ack, tcb.sndNxt)) {
      ackNow = true;
      event("ACK of data not yet sent: ACK sent, segment dropped");
      return false;
    }
    if (SeqNum.lt(ack, SeqNum.plus(tcb.sndUna, -Math.max(tcb.maxSndWnd, 1)))) {
      sendChallengeAck("ACK below SND.UNA - MAX.SND.WND");
      return false;
    }
    long scaledWindow = (long) seg.window() << tcb.sndWscale;
    if (SeqNum.gt(ack, tcb.sndUna)) {
      newDataAcked(seg, ack);
    } else if (ack == tcb.sndUna) {
      duplicateAck(seg, scaledWindow);
    }
    // Window update (§3.10.7.4 fifth)
    if (SeqNum.leq(tcb.sndUna, ack)
        && (SeqNum.lt(tcb.sndWl1, seg.seq())
            || (tcb.sndWl1 == seg.seq() && SeqNum.leq(tcb.sndWl2, ack)))) {
      boolean opened = tcb.sndWnd == 0 && scaledWindow > 0;
      tcb.sndWnd = scaledWindow;
      tcb.maxSndWnd = Math.max(tcb.maxSndWnd, scaledWindow);
      tcb.sndWl1 = seg.seq();
      tcb.sndWl2 = ack;
      if (opened) timers.stopPersist();
    }
    if (tcb.sackEnabled && !seg.sackBlocks().isEmpty()) { // RFC 2018 §5: mark SACKed segments
      rtxQueue.markSacked(seg.sackBlocks());
      if (inRecovery) rtxQueue.markLostBySack(DUP_THRESH, tcb.sndMss);
    }
    return ackOurFin(seg);
  }

  private void newDataAcked(Segment seg, int ack) {
    long acked = Integer.toUnsignedLong(ack - tcb.sndUna);
    RetransmissionQueue.Entry done = rtxQueue.acknowledge(ack);
    long rttSample = -1;
    if (tcb.timestampsEnabled && seg.hasTimestamps() && seg.tsEcr() != 0) {
      // RFC 7323 §4: the echoed timestamp times the segment, retransmitted or not (ms resolution)
      rttSample = Math.max(0, (long) (tsClock() - seg.tsEcr())) * 1_000_000L;
      rtt.sample(rttSample);
    } else if (done != null && done.transmissions == 1) { // Karn's algorithm (RFC 6298 §3)
      rttSample = now() - done.firstSentAt;
      rtt.sample(rttSample);
    }
    tcb.sndUna = ack;
    consecutiveTimeouts = 0;
    if (!inRecovery) dupAcks = 0; // in NewReno recovery they still stand for segments delivered
    if (inRecovery) {
      if (rtoRecovery) cc().onAck(acked, now(), rttSample); // slow start from the loss window
      if (SeqNum.geq(ack, recoverPoint)) {
        inRecovery = false; // RFC 6582 §3.2 step 3: full acknowledgment
        dupAcks = 0;
        rtxQueue.clearRecoveryMarks();
        if (!rtoRecovery) cc().onRecoveryEnd(now());
        rtoRecovery = false;
        event("recovery ended at " + SeqNum.unsigned(ack));
      } else {
        // RFC 6582 §3.2 step 4: a partial ACK: the next hole is lost too; resend it at once
        RetransmissionQueue.Entry head = rtxQueue.first();
        if (head != null && !head.sacked && !head.retransmittedInRecovery) {
          head.lost = true;
          if (!rtoRecovery) Sender.retransmit(this, head);
        }
      }
    } else {
      cc().onAck(acked, now(), rttSample);
    }
    // The probe's tail is acknowledged: a later tail may be probed again (Linux tcp_process_tlp_ack)
    if (tlpOutstanding && SeqNum.geq(ack, tlpHighSeq)) tlpOutstanding = false;
    // RFC 6298 §5.2/§5.3: stop the timer when all is acked, otherwise restart it; Linux
    // tcp_set_xmit_timer: a tail-loss probe in its place when one may go out
    if (rtxQueue.isEmpty()) {
      timers.stopRetransmission();
    } else {
      timers.restartRetransmission();
      scheduleLossProbe(true);
    }
    if (stack.hasWritableInterest(this)) stack.writable(this);
  }

  /** RFC 5681 §2 duplicate ACK, §3.2 fast retransmit; RFC 6675 §5 with SACK. */
  private void duplicateAck(Segment seg, long scaledWindow) {
    boolean isDup =
        !rtxQueue.isEmpty()
            && seg.payloadLength() == 0
            && !seg.isSyn()
            && !seg.isFin()
            && scaledWindow == tcb.sndWnd;
    if (!isDup) return;
    dupAcks++;
    if (inRecovery) return;
    boolean lossBySack = false;
    if (tcb.sackEnabled) {
      rtxQueue.markSacked(seg.sackBlocks());
      rtxQueue.markLostBySack(DUP_THRESH, tcb.sndMss);
      RetransmissionQueue.Entry head = rtxQueue.first();
      lossBySack = head != null && head.lost;
    }
    if (dupAcks >= DUP_THRESH || lossBySack) {
      inRecovery = true;
      timers.stopLossProbe(); // no probe in loss recovery (RFC 8985 §7.2)
      tlpOutstanding = false;
      recoverPoint = tcb.sndNxt;
      cc().onLossDetected(tcb.flightSize(), now());
      RetransmissionQueue.Entry head = rtxQueue.first();
      event("fast retransmit: " + dupAcks + " duplicate ACKs at " + SeqNum.unsigned(tcb.sndUna));
      if (head != null) {
        head.lost = true;
        // RFC 5681 §3.2 step 3: retransmit at once, whatever the window
        Sender.retransmit(this, head);
      }
    }
  }

  /** Has the ACK covered our FIN? Moves FIN-WAIT-1, CLOSING and LAST-ACK on (§3.10.7.4 fifth). */
  private boolean ackOurFin(Segment seg) {
    if (!finSent || SeqNum.lt(tcb.sndUna, finSeq + 1)) return true;
    switch (state) {
      case FIN_WAIT_1:
        if (seg.isFin() && SeqNum.leq(seg.seq(), tcb.rcvNxt)) {
          return true; // the FIN in this segment takes FIN-WAIT-1 straight to TIME-WAIT (eighth)
        }
        setState(FIN_WAIT_2, false, "rcv ACK of FIN");
        if (orphaned) timers.armFinWait2();
        return true;
      case CLOSING:
        setState(TIME_WAIT, false, "rcv ACK of FIN");
        enterTimeWait();
        return false;
      case LAST_ACK:
        setState(CLOSED, false, "rcv ACK of FIN");
        terminate(ConnectionEnd.CLOSED_GRACEFULLY);
        return false;
      default:
        return true;
    }
  }

  /** Seventh (text) and eighth (FIN) of §3.10.7.4; {@code dataSeq} is where the payload starts. */
  private void processTextAndFin(Segment seg, int dataSeq) {
    int len = seg.payloadLength();
    int skip = 0;
    if (len > 0) {
      if (state != ESTABLISHED && state != FIN_WAIT_1 && state != FIN_WAIT_2) {
        len = 0; // CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT: ignore the text
      } else if (orphaned) {
        // Data for an application that has closed: Linux resets (RFC 1122 §4.2.2.13 in spirit).
        abortAfterClose(seg, len);
        return;
      } else if (readShutdown && state != ESTABLISHED && profile().shutdownReadKeepsData()
          && SeqNum.gt(dataSeq + len, tcb.rcvNxt)) {
        // New data in FIN-WAIT-1/2 after SHUT_RD: Linux resets (tcp_rcv_state_process, RFC 1122
        // §4.2.2.13 "MUST send a reset")
        resetOnDataAfterShutdown(seg, len);
        return;
      }
    }
    if (len > 0) {
      // Trim what we already have and what lies beyond the window.
      if (SeqNum.lt(dataSeq, tcb.rcvNxt)) {
        skip = Math.min(len, tcb.rcvNxt - dataSeq);
        reportDuplicate(dataSeq, dataSeq + skip); // RFC 2883 §4: partly a duplicate
        ackNow = true;
      }
      int start = dataSeq + skip;
      long room = tcb.receiveWindow() - Integer.toUnsignedLong(start - tcb.rcvNxt);
      int keep = (int) Math.max(0, Math.min(len - skip, room));
      if (keep > 0 && start == tcb.rcvNxt) {
        receiveQueue().add(seg.payloadArray(), seg.payloadOffset() + skip, keep);
        tcb.rcvNxt += keep;
        boolean filledHole = outOfOrder() > 0;
        if (filledHole) tcb.rcvNxt = reassembly.drainInto(tcb.rcvNxt, receiveQueue);
        // Linux: an in-order FIN with the data enters pingpong mode, so the data gets no quick ACK
        boolean finFollows = seg.isFin() && keep == len - skip && dataSeq + len == tcb.rcvNxt
            && finAckDelayed();
        scheduleAckForData(filledHole, finFollows);
        if (discardsInput()) {
          receiveQueue = null; // ACKed, never delivered (BSD SHUT_RD)
        } else {
          stack.readable(this);
        }
      } else if (keep > 0) {
        reassembly().add(start, seg.payloadArray(), seg.payloadOffset() + skip, keep, tcb.rcvNxt);
        ackNow = true; // RFC 5681 §4.2: out-of-order data is ACKed at once
        event("out-of-order data held: " + SeqNum.unsigned(start) + " while expecting "
            + SeqNum.unsigned(tcb.rcvNxt));
      }
      if (keep < len - skip) {
        ackNow = true;
        if (seg.isFin()) return; // the FIN lies beyond the window
      }
    }
    if (seg.isFin()) {
      int finAt = dataSeq + seg.payloadLength();
      if (finAt != tcb.rcvNxt) {
        if (SeqNum.gt(finAt, tcb.rcvNxt)) {
          outOfOrderFin = true;
          outOfOrderFinSeq = finAt;
          ackNow = true;
        }
        return;
      }
      finArrives();
    } else if (outOfOrderFin && outOfOrderFinSeq == tcb.rcvNxt) {
      finArrives();
    }
  }

  private void abortAfterClose(Segment seg, int len) {
    event(len + " bytes arrived after close(): RST");
    if (profile().orphanRstsLikeLinux()) {
      // The reply form, as tcp_v4_send_reset() builds it.
      Sender.sendReset(this, seg.ack(), 0, false);
      setState(CLOSED, true, "data after close()");
      terminate(ConnectionEnd.ABORTED_LOCALLY);
    } else {
      abort("data after close()");
    }
  }

  /** RFC 2883 §4: the next ACK's first SACK block names {@code left..right}, received twice. */
  private void reportDuplicate(int left, int right) {
    // Linux's TIME-WAIT socket keeps no SACK state: its re-ACKs carry no D-SACK (tcp_v4_timewait_ack)
    if (!tcb.sackEnabled || !profile().dsack() || state == TIME_WAIT) return;
    dsackLeft = left;
    dsackRight = right;
    dsackPending = true;
  }

  /** Linux's answer to new data after SHUT_RDWR: the reply-form RST, and ECONNRESET for the application. */
  private void resetOnDataAfterShutdown(Segment seg, int len) {
    event(len + " bytes arrived after shutdown of reading: RST");
    Sender.sendReset(this, seg.ack(), 0, false); // tcp_v4_send_reset(): SEQ = SEG.ACK, no ACK
    setState(CLOSED, true, "data after shutdown(SHUT_RD)");
    terminate(ConnectionEnd.RESET_ON_DATA_AFTER_SHUTDOWN);
  }

  private void scheduleAckForData(boolean filledHole, boolean finFollows) {
    unackedSegments++;
    if (filledHole) {
      ackNow = true; // RFC 5681 §4.2: at once when a hole is filled
    } else if (quickAcksLeft > 0 && !finFollows) {
      quickAcksLeft--;
      ackNow = true;
    } else if (unackedSegments >= 2) {
      ackNow = true; // RFC 5681 §4.2: at least every second full-sized segment
    } else {
      timers.armDelayedAck();
    }
  }

  /** Eighth, check the FIN bit (§3.10.7.4). */
  private void finArrives() {
    outOfOrderFin = false;
    if (peerFinReceived) {
      if (state == TIME_WAIT) timers.armTimeWait();
      ackNow = true;
      return;
    }
    boolean dataEverReceived = tcb.rcvNxt != tcb.irs + 1;
    tcb.rcvNxt += 1;
    peerFinReceived = true;
    if (finAckDelayed()) {
      // Linux: the delayed-ACK engine starts with the first data (ato TCP_ATO_MIN); before that ato is
      // 0 and the timer fires on the next tick
      timers.armDelayedAck(
          dataEverReceived ? profile().delayedAckNanos() : profile().clockGranularityNanos());
      unackedSegments++;
    } else {
      ackNow = true;
    }
    switch (state) {
      case SYN_RECEIVED:
      case ESTABLISHED:
        setState(CLOSE_WAIT, false, "rcv FIN");
        break;
      case FIN_WAIT_1:
        if (finSent && SeqNum.geq(tcb.sndUna, finSeq + 1)) {
          setState(TIME_WAIT, false, "rcv FIN (our FIN acked)");
          enterTimeWait();
        } else {
          setState(CLOSING, false, "rcv FIN");
        }
        break;
      case FIN_WAIT_2:
        setState(TIME_WAIT, false, "rcv FIN");
        enterTimeWait();
        break;
      default:
        break;
    }
    stack.readable(this);
  }

  /** Is the ACK of an in-order FIN arriving now delayed (Linux pingpong in ESTABLISHED)? */
  private boolean finAckDelayed() {
    return profile().delayAckOfFin() && (state == ESTABLISHED || state == SYN_RECEIVED);
  }

  private void enterTimeWait() {
    timers.startTimeWait();
    end = ConnectionEnd.CLOSED_GRACEFULLY; // the application's view: done, whatever TIME-WAIT meets
    stack.endReported(this, end);
  }

  /** Negotiates MSS, window scale, timestamps and SACK from a SYN (RFC 9293 §3.7.1, RFC 7323, RFC 2018). */
  private void negotiateOptions(Segment syn) {
    int peerMss = syn.mss();
    tcb.sndMss = Math.min(peerMss < 0 ? 536 : Math.max(peerMss, 64), tcb.rcvMss);
    int ws = syn.windowScale();
    boolean weOffer = passive ? profile().offerWindowScale() : tcb.offeredWindowScale;
    tcb.windowScaleEnabled = ws >= 0 && weOffer;
    if (tcb.windowScaleEnabled) {
      tcb.sndWscale = (byte) Math.min(ws, 14); // RFC 7323 §2.3: values above 14 are treated as 14
      tcb.rcvWscale = (byte) profile().windowScaleFor(receiveBufferSize);
    } else {
      tcb.sndWscale = 0;
      tcb.rcvWscale = 0;
    }
    boolean offerTs = passive ? profile().offerTimestamps() : tcb.offeredTimestamps;
    tcb.timestampsEnabled = offerTs && syn.hasTimestamps();
    boolean offerSack = passive ? profile().offerSack() : tcb.offeredSack;
    tcb.sackEnabled = offerSack && syn.sackPermitted();
  }

  // ---------------------------------------------------------------------------------------------
  // Timer expiries, called by ConnectionTimers

  /** RFC 6298 §5.4–§5.7, RFC 9293 §3.8.3 / §3.10.8. */
  void retransmissionTimeout() {
    RetransmissionQueue.Entry head = rtxQueue.first();
    if (head == null) return;
    long now = now();
    int limit = head.syn ? profile().synRetries() : profile().dataRetries();
    boolean userTimeoutExpired =
        userTimeoutNanos > 0 && now - head.firstSentAt >= userTimeoutNanos;
    // A receiver that keeps answering with a zero window is not dead: the retransmissions are
    // window probes then, and do not count (RFC 1122 §4.2.2.17; Linux tcp_retransmit_timer).
    boolean peerAlive =
        tcb.sndWnd == 0 && !orphaned && !head.syn
            && now - lastReceivedAt <= profile().rtoMaxNanos();
    if (!peerAlive) consecutiveTimeouts++;
    if (consecutiveTimeouts > limit || userTimeoutExpired) {
      String why = userTimeoutExpired ? "user timeout" : limit + " retransmissions";
      TcpState from = state;
      setState(CLOSED, true, "timeout: " + why);
      event("gave up in " + from + " after " + why);
      terminate(ConnectionEnd.TIMED_OUT);
      return;
    }
    rtt.backoff();
    timers.stopLossProbe();
    tlpOutstanding = false; // Linux tcp_retransmit_timer: tlp_high_seq = 0
    if (!head.syn) cc().onRetransmissionTimeout(tcb.flightSize(), now);
    rtxQueue.markAllLost();
    inRecovery = !head.syn;
    rtoRecovery = inRecovery;
    recoverPoint = tcb.sndNxt;
    dupAcks = 0;
    event("RTO: retransmitting " + SeqNum.unsigned(head.seq) + ", next RTO " + rtt.rto() / 1_000_000
        + " ms");
    if (head.syn) {
      Sender.retransmit(this, head);
    } else {
      Sender.output(this);
      if (head.transmissions == 1 || !head.retransmittedInRecovery) Sender.retransmit(this, head);
    }
    timers.restartRetransmission();
  }

  /**
   * Schedules a tail-loss probe (RFC 8985 §7.2, Linux tcp_schedule_loss_probe) when the profile has
   * it, SACK is on, no loss recovery is under way and data is outstanding on a synchronized connection:
   * PTO = 2*SRTT plus the minimum RTO when one segment is outstanding, else plus 2 ms
   * (TCP_TIMEOUT_MIN); 1 s (TCP_TIMEOUT_INIT) without an RTT sample. Capped at the RTO: the time left
   * until it fires, or with {@code advancingRto} (an ACK restarted it) the full RTO.
   */
  void scheduleLossProbe(boolean advancingRto) {
    RetransmissionQueue.Entry head = rtxQueue.first();
    if (!profile().tailLossProbe() || !tcb.sackEnabled || inRecovery || head == null || head.syn
        || !state.isSynchronized()) {
      timers.stopLossProbe(); // tcp_set_xmit_timer: the RTO alone then
      return;
    }
    long pto;
    if (rtt.hasSample()) {
      pto = 2 * rtt.srtt() + (head == rtxQueue.last() ? profile().rtoMinNanos() : TLP_TIMEOUT_MIN);
    } else {
      pto = TLP_TIMEOUT_INIT;
    }
    long rtoLeft = advancingRto ? rtt.rto() : timers.untilRetransmission();
    if (rtoLeft > 0) pto = Math.min(pto, rtoLeft);
    timers.armLossProbe(pto);
  }

  /**
   * The tail-loss probe (RFC 8985 §7.3, Linux tcp_send_loss_probe): one new segment if the window
   * takes it, otherwise the last segment sent again; not a timeout (no backoff, no cwnd reduction, not
   * counted as a retry), but the RTO restarts from now (tcp_rearm_rto). One probe per tail.
   */
  void lossProbeTimeout() {
    if (rtxQueue.isEmpty() || inRecovery || !state.isSynchronized()) return;
    if (tlpOutstanding) {
      event("TLP: probe for " + SeqNum.unsigned(tlpHighSeq) + " still outstanding, waiting for the RTO");
      return;
    }
    int sndNxt = tcb.sndNxt;
    if (Sender.sendLossProbeNewData(this)) {
      event("TLP: new data " + SeqNum.unsigned(sndNxt) + ":" + SeqNum.unsigned(tcb.sndNxt));
    } else {
      RetransmissionQueue.Entry last = rtxQueue.last();
      event("TLP: retransmitting the last segment " + SeqNum.unsigned(last.seq) + ":"
          + SeqNum.unsigned(last.seq + last.length + (last.fin ? 1 : 0)) + (last.fin ? " (FIN)" : ""));
      Sender.retransmit(this, last);
    }
    tlpOutstanding = true;
    tlpHighSeq = tcb.sndNxt;
    timers.stopLossProbe(); // one probe per tail: the probe schedules none
    timers.restartRetransmission();
  }

  /**
   * Persist timer: a zero-window probe (RFC 9293 §3.8.6.1), or, when the window is open but too small
   * for the sender's silly-window rules, the override that sends into it (§3.8.6.2.1).
   */
  void persistTimeout() {
    if (unsent() == 0 || !rtxQueue.isEmpty()) return;
    if (tcb.sndWnd > 0) {
      Sender.sendIntoSmallWindow(this);
      return;
    }
    Sender.sendWindowProbe(this);
    timers.backOffPersist();
  }

  void delayedAckTimeout() {
    if (state == CLOSED || state == LISTEN) return;
    Sender.sendAck(this);
  }

  /** RFC 1122 §4.2.3.6 keepalive. */
  void keepaliveTimeout() {
    if (!keepAlive || !(state == ESTABLISHED || state == CLOSE_WAIT)) return;
    long idle = now() - lastReceivedAt;
    if (idle < profile().keepaliveIdleNanos() + (long) keepaliveProbesSent
        * profile().keepaliveIntervalNanos()) {
      timers.armKeepalive();
      return;
    }
    if (keepaliveProbesSent >= profile().keepaliveProbes()) {
      setState(CLOSED, true, "keepalive: no answer to " + keepaliveProbesSent + " probes");
      terminate(ConnectionEnd.TIMED_OUT);
      return;
    }
    keepaliveProbesSent++;
    Sender.sendKeepaliveProbe(this);
    timers.armKeepalive();
  }

  void timeWaitTimeout() {
    if (state != TIME_WAIT) return;
    setState(CLOSED, false, "2MSL timeout");
    terminate(ConnectionEnd.CLOSED_GRACEFULLY);
  }

  void finWait2Timeout() {
    if (state != FIN_WAIT_2) return;
    setState(CLOSED, true, "FIN-WAIT-2 timeout");
    terminate(ConnectionEnd.TIMED_OUT);
  }

  void event(String description) {
    stack.event(this, description);
  }

  @Override
  public String toString() {
    return (id == null ? "unbound" : id.toString()) + " " + state + " " + tcb;
  }
}
