package dev.tcplab.core.tcp;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * Reno/NewReno window rules: slow start and congestion avoidance of RFC 5681 §3.1 with
 * appropriate byte counting (RFC 3465, L = 1 SMSS), the multiplicative decrease of RFC 5681 §3.2,
 * and the window deflation at the end of NewReno recovery (RFC 6582 §3.2 step 3).
 *
 * <p>The sender runs fast retransmit / fast recovery itself and adds any window inflation for
 * duplicate ACKs on top of {@link #cwnd}; this class never inflates.
 */
final class NewReno implements CongestionControl {
  /** ssthresh before the first congestion event: "arbitrarily high" (RFC 5681 §3.1). */
  static final long INITIAL_SSTHRESH = Long.MAX_VALUE / 4;

  private final int smss;
  private final long initialWindow;

  private long cwnd;
  private long ssthresh = INITIAL_SSTHRESH;

  /** Bytes acknowledged in congestion avoidance not yet turned into window (RFC 3465 §2.1). */
  private long bytesAcked;

  /** A retransmission timeout happened and no new data has been acknowledged since. */
  private boolean timedOutSinceAck;

  /**
   * @param smss the sender maximum segment size, bytes
   * @param initialWindowSegments IW in segments: 10 for RFC 6928, or what the caller derived from
   *     RFC 5681 §3.1 eq. 1
   */
  NewReno(int smss, int initialWindowSegments) {
    checkArgument(smss > 0, "smss must be positive: %s", smss);
    checkArgument(
        initialWindowSegments > 0,
        "initial window must be at least one segment: %s",
        initialWindowSegments);
    this.smss = smss;
    this.initialWindow = (long) initialWindowSegments * smss;
    // RFC 5681 §3.1 / RFC 6928 §2: cwnd starts at IW.
    this.cwnd = initialWindow;
  }

  @Override
  public long cwnd() {
    return cwnd;
  }

  @Override
  public long ssthresh() {
    return ssthresh;
  }

  @Override
  public void onAck(long ackedBytes, long now, long rttNanos) {
    checkArgument(ackedBytes >= 0, "acked bytes must be >= 0: %s", ackedBytes);
    if (ackedBytes == 0) {
      return;
    }
    timedOutSinceAck = false;
    if (inSlowStart()) {
      // RFC 5681 §3.1 eq. 2 with RFC 3465 §2.2 L = 1 SMSS: cwnd += min(N, SMSS).
      cwnd += Math.min(ackedBytes, smss);
      return;
    }
    // RFC 3465 §2.1: count acknowledged bytes; RFC 5681 §3.1 eq. 3 gives ~1 SMSS per RTT.
    bytesAcked += ackedBytes;
    if (bytesAcked >= cwnd) {
      // RFC 3465 §2.1: once a full cwnd is acknowledged, subtract cwnd and add one SMSS.
      bytesAcked -= cwnd;
      cwnd += smss;
    }
  }

  @Override
  public void onLossDetected(long flightSize, long now) {
    checkArgument(flightSize >= 0, "flight size must be >= 0: %s", flightSize);
    // RFC 5681 §3.2 step 2, eq. 4: ssthresh = max(FlightSize / 2, 2 * SMSS).
    ssthresh = halfFlightSize(flightSize);
    // RFC 6582 §3.2 step 2 / RFC 5681 §3.2 step 2: the sender adds 3 * SMSS inflation itself.
    cwnd = ssthresh;
    // RFC 3465 §2.1: the byte counter restarts with the new window.
    bytesAcked = 0;
  }

  @Override
  public void onRecoveryEnd(long now) {
    // RFC 6582 §3.2 step 3, option 1 (simplified): deflate the window to ssthresh.
    cwnd = ssthresh;
    bytesAcked = 0;
  }

  @Override
  public void onRetransmissionTimeout(long flightSize, long now) {
    checkArgument(flightSize >= 0, "flight size must be >= 0: %s", flightSize);
    // RFC 5681 §3.1: eq. 4 applies to the first timeout of a segment; repeated ones keep ssthresh.
    if (!timedOutSinceAck) {
      ssthresh = halfFlightSize(flightSize);
    }
    timedOutSinceAck = true;
    // RFC 5681 §3.1: after a timeout cwnd is the loss window, LW = 1 SMSS.
    cwnd = smss;
    bytesAcked = 0;
  }

  @Override
  public void onIdleRestart(long now) {
    // RFC 5681 §4.1: cwnd = min(RW, cwnd), restart window RW = IW.
    cwnd = Math.min(cwnd, initialWindow);
    bytesAcked = 0;
  }

  @Override
  public String name() {
    return "newreno";
  }

  private long halfFlightSize(long flightSize) {
    return Math.max(flightSize / 2, 2L * smss);
  }

  @Override
  public String toString() {
    return "newreno{cwnd="
        + cwnd
        + ", ssthresh="
        + (ssthresh == INITIAL_SSTHRESH ? "inf" : Long.toString(ssthresh))
        + ", smss="
        + smss
        + ", bytesAcked="
        + bytesAcked
        + "}";
  }
}
