package dev.tcplab.core.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class CubicTest {
  /** A round segment size keeps byte values readable: 1 segment = 1000 bytes. */
  private static final int SMSS = 1000;

  private static final long MS = 1_000_000L;
  private static final long S = 1_000 * MS;

  /** A controller whose cwnd is {@code segments}, still in the initial slow start. */
  private static Cubic withWindow(int segments) {
    return new Cubic(SMSS, segments);
  }

  /**
   * Feeds one ACK per segment for {@code seconds}, ACK-clocked: one window per RTT, so the ACKs
   * of a window of w segments are RTT / w apart. Returns the clock at the end.
   */
  private static long ackClocked(Cubic cc, long from, double seconds, long rtt) {
    long now = from;
    long end = from + (long) (seconds * S);
    while (now < end) {
      now += (long) (rtt / cc.cwndSegments());
      cc.onAck(SMSS, now, rtt);
    }
    return now;
  }

  @Test
  void constants() {
    // alpha_cubic = 3 * (1 - 0.7) / (1 + 0.7) = 0.9 / 1.7 = 0.529411...
    assertThat(Cubic.ALPHA).isCloseTo(0.5294117647, within(1e-10));
    assertThat(Cubic.BETA).isEqualTo(0.7);
    assertThat(Cubic.C).isEqualTo(0.4);
  }

  @Test
  void startsInSlowStartWithTheInitialWindow() {
    Cubic cc = new Cubic(1460, 10);

    assertThat(cc.cwnd()).isEqualTo(14_600);
    assertThat(cc.ssthresh()).isEqualTo(Long.MAX_VALUE / 4);
    assertThat(cc.inSlowStart()).isTrue();
    assertThat(cc.name()).isEqualTo("cubic");
  }

  @Test
  void slowStartIsStandard() {
    Cubic cc = new Cubic(1460, 10);

    cc.onAck(1460, 0, 10 * MS);
    // + 1 SMSS: 16060.
    assertThat(cc.cwnd()).isEqualTo(16_060);
    cc.onAck(2920, 0, 10 * MS);
    // A two-segment ACK still adds L = 1 SMSS: 17520.
    assertThat(cc.cwnd()).isEqualTo(17_520);
    cc.onAck(730, 0, 10 * MS);
    // Half a segment adds half a segment: 18250.
    assertThat(cc.cwnd()).isEqualTo(18_250);
  }

  @Test
  void lossReducesTheWindowToSeventyPercent() {
    Cubic cc = new Cubic(1460, 10);
    // Slow start from 10 to 100 segments.
    for (int i = 0; i < 90; i++) {
      cc.onAck(1460, 0, 10 * MS);
    }
    assertThat(cc.cwnd()).isEqualTo(146_000);

    cc.onLossDetected(146_000, 0);

    // ssthresh = cwnd = 0.7 * 146000 = 102200 (70 segments); W_max = 100 (first event).
    assertThat(cc.ssthresh()).isEqualTo(102_200);
    assertThat(cc.cwnd()).isEqualTo(102_200);
    assertThat(cc.wMaxSegments()).isEqualTo(100.0);
    assertThat(cc.inSlowStart()).isFalse();
  }

  @Test
  void lossReductionHasATwoSegmentFloor() {
    Cubic cc = withWindow(2);

    cc.onLossDetected(2 * SMSS, 0);

    // 0.7 * 2 = 1.4 segments, floored to 2 segments.
    assertThat(cc.ssthresh()).isEqualTo(2_000);
    assertThat(cc.cwnd()).isEqualTo(2_000);
  }

  @Test
  void fastConvergenceLowersWmax() {
    Cubic cc = withWindow(100);
    cc.onLossDetected(100 * SMSS, 0);
    cc.onRecoveryEnd(0);
    assertThat(cc.wMaxSegments()).isEqualTo(100.0);

    // A second loss at 70 segments, below W_max = 100: the saturation point dropped.
    cc.onLossDetected(70 * SMSS, 1);

    // W_max = 70 * (1 + 0.7) / 2 = 59.5; ssthresh = cwnd = 0.7 * 70 = 49 segments.
    assertThat(cc.wMaxSegments()).isCloseTo(59.5, within(1e-9));
    assertThat(cc.ssthresh()).isEqualTo(49_000);
    assertThat(cc.cwnd()).isEqualTo(49_000);
  }

  @Test
  void lossAboveWmaxRemembersTheWindow() {
    Cubic cc = withWindow(100);
    cc.onLossDetected(100 * SMSS, 0);
    cc.onRecoveryEnd(0);
    // Grow (Reno-friendly, no RTT sample yet) until cwnd passes W_max = 100.
    long now = 0;
    while (cc.cwndSegments() <= 101) {
      now += MS;
      cc.onAck(10 * SMSS, now, -1);
    }
    double before = cc.cwndSegments();

    cc.onLossDetected(cc.cwnd(), now);

    // cwnd >= W_max: no fast convergence, W_max = cwnd before the reduction.
    assertThat(cc.wMaxSegments()).isEqualTo(before);
  }

  @Test
  void firstAcksOfAnEpochFollowTheCubicFunction() {
    Cubic cc = withWindow(100);
    cc.onLossDetected(100 * SMSS, 0);
    cc.onRecoveryEnd(0);

    // The epoch starts at the first ACK in congestion avoidance, t = 0.
    cc.onAck(SMSS, 5 * S, 100 * MS);
    // K = cbrt((100 - 70) / 0.4) = cbrt(75) = 4.21716 s.
    assertThat(cc.kSeconds()).isCloseTo(4.2171633265, within(1e-9));
    // W_cubic(0) = 70 (the curve starts at cwnd_epoch); W_est = 70 + 0.529412 / 70 = 70.0075630.
    // W_cubic(0) < W_est, so the first ACK is Reno-friendly: cwnd = W_est.
    assertThat(cc.wCubic(0)).isCloseTo(70.0, within(1e-9));
    assertThat(cc.wEstSegments()).isCloseTo(70.0075630252, within(1e-9));
    assertThat(cc.cwndSegments()).isCloseTo(70.0075630252, within(1e-9));
    assertThat(cc.cwnd()).isEqualTo(70_008);

    // One second later: W_est = 70.0075630 + 0.529412 / 70.0075630 = 70.0151252.
    // W_cubic(1) = 0.4 * (1 - 4.2171633)^3 + 100 = 0.4 * -33.298 + 100 = 86.6808 > W_est: cubic.
    // target = W_cubic(1 + 0.1) = 0.4 * (-3.1171633)^3 + 100 = 87.8846.
    // cwnd += (87.8846 - 70.0075630) / 70.0075630 = 0.2553583 -> 70.2629213.
    cc.onAck(SMSS, 6 * S, 100 * MS);
    assertThat(cc.wCubic(1)).isCloseTo(86.6807638, within(1e-6));
    assertThat(cc.wCubic(1.1)).isCloseTo(87.8845747, within(1e-6));
    assertThat(cc.wEstSegments()).isCloseTo(70.0151252, within(1e-6));
    assertThat(cc.cwndSegments()).isCloseTo(70.2629213, within(1e-6));
    assertThat(cc.cwnd()).isEqualTo(70_263);
  }

  @Test
  void targetIsCappedAtOneAndAHalfWindows() {
    Cubic cc = withWindow(100);
    cc.onLossDetected(100 * SMSS, 0);
    cc.onRecoveryEnd(0);
    cc.onAck(SMSS, 0, 100 * MS);
    double w = cc.cwndSegments();

    // 60 s later W_cubic(60.1) = 0.4 * 55.88^3 + 100 ~ 69900 segments: target = 1.5 * cwnd.
    cc.onAck(SMSS, 60 * S, 100 * MS);

    // cwnd += (1.5 w - w) / w = 0.5 segment per segment acknowledged.
    assertThat(cc.cwndSegments()).isCloseTo(w + 0.5, within(1e-9));
  }

  @Test
  void concaveGrowthReachesWmaxAfterKSecondsThenConvexGrowthProbesBeyond() {
    // Large window, 100 ms RTT: the cubic curve dominates the Reno-friendly estimate.
    Cubic cc = withWindow(1000);
    long rtt = 100 * MS;
    cc.onLossDetected(1000 * SMSS, 0);
    cc.onRecoveryEnd(0);
    // cwnd = 700 segments, W_max = 1000; first ACK opens the epoch at t = 0.
    cc.onAck(SMSS, 0, rtt);
    // K = cbrt((1000 - 700) / 0.4) = cbrt(750) = 9.0856 s.
    double k = cc.kSeconds();
    assertThat(k).isCloseTo(9.0856029642, within(1e-9));

    // Concave: growth per second shrinks as cwnd nears W_max.
    // W_cubic(1) = 0.4 * (-8.0856)^3 + 1000 = 788.56; W_cubic(2) = 857.71; W_cubic(3) = 909.85.
    long now = ackClocked(cc, 0, 1, rtt);
    double w1 = cc.cwndSegments();
    now = ackClocked(cc, now, 1, rtt);
    double w2 = cc.cwndSegments();
    now = ackClocked(cc, now, 1, rtt);
    double w3 = cc.cwndSegments();
    assertThat(w1).isCloseTo(788.56, within(1.0));
    assertThat(w2).isCloseTo(857.71, within(1.0));
    assertThat(w3).isCloseTo(909.85, within(1.0));
    assertThat(w3 - w2).isLessThan(w2 - w1);

    // After K seconds cwnd has (just) reached the plateau at W_max = 1000, within a segment.
    now = ackClocked(cc, now, k - 3, rtt);
    assertThat(cc.cwndSegments()).isCloseTo(1000.0, within(1.0));
    assertThat(cc.wMaxSegments()).isEqualTo(1000.0);
    // W_est = 700 + 0.529 * ~91 RTTs = ~748: far below, the cubic curve was in charge.
    assertThat(cc.wEstSegments()).isBetween(740.0, 755.0);

    // Convex: W_cubic(K + 1) = 1000.4, W_cubic(K + 2) = 1003.2, W_cubic(K + 3) = 1010.8.
    now = ackClocked(cc, now, 1, rtt);
    double c1 = cc.cwndSegments();
    now = ackClocked(cc, now, 1, rtt);
    double c2 = cc.cwndSegments();
    now = ackClocked(cc, now, 1, rtt);
    double c3 = cc.cwndSegments();
    assertThat(c1).isCloseTo(1000.4, within(1.0));
    assertThat(c2).isCloseTo(1003.2, within(1.0));
    assertThat(c3).isCloseTo(1010.8, within(1.0));
    assertThat(c3 - c2).isGreaterThan(c2 - c1);
    assertThat(c1).isGreaterThan(1000.0);
  }

  @Test
  void renoFriendlyRegionDominatesAtSmallRttAndWindow() {
    Cubic cc = withWindow(10);
    long rtt = 1 * MS;
    cc.onLossDetected(10 * SMSS, 0);
    cc.onRecoveryEnd(0);
    // cwnd = 7, W_max = 10, K = cbrt(3 / 0.4) = cbrt(7.5) = 1.9574 s = ~1957 RTTs.

    cc.onAck(SMSS, 0, rtt);
    // W_est = 7 + 0.529412 / 7 = 7.0756303 > W_cubic(0) = 7: cwnd = W_est, 7076 bytes.
    assertThat(cc.kSeconds()).isCloseTo(1.9574338206, within(1e-9));
    assertThat(cc.cwndSegments()).isCloseTo(7.0756302521, within(1e-9));
    assertThat(cc.cwnd()).isEqualTo(7_076);

    ackClocked(cc, 0, 0.1, rtt);
    // 100 RTTs: W_est grows 0.529/RTT to cwnd_prior = 10 in ~5.7 RTTs, then 1/RTT (alpha = 1):
    // ~10 + 94 = ~104 segments, while W_cubic(0.1) = 0.4 * (0.1 - 1.9574)^3 + 10 = 7.44.
    assertThat(cc.wCubic(0.1)).isCloseTo(7.4367, within(1e-3));
    assertThat(cc.cwndSegments()).isEqualTo(cc.wEstSegments());
    assertThat(cc.cwndSegments()).isBetween(102.0, 106.0);
  }

  @Test
  void withoutRttSamplesOnlyTheRenoFriendlyEstimateApplies() {
    Cubic cc = withWindow(100);
    cc.onLossDetected(100 * SMSS, 0);
    cc.onRecoveryEnd(0);

    cc.onAck(SMSS, 0, -1);
    cc.onAck(SMSS, 10 * S, -1);

    // No RTT, no target: W_est = 70 + 0.529412 / 70 + 0.529412 / 70.0075630 = 70.0151252,
    // although W_cubic(10) would be ~177.
    assertThat(cc.cwndSegments()).isCloseTo(70.0151252, within(1e-6));
  }

  @Test
  void timeoutCollapsesToOneSegmentWithSsthreshFromBeta() {
    Cubic cc = withWindow(100);

    cc.onRetransmissionTimeout(100 * SMSS, 0);

    // cwnd = 1 segment (RFC 5681 loss window); ssthresh = 0.7 * 100 = 70 segments.
    assertThat(cc.cwnd()).isEqualTo(1_000);
    assertThat(cc.ssthresh()).isEqualTo(70_000);
    assertThat(cc.inSlowStart()).isTrue();
    assertThat(cc.wMaxSegments()).isZero();

    // A second expiry of the same segment keeps ssthresh instead of 0.7 * 1 -> 2 segments.
    cc.onRetransmissionTimeout(SMSS, 1);
    assertThat(cc.ssthresh()).isEqualTo(70_000);
    assertThat(cc.cwnd()).isEqualTo(1_000);
  }

  @Test
  void afterATimeoutTheNextEpochStartsWithKZeroAtTheCurrentWindow() {
    Cubic cc = withWindow(100);
    cc.onRetransmissionTimeout(100 * SMSS, 0);

    // Slow start: 69 ACKs take cwnd from 1 to 70 segments = ssthresh.
    for (int i = 0; i < 69; i++) {
      cc.onAck(SMSS, i * MS, 100 * MS);
    }
    assertThat(cc.cwnd()).isEqualTo(70_000);
    assertThat(cc.inSlowStart()).isFalse();

    cc.onAck(SMSS, 1 * S, 100 * MS);

    // RFC 9438 §4.8: K = 0, W_max = cwnd_epoch = 70; W_est = 70 + 0.529412 / 70.
    assertThat(cc.kSeconds()).isZero();
    assertThat(cc.wMaxSegments()).isEqualTo(70.0);
    assertThat(cc.cwndSegments()).isCloseTo(70.0075630252, within(1e-9));

    // One second on: W_cubic(1) = 0.4 + 70 = 70.4 > W_est = 70.0151; convex growth.
    // target = W_cubic(1.1) = 0.4 * 1.331 + 70 = 70.5324;
    // cwnd += (70.5324 - 70.0075630) / 70.0075630 = 0.0074968 -> 70.0150598.
    cc.onAck(SMSS, 2 * S, 100 * MS);
    assertThat(cc.cwndSegments()).isCloseTo(70.0150598, within(1e-6));
  }

  @Test
  void recoveryEndDeflatesToSsthresh() {
    Cubic cc = withWindow(100);
    cc.onLossDetected(100 * SMSS, 0);

    cc.onRecoveryEnd(1);

    assertThat(cc.cwnd()).isEqualTo(70_000);
  }

  @Test
  void idleRestartShrinksToTheInitialWindow() {
    Cubic cc = withWindow(10);
    for (int i = 0; i < 30; i++) {
      cc.onAck(SMSS, 0, 10 * MS);
    }
    assertThat(cc.cwnd()).isEqualTo(40_000);

    cc.onIdleRestart(5 * S);

    assertThat(cc.cwnd()).isEqualTo(10_000);
  }

  @Test
  void idleRestartStartsANewEpoch() {
    Cubic cc = withWindow(10);
    cc.onLossDetected(10 * SMSS, 0);
    cc.onRecoveryEnd(0);
    cc.onAck(SMSS, 0, 100 * MS);
    // cwnd = 7.0756 < IW = 10, so the restart keeps it.

    cc.onIdleRestart(100 * S);
    cc.onAck(SMSS, 100 * S, 100 * MS);

    // Without the new epoch t would be 100 s and the target 1.5 * cwnd; with it t = 0 and
    // K = cbrt((10 - 7.0756303) / 0.4) = 1.9403 s.
    assertThat(cc.kSeconds()).isCloseTo(Math.cbrt((10 - 7.0756302521) / 0.4), within(1e-9));
    assertThat(cc.cwndSegments()).isLessThan(7.2);
  }

  @Test
  void toStringShowsTheState() {
    Cubic cc = withWindow(10);
    assertThat(cc.toString()).contains("cubic", "cwnd=10000", "ssthresh=inf");
  }

  @Test
  void rejectsBadArguments() {
    assertThatIllegalArgumentException().isThrownBy(() -> new Cubic(0, 10));
    assertThatIllegalArgumentException().isThrownBy(() -> new Cubic(SMSS, 0));
    Cubic cc = withWindow(10);
    assertThatIllegalArgumentException().isThrownBy(() -> cc.onAck(-1, 0, 0));
    assertThatIllegalArgumentException().isThrownBy(() -> cc.onLossDetected(-1, 0));
    assertThatIllegalArgumentException().isThrownBy(() -> cc.onRetransmissionTimeout(-1, 0));
  }
}
