package dev.tcplab.core.tcp;

import dev.tcplab.core.time.TimerScheduler;

/**
 * A connection's timers as plain deadlines (retransmission, delayed ACK, persist, keepalive, TIME-WAIT,
 * FIN-WAIT-2), behind a single wake-up scheduled at the earliest of them. Moving a deadline later costs
 * nothing: the wake-up fires, finds nothing due and sleeps again.
 */
final class ConnectionTimers {
  private static final long NONE = Long.MAX_VALUE;

  private final TcpConnection c;
  private long retransmission = NONE;
  private long delayedAck = NONE;
  private long persist = NONE;
  private long keepalive = NONE;
  private long timeWait = NONE;
  private long finWait2 = NONE;

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

  void stopRetransmission() {
    retransmission = NONE;
  }

  boolean delayedAckArmed() {
    return delayedAck != NONE;
  }

  void armDelayedAck() {
    if (delayedAck == NONE) {
      delayedAck = c.now() + c.profile.delayedAckNanos();
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
    long interval = base << Math.min(c.persistBackoff, 20);
    persist = c.now() + Math.min(interval, c.profile.persistMaxNanos());
    reschedule();
  }

  void stopPersist() {
    persist = NONE;
  }

  void armKeepalive() {
    long idleFor = c.profile.keepaliveIdleNanos()
        + (long) c.keepaliveProbesSent * c.profile.keepaliveIntervalNanos();
    keepalive = c.lastReceivedAt + idleFor;
    reschedule();
  }

  void stopKeepalive() {
    keepalive = NONE;
  }

  /** (Re)starts the 2*MSL timer (RFC 9293 §3.10.7.4 eighth). */
  void armTimeWait() {
    timeWait = c.now() + c.profile.timeWaitNanos();
    reschedule();
  }

  void armFinWait2() {
    if (c.profile.finWait2TimeoutNanos() > 0 && finWait2 == NONE) {
      finWait2 = c.now() + c.profile.finWait2TimeoutNanos();
      reschedule();
    }
  }

  /** TIME-WAIT: "turn off the other timers" (RFC 9293 §3.10.7.4 eighth). */
  void stopAllButTimeWait() {
    retransmission = NONE;
    delayedAck = NONE;
    persist = NONE;
    keepalive = NONE;
    finWait2 = NONE;
  }

  void cancelAll() {
    stopAllButTimeWait();
    timeWait = NONE;
    if (wakeup != null) wakeup.cancel();
    wakeup = null;
    wakeupAt = NONE;
  }

  private long earliest() {
    return Math.min(
        Math.min(retransmission, delayedAck),
        Math.min(Math.min(persist, keepalive), Math.min(timeWait, finWait2)));
  }

  private void reschedule() {
    long at = earliest();
    if (at == NONE || at >= wakeupAt) return;
    if (wakeup != null) wakeup.cancel();
    wakeupAt = at;
    wakeup = c.stack.scheduler().schedule(at, this::fire);
  }

  private void fire() {
    wakeup = null;
    wakeupAt = NONE;
    long now = c.now();
    if (delayedAck <= now) {
      delayedAck = NONE;
      c.delayedAckTimeout();
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
    if (finWait2 <= now) {
      finWait2 = NONE;
      c.finWait2Timeout();
    }
    if (timeWait <= now) {
      timeWait = NONE;
      c.timeWaitTimeout();
    }
    if (c.state != TcpState.CLOSED) reschedule();
  }
}
