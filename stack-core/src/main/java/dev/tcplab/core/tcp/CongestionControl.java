package dev.tcplab.core.tcp;

/**
 * A congestion controller: owns cwnd and ssthresh (RFC 5681 §2) and answers to the events the sender
 * reports. Loss detection and recovery (RFC 6582 NewReno, RFC 6675 SACK) live in the sender; the
 * controller only decides how the window reacts.
 *
 * <p>All amounts are bytes; {@code now} is the injected clock in nanoseconds.
 */
public interface CongestionControl {
  /** The congestion window, bytes. */
  long cwnd();

  /** The slow-start threshold, bytes. */
  long ssthresh();

  /** True while cwnd is below ssthresh. */
  default boolean inSlowStart() {
    return cwnd() < ssthresh();
  }

  /**
   * New data was acknowledged outside loss recovery (RFC 5681 §3.1): slow start or congestion
   * avoidance growth.
   *
   * @param ackedBytes bytes newly acknowledged by this ACK
   * @param rttNanos the RTT sample this ACK gave, or -1
   */
  void onAck(long ackedBytes, long now, long rttNanos);

  /**
   * Loss detected by duplicate ACKs or SACK (RFC 5681 §3.2 step 2, RFC 6675 §5): set ssthresh and the
   * window for recovery.
   *
   * @param flightSize bytes outstanding when loss was detected
   */
  void onLossDetected(long flightSize, long now);

  /** Recovery ended: the ACK covered the recovery point (RFC 6582 §3.2 step 3). */
  void onRecoveryEnd(long now);

  /** The retransmission timer expired (RFC 5681 §3.1 eq. 4): cwnd to the loss window. */
  void onRetransmissionTimeout(long flightSize, long now);

  /** The connection was idle for longer than an RTO (RFC 5681 §4.1): restart window. */
  void onIdleRestart(long now);

  /** A short name for traces: {@code "newreno"}, {@code "cubic"}. */
  String name();
}
