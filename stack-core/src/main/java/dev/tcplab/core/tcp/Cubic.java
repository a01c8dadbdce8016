package dev.tcplab.core.tcp;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * CUBIC congestion control (RFC 9438): the cubic window increase function around W_max, the
 * Reno-friendly estimate W_est, multiplicative decrease by beta_cubic = 0.7 with fast convergence,
 * and standard slow start (RFC 9438 §4.10 allows RFC 5681 slow start; no HyStart++).
 *
 * <p>Internally windows are segments held as doubles (RFC 9438 §4.1 units); Java double arithmetic
 * is exactly reproducible, so runs stay deterministic. {@link #cwnd} reports bytes, rounded to the
 * nearest byte. Time t is measured from the start of the current congestion avoidance stage using
 * the injected {@code now}; RTT is the smoothed value of the samples given to {@link #onAck}.
 *
 * <p>Per-ACK increments are scaled by the number of segments the ACK covers (byte counting, RFC
 * 9438 §4.1), so delayed and stretch ACKs grow the window as fast as one ACK per segment would.
 *
 * <p>Like Linux, ssthresh is derived from cwnd, not FlightSize (RFC 9438 §4.6 allows this): the
 * sender must not report growth while it is application-limited (RFC 9438 §4.6, §5.8; RFC 7661).
 */
final class Cubic implements CongestionControl {
  /** C, segments per second cubed (RFC 9438 §4.1.1, §5). */
  static final double C = 0.4;

  /** beta_cubic, the multiplicative decrease factor (RFC 9438 §4.6). */
  static final double BETA = 0.7;

  /** alpha_cubic = 3 * (1 - beta) / (1 + beta), the Reno-friendly additive increase (§4.3). */
  static final double ALPHA = 3 * (1 - BETA) / (1 + BETA);

  /** ssthresh before the first congestion event: effectively infinite (RFC 5681 §3.1). */
  static final long INITIAL_SSTHRESH = Long.MAX_VALUE / 4;

  private static final double NANOS_PER_SECOND = 1_000_000_000.0;

  private final int smss;
  private final double initialWindow;

  /** cwnd, segments. */
  private double cwnd;

  /** ssthresh, bytes. */
  private long ssthresh = INITIAL_SSTHRESH;

  /** cwnd_prior: cwnd just before the last reduction, segments (RFC 9438 §4.1.2). */
  private double cwndPrior;

  /** W_max, segments; 0 when undefined (no congestion event, or after a timeout; §4.8). */
  private double wMax;

  /** Whether a congestion avoidance stage is running; t_epoch and the fields below are valid. */
  private boolean inEpoch;

  /** t_epoch, nanoseconds. */
  private long epochStart;

  /** K, seconds. */
  private double k;

  /** W_est, segments (RFC 9438 §4.3). */
  private double wEst;

  /** Smoothed RTT of the samples seen, nanoseconds, or -1 before the first one. */
  private long srtt = -1;

  /** A retransmission timeout happened and no new data has been acknowledged since. */
  private boolean timedOutSinceAck;

  /**
   * @param smss the sender maximum segment size, bytes
   * @param initialWindowSegments IW in segments (10 for RFC 6928)
   */
  Cubic(int smss, int initialWindowSegments) {
    checkArgument(smss > 0, "smss must be positive: %s", smss);
    checkArgument(
        initialWindowSegments > 0,
        "initial window must be at least one segment: %s",
        initialWindowSegments);
    this.smss = smss;
    this.initialWindow = initialWindowSegments;
    // RFC 5681 §3.1 / RFC 6928 §2: cwnd starts at IW.
    this.cwnd = initialWindowSegments;
  }

  @Override
  public long cwnd() {
    return Math.round(cwnd * smss);
  }

  @Override
  public long ssthresh() {
    return ssthresh;
  }

  @Override
  public void onAck(long ackedBytes, long now, long rttNanos) {
    checkArgument(ackedBytes >= 0, "acked bytes must be >= 0: %s", ackedBytes);
    if (rttNanos >= 0) {
      // RFC 9438 §4.1.2: RTT is the smoothed RTT of RFC 6298 §2.2/§2.3 (alpha = 1/8).
      srtt = srtt < 0 ? rttNanos : (7 * srtt + rttNanos) / 8;
    }
    if (ackedBytes == 0) {
      return;
    }
    timedOutSinceAck = false;
    double segmentsAcked = (double) ackedBytes / smss;
    if (inSlowStart()) {
      // RFC 9438 §4.10 with RFC 5681 §3.1 eq. 2 and RFC 3465 L = 1 SMSS.
      cwnd += Math.min(segmentsAcked, 1.0);
      return;
    }
    if (!inEpoch) {
      startEpoch(now);
    }
    // RFC 9438 §4.2: t = t_current - t_epoch.
    double t = Math.max(0L, now - epochStart) / NANOS_PER_SECOND;
    // RFC 9438 §4.3: alpha_cubic becomes 1 once W_est reaches cwnd_prior.
    double alpha = wEst >= cwndPrior ? 1.0 : ALPHA;
    // RFC 9438 §4.3 Figure 4: W_est += alpha_cubic * segments_acked / cwnd.
    wEst += alpha * segmentsAcked / cwnd;
    if (srtt < 0) {
      // No RTT yet, so no target W_cubic(t + RTT): follow the Reno-friendly estimate alone.
      cwnd = Math.max(cwnd, wEst);
      return;
    }
    if (wCubic(t) < wEst) {
      // RFC 9438 §4.3: Reno-friendly region, cwnd = W_est (never shrinking cwnd on an ACK).
      cwnd = Math.max(cwnd, wEst);
      return;
    }
    // RFC 9438 §4.2: target = W_cubic(t + RTT), bounded to [cwnd, 1.5 * cwnd].
    double target = Math.min(Math.max(wCubic(t + srtt / NANOS_PER_SECOND), cwnd), 1.5 * cwnd);
    // RFC 9438 §4.4 (concave) and §4.5 (convex): cwnd += (target - cwnd) / cwnd per segment acked.
    cwnd += (target - cwnd) / cwnd * segmentsAcked;
  }

  @Override
  public void onLossDetected(long flightSize, long now) {
    checkArgument(flightSize >= 0, "flight size must be >= 0: %s", flightSize);
    // RFC 9438 §4.7: fast convergence lowers W_max when the saturation point dropped.
    wMax = cwnd < wMax ? cwnd * (1 + BETA) / 2 : cwnd;
    // RFC 9438 §4.6 Figure 5: cwnd_prior = cwnd, ssthresh = max(cwnd * beta, 2), cwnd = ssthresh.
    reduce();
    cwnd = (double) ssthresh / smss;
    // RFC 9438 §4.2: the next congestion avoidance stage starts a new epoch.
    inEpoch = false;
  }

  @Override
  public void onRecoveryEnd(long now) {
    // RFC 6582 §3.2 step 3: deflate to ssthresh; congestion avoidance (a new epoch) starts now.
    cwnd = (double) ssthresh / smss;
    inEpoch = false;
  }

  @Override
  public void onRetransmissionTimeout(long flightSize, long now) {
    checkArgument(flightSize >= 0, "flight size must be >= 0: %s", flightSize);
    // RFC 9438 §4.8: ssthresh as in §4.6; RFC 5681 §3.1: only on the first timeout of a segment.
    if (!timedOutSinceAck) {
      reduce();
    }
    timedOutSinceAck = true;
    // RFC 9438 §4.8 / RFC 5681 §3.1: cwnd = loss window, 1 segment.
    cwnd = 1.0;
    // RFC 9438 §4.8: the next stage uses K = 0 and W_max = cwnd_epoch, signalled by W_max = 0.
    wMax = 0;
    inEpoch = false;
  }

  @Override
  public void onIdleRestart(long now) {
    // RFC 5681 §4.1: cwnd = min(RW, cwnd), restart window RW = IW.
    cwnd = Math.min(cwnd, initialWindow);
    // RFC 9438 §4.2: t must not include the idle period; start a new epoch on the next ACK.
    inEpoch = false;
  }

  @Override
  public String name() {
    return "cubic";
  }

  /** W_max in segments; 0 while undefined. Exposed for tests and traces. */
  double wMaxSegments() {
    return wMax;
  }

  /** K in seconds of the current epoch. Exposed for tests and traces. */
  double kSeconds() {
    return k;
  }

  /** W_est in segments. Exposed for tests and traces. */
  double wEstSegments() {
    return wEst;
  }

  /** cwnd in (fractional) segments. Exposed for tests and traces. */
  double cwndSegments() {
    return cwnd;
  }

  /** RFC 9438 §4.2 Figure 1: W_cubic(t) = C * (t - K)^3 + W_max, segments. */
  double wCubic(double t) {
    double d = t - k;
    return C * d * d * d + wMax;
  }

  /** RFC 9438 §4.6 Figure 5: remember cwnd_prior; ssthresh = max(cwnd * beta, 2) segments. */
  private void reduce() {
    cwndPrior = cwnd;
    ssthresh = Math.max(Math.round(cwnd * BETA * smss), 2L * smss);
  }

  /** RFC 9438 §4.2: a congestion avoidance stage begins. */
  private void startEpoch(long now) {
    inEpoch = true;
    epochStart = now;
    double cwndEpoch = cwnd;
    if (wMax <= cwndEpoch) {
      // RFC 9438 §4.8 / §4.10: no W_max above cwnd (after a timeout, or none yet): K = 0.
      wMax = cwndEpoch;
      k = 0;
    } else {
      // RFC 9438 §4.2 Figure 2: K = cbrt((W_max - cwnd_epoch) / C).
      k = Math.cbrt((wMax - cwndEpoch) / C);
    }
    // RFC 9438 §4.3: W_est = cwnd_epoch at the start of the stage.
    wEst = cwndEpoch;
  }

  @Override
  public String toString() {
    return "cubic{cwnd="
        + cwnd()
        + ", ssthresh="
        + (ssthresh == INITIAL_SSTHRESH ? "inf" : Long.toString(ssthresh))
        + ", wMax="
        + wMax
        + ", k="
        + k
        + ", wEst="
        + wEst
        + "}";
  }
}
