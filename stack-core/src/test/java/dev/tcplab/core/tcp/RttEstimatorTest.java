package dev.tcplab.core.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

class RttEstimatorTest {
  private static final long MS = 1_000_000L;
  private static final long S = 1_000 * MS;

  /**
   * An estimator with the given initial RTO, RTO bounds and clock granularity, which it takes from the
   * profile (the profile rejects bounds out of order, the estimator a negative granularity).
   */
  private static RttEstimator estimator(
      long initialRtoNanos, long minRtoNanos, long maxRtoNanos, long clockGranularityNanos) {
    return new RttEstimator(
        Profile.LINUX.toBuilder()
            .rtoInitialNanos(initialRtoNanos)
            .rtoMinNanos(minRtoNanos)
            .rtoMaxNanos(maxRtoNanos)
            .clockGranularityNanos(clockGranularityNanos)
            .rtoMinBoundsVariance(false) // the RFC 6298 §2 formula
            .build());
  }

  @Test
  void linuxFormula_theMinimumBoundsTheVarianceTerm() {
    RttEstimator e = new RttEstimator(Profile.LINUX);
    e.sample(10 * MS);
    // Linux tcp_set_rto: 10 + max(4 * 5, 200) = 210 ms (RFC 6298 §2.4 would give max(30, 200) = 200)
    assertThat(e.rto()).isEqualTo(210 * MS);
    e.sample(10 * MS);
    assertThat(e.rto()).isEqualTo(210 * MS);
  }

  @Test
  void linuxFormula_aLargeVarianceIsAddedAsInRfc6298() {
    RttEstimator e = new RttEstimator(Profile.LINUX);
    e.sample(100 * MS);
    assertThat(e.rto()).isEqualTo(300 * MS); // 100 + max(4 * 50, 200)
  }

  @Test
  void withoutAHandshakeSampleDataStartsWithTheThreeSecondFallback() {
    RttEstimator e = new RttEstimator(Profile.LINUX);
    e.backoff(); // the SYN,ACK was retransmitted: no sample (Karn)
    assertThat(e.rto()).isEqualTo(2 * S);
    e.dataTransmissionBegins();
    // RFC 6298 §5.7, Linux TCP_TIMEOUT_FALLBACK
    assertThat(e.rto()).isEqualTo(3 * S);
    e.sample(10 * MS);
    assertThat(e.rto()).isEqualTo(210 * MS);
  }

  @Test
  void withAHandshakeSampleDataStartsWithItsRto() {
    RttEstimator e = new RttEstimator(Profile.LINUX);
    e.sample(100 * MS);
    e.dataTransmissionBegins();
    assertThat(e.rto()).isEqualTo(300 * MS);
  }

  /** RFC 6298 defaults except a Linux-like 200 ms minimum and a 1 ms clock. */
  private static RttEstimator linuxLike() {
    return estimator(1 * S, 200 * MS, 60 * S, 1 * MS);
  }

  @Test
  void beforeAnySampleTheInitialRtoApplies() {
    RttEstimator e = linuxLike();

    assertThat(e.hasSample()).isFalse();
    assertThat(e.srtt()).isEqualTo(-1);
    assertThat(e.rttvar()).isEqualTo(-1);
    assertThat(e.rto()).isEqualTo(1 * S);
    assertThat(e.backoffCount()).isZero();
  }

  @Test
  void firstSampleSetsSrttToRAndRttvarToHalfR() {
    RttEstimator e = linuxLike();

    e.sample(100 * MS);

    // SRTT = 100 ms, RTTVAR = 50 ms, RTO = 100 + max(1, 4 * 50) = 300 ms.
    assertThat(e.hasSample()).isTrue();
    assertThat(e.srtt()).isEqualTo(100 * MS);
    assertThat(e.rttvar()).isEqualTo(50 * MS);
    assertThat(e.rto()).isEqualTo(300 * MS);
  }

  @Test
  void laterSamplesUseTheSmoothingGains() {
    RttEstimator e = linuxLike();
    e.sample(100 * MS);

    e.sample(200 * MS);
    // RTTVAR = 3/4 * 50 + 1/4 * |100 - 200| = 37.5 + 25 = 62.5 ms (old SRTT used).
    // SRTT = 7/8 * 100 + 1/8 * 200 = 87.5 + 25 = 112.5 ms.
    // RTO = 112.5 + 4 * 62.5 = 362.5 ms.
    assertThat(e.rttvar()).isEqualTo(62_500_000L);
    assertThat(e.srtt()).isEqualTo(112_500_000L);
    assertThat(e.rto()).isEqualTo(362_500_000L);

    e.sample(80 * MS);
    // RTTVAR = (3 * 62.5 + |112.5 - 80|) / 4 = (187.5 + 32.5) / 4 = 55 ms.
    // SRTT = (7 * 112.5 + 80) / 8 = (787.5 + 80) / 8 = 108.4375 ms.
    // RTO = 108.4375 + 4 * 55 = 328.4375 ms.
    assertThat(e.rttvar()).isEqualTo(55 * MS);
    assertThat(e.srtt()).isEqualTo(108_437_500L);
    assertThat(e.rto()).isEqualTo(328_437_500L);
  }

  @Test
  void integerArithmeticTruncates() {
    RttEstimator e = estimator(1 * S, 1, 60 * S, 0);

    e.sample(3);
    // RTTVAR = 3 / 2 = 1 (truncated); RTO = 3 + 4 * 1 = 7 ns.
    assertThat(e.rttvar()).isEqualTo(1);
    assertThat(e.rto()).isEqualTo(7);

    e.sample(10);
    // RTTVAR = (3 * 1 + |3 - 10|) / 4 = 10 / 4 = 2; SRTT = (7 * 3 + 10) / 8 = 31 / 8 = 3.
    assertThat(e.rttvar()).isEqualTo(2);
    assertThat(e.srtt()).isEqualTo(3);
    assertThat(e.rto()).isEqualTo(11);
  }

  @Test
  void shortRttsAreClampedToTheMinimumRto() {
    RttEstimator e = linuxLike();

    e.sample(10 * MS);
    // 10 + 4 * 5 = 30 ms, below Linux's 200 ms floor (RFC 6298 §2.4 permits a floor below 1 s).
    assertThat(e.rto()).isEqualTo(200 * MS);
    e.sample(10 * MS);
    // RTTVAR = 3/4 * 5 = 3.75 ms, SRTT = 10 ms: 25 ms, still clamped.
    assertThat(e.rttvar()).isEqualTo(3_750_000L);
    assertThat(e.rto()).isEqualTo(200 * MS);
  }

  @Test
  void rfcDefaultMinimumIsOneSecond() {
    RttEstimator e = estimator(1 * S, 1 * S, 60 * S, 1 * MS);

    e.sample(100 * MS);

    // 300 ms computed, rounded up to 1 s (RFC 6298 §2.4).
    assertThat(e.rto()).isEqualTo(1 * S);
  }

  @Test
  void longRttsAreClampedToTheMaximumRto() {
    RttEstimator e = linuxLike();

    e.sample(30 * S);

    // 30 s + 4 * 15 s = 90 s, clamped to 60 s (RFC 6298 §2.5).
    assertThat(e.srtt()).isEqualTo(30 * S);
    assertThat(e.rto()).isEqualTo(60 * S);
  }

  @Test
  void backoffDoublesTheRto() {
    RttEstimator e = linuxLike();
    e.sample(100 * MS);

    e.backoff();
    assertThat(e.backoffCount()).isEqualTo(1);
    assertThat(e.rto()).isEqualTo(600 * MS);
    e.backoff();
    assertThat(e.backoffCount()).isEqualTo(2);
    assertThat(e.rto()).isEqualTo(1_200 * MS);
    // SRTT and RTTVAR are untouched by the backoff.
    assertThat(e.srtt()).isEqualTo(100 * MS);
    assertThat(e.rttvar()).isEqualTo(50 * MS);
  }

  @Test
  void backoffBeforeAnySampleDoublesTheInitialRto() {
    RttEstimator e = linuxLike();

    e.backoff();
    e.backoff();

    // 1 s -> 2 s -> 4 s.
    assertThat(e.rto()).isEqualTo(4 * S);
  }

  @Test
  void backoffStopsAtTheMaximum() {
    RttEstimator e = linuxLike();
    e.sample(10 * S);
    // 10 + 4 * 5 = 30 s.
    assertThat(e.rto()).isEqualTo(30 * S);

    e.backoff();
    assertThat(e.rto()).isEqualTo(60 * S);
    e.backoff();
    // 120 s clamped to 60 s; the count keeps counting (callers use it to give up).
    assertThat(e.rto()).isEqualTo(60 * S);
    assertThat(e.backoffCount()).isEqualTo(2);
    for (int i = 0; i < 100; i++) {
      e.backoff();
    }
    assertThat(e.rto()).isEqualTo(60 * S);
    assertThat(e.backoffCount()).isEqualTo(102);
  }

  @Test
  void aNewSampleResetsTheBackoff() {
    RttEstimator e = linuxLike();
    e.sample(100 * MS);
    e.backoff();
    e.backoff();
    assertThat(e.rto()).isEqualTo(1_200 * MS);

    e.sample(100 * MS);

    // RTTVAR = 3/4 * 50 + 0 = 37.5 ms, SRTT = 100 ms: RTO = 100 + 150 = 250 ms, backoff cleared.
    assertThat(e.backoffCount()).isZero();
    assertThat(e.rttvar()).isEqualTo(37_500_000L);
    assertThat(e.rto()).isEqualTo(250 * MS);
  }

  @Test
  void coarseClockGranularityDominatesASmallVariance() {
    // G = 500 ms, e.g. a BSD-style slow timer.
    RttEstimator e = estimator(1 * S, 200 * MS, 60 * S, 500 * MS);

    e.sample(100 * MS);
    // 4 * RTTVAR = 200 ms < G: RTO = 100 + 500 = 600 ms.
    assertThat(e.rto()).isEqualTo(600 * MS);

    e.sample(100 * MS);
    // RTTVAR = 37.5 ms, 4 * RTTVAR = 150 ms < G: RTO still 600 ms.
    assertThat(e.rto()).isEqualTo(600 * MS);

    e.sample(1_000 * MS);
    // RTTVAR = (3 * 37.5 + 900) / 4 = 253.125 ms, 4 * RTTVAR = 1012.5 ms > G.
    // SRTT = (7 * 100 + 1000) / 8 = 212.5 ms: RTO = 212.5 + 1012.5 = 1225 ms.
    assertThat(e.rttvar()).isEqualTo(253_125_000L);
    assertThat(e.srtt()).isEqualTo(212_500_000L);
    assertThat(e.rto()).isEqualTo(1_225 * MS);
  }

  @Test
  void zeroRttIsAValidSample() {
    RttEstimator e = estimator(1 * S, 200 * MS, 60 * S, 0);

    e.sample(0);

    assertThat(e.srtt()).isZero();
    assertThat(e.rttvar()).isZero();
    assertThat(e.rto()).isEqualTo(200 * MS);
  }

  @Test
  void rejectsBadArguments() {
    assertThatIllegalArgumentException().isThrownBy(() -> estimator(S, 0, 60 * S, MS));
    assertThatIllegalArgumentException().isThrownBy(() -> estimator(S, 2 * S, S, MS));
    assertThatIllegalArgumentException()
        .isThrownBy(() -> estimator(100 * MS, 200 * MS, 60 * S, MS));
    assertThatIllegalArgumentException()
        .isThrownBy(() -> estimator(120 * S, 200 * MS, 60 * S, MS));
    assertThatIllegalArgumentException()
        .isThrownBy(() -> estimator(S, 200 * MS, 60 * S, -1));
    assertThatIllegalArgumentException().isThrownBy(() -> linuxLike().sample(-1));
  }
}
