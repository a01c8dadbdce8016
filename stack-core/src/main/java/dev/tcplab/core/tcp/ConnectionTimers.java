package dev.tcplab.core.tcp;

import dev.tcplab.core.time.TimerScheduler;

/**
 * A connection's timers as plain deadlines (retransmission, tail-loss probe, delayed ACK, persist,
 * keepalive, TIME-WAIT, FIN-WAIT-2), behind a single wake-up scheduled at the earliest of them. Moving
 * a deadline later costs nothing: the wake-up fires, finds nothing due and sleeps again. The wake-up's
 * task is this object itself, so (re)scheduling allocates nothing here.
 */
final class ConnectionTimers implements Runnable {
  private static final long NONE = Long.MAX_VALUE;

  private final TcpConnection c;
  private long retransmission = NONE;
  /**
   * The tail-loss probe (RFC 8985 §7), never later than {@link #retransmission}: Linux keeps it in the
   * retransmission timer (ICSK_TIME_LOSS_PROBE) in place of the RTO; here the RTO deadline stays and
   * the probe, when it goes out, restarts it from then.
   */
  private long lossProbe = NONE;
  private long delayedAck = NONE;
  private long persist = NONE;
  private long keepalive = NONE;
  /**
   * The 2*MSL timer in TIME-WAIT, or the FIN-WAIT-2 timeout in FIN-WAIT-2: one deadline, since the
   * states exclude each other (TIME-WAIT stops every other timer, and FIN-WAIT-2 is left only for
   * TIME-WAIT or CLOSED). Which one it is follows from the state when it expires.
   */
  private long closing = NONE;
  /** Zero-window probes sent since the window was last open: the persist interval doubles per probe. */
  private int persistBackoff;

  private TimerScheduler.Timer wakeup;
  private long wakeupAt = NONE;

  ConnectionTimers(TcpConnection c) {
    this.c = c;
  }

  boolean retransmissionArmed() {
    return retransmission != NONE;
  }

  /** RFC 6298 §5.1/§5.3: (re)start with the current RTO; the user timeout may come first. */
  void restartRetransmission() {
    long at = c.now() + c.rtt.rto();
    RetransmissionQueue.Entry head = c.rtxQueue.first();
    if (c.userTimeoutNanos > 0 && head != null) {
      at = Math.min(at, head.firstSentAt + c.userTimeoutNanos);
    }
    retransmission = at;
    reschedule();
  }

  /** Everything is acknowledged: no RTO and no probe. */
  void stopRetransmission() {
    retransmission = NONE;
    lossProbe = NONE;
  }

  /** How long until the RTO fires, or -1 when it is not running. */
  long untilRetransmission() {
    return retransmission == NONE ? -1 : retransmission - c.now();
  }

  /** (Re)schedules the tail-loss probe {@code timeout} from now (Linux tcp_reset_xmit_timer). */
  void armLossProbe(long timeout) {
    lossProbe = c.now() + timeout;
    reschedule();
  }

  void stopLossProbe() {
    lossProbe = NONE;
  }

  boolean delayedAckArmed() {
    return delayedAck != NONE;
  }

  void armDelayedAck() {
    armDelayedAck(c.profile().delayedAckNanos());
  }

  /** The delayed-ACK timer with {@code timeout}, unless it is already running. */
  void armDelayedAck(long timeout) {
    if (delayedAck == NONE) {
      delayedAck = c.now() + timeout;
      reschedule();
    }
  }

  void stopDelayedAck() {
    delayedAck = NONE;
  }

  /** Persist timer (RFC 9293 §3.8.6.1): RTO-based, doubling per probe, bounded by the profile. */
  void armPersist() {
    if (persist != NONE) return;
    long base = c.rtt.rto();
    long interval = base << Math.min(persistBackoff, 20);
    persist = c.now() + Math.min(interval, c.profile().persistMaxNanos());
    reschedule();
  }

  /** The peer's window opened: no more probes, and the next persist interval starts from the RTO. */
  void stopPersist() {
    persist = NONE;
    persistBackoff = 0;
  }

  /** A zero-window probe went out: the persist timer again, its interval doubled. */
  void backOffPersist() {
    persistBackoff++;
    armPersist();
  }

  void armKeepalive() {
    long idleFor = c.profile().keepaliveIdleNanos()
        + (long) c.keepaliveProbesSent * c.profile().keepaliveIntervalNanos();
    keepalive = c.lastReceivedAt + idleFor;
    reschedule();
  }

  void stopKeepalive() {
    keepalive = NONE;
  }

  /** (Re)starts the 2*MSL timer (RFC 9293 §3.10.7.4 eighth). */
  void armTimeWait() {
    closing = c.now() + c.profile().timeWaitNanos();
    reschedule();
  }

  /** The orphaned FIN-WAIT-2 timeout (Linux tcp_fin_timeout), if the profile has one; never restarted. */
  void armFinWait2() {
    long timeout = c.profile().finWait2TimeoutNanos();
    if (timeout > 0 && closing == NONE) {
      closing = c.now() + timeout;
      reschedule();
    }
  }

  /** Entering TIME-WAIT: "turn off the other timers" and start 2*MSL (RFC 9293 §3.10.7.4 eighth). */
  void startTimeWait() {
    stopDeadlines();
    armTimeWait();
  }

  void cancelAll() {
    stopDeadlines();
    if (wakeup != null) wakeup.cancel();
    wakeup = null;
    wakeupAt = NONE;
  }

  private void stopDeadlines() {
    retransmission = NONE;
    lossProbe = NONE;
    delayedAck = NONE;
    persist = NONE;
    keepalive = NONE;
    closing = NONE;
  }

  private long earliest() {
    return Math.min(
        Math.min(Math.min(retransmission, lossProbe), delayedAck),
        Math.min(Math.min(persist, keepalive), closing));
  }

  private void reschedule() {
    long at = earliest();
    if (at == NONE || at >= wakeupAt) return;
    if (wakeup != null) wakeup.cancel();
    wakeupAt = at;
    wakeup = c.stack.scheduler().schedule(at, this);
  }

  /** The wake-up: runs whatever is due, then sleeps until the next deadline. */
  @Override
  public void run() {
    wakeup = null;
    wakeupAt = NONE;
    long now = c.now();
    if (delayedAck <= now) {
      delayedAck = NONE;
      c.delayedAckTimeout();
    }
    // The probe first: it is due no later than the RTO, and when it goes out it restarts the RTO
    if (lossProbe <= now) {
      lossProbe = NONE;
      c.lossProbeTimeout();
    }
    if (retransmission <= now) {
      retransmission = NONE;
      c.retransmissionTimeout();
    }
    if (persist <= now) {
      persist = NONE;
      c.persistTimeout();
    }
    if (keepalive <= now) {
      keepalive = NONE;
      c.keepaliveTimeout();
    }
    if (closing <= now) {
      closing = NONE;
      if (c.state == TcpState.TIME_WAIT) {
        c.timeWaitTimeout();
      } else {
        c.finWait2Timeout();
      }
    }
    if (c.state != TcpState.CLOSED) reschedule();
  }
}
