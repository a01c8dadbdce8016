package dev.tcplab.core.tcp;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.math.LongMath;

/**
 * The retransmission timeout of one connection, computed from RTT samples as RFC 6298 specifies:
 * the smoothed RTT (SRTT), the RTT variation (RTTVAR) and the RTO derived from them, plus the
 * exponential backoff applied when the retransmission timer expires.
 *
 * <p>All values are nanoseconds and all arithmetic is integer arithmetic (the 1/8 and 1/4 gains
 * truncate towards zero), so a run with the same samples always gives the same RTOs.
 *
 * <p>Karn's algorithm (RFC 6298 §3) is the caller's job: never {@link #sample} the RTT of a
 * segment that was retransmitted (unless the timestamp option disambiguates it), and keep the
 * backed-off RTO until an ACK for a segment that was not retransmitted arrives. That is why only
 * {@link #sample} resets the backoff.
 */
final class RttEstimator {
  /** The RTO bounds and the clock granularity: shared by every connection of a stack. */
  private final Profile profile;

  /** SRTT, or -1 before the first sample. */
  private long srtt = -1;

  /** RTTVAR, or -1 before the first sample. */
  private long rttvar = -1;

  /** The RTO before backoff: the initial RTO, then the one computed from the latest sample. */
  private long baseRto;

  private int backoffCount;

  /**
   * Takes from {@code profile}: the RTO before any sample ({@link Profile#rtoInitialNanos}, RFC 6298
   * §2.1 says 1 s), its lower and upper clamps ({@link Profile#rtoMinNanos}, RFC 6298 §2.4 says 1 s and
   * Linux uses 200 ms; {@link Profile#rtoMaxNanos}, RFC 6298 §2.5: at least 60 s) and G, the clock
   * granularity ({@link Profile#clockGranularityNanos}, RFC 6298 §2.3). {@link Profile} itself
   * guarantees 0 < minimum <= initial <= maximum.
   */
  RttEstimator(Profile profile) {
    long granularity = profile.clockGranularityNanos();
    checkArgument(granularity >= 0, "clock granularity must be >= 0: %s", granularity);
    this.profile = profile;
    // RFC 6298 §2.1: until a sample is taken, RTO is the initial value.
    this.baseRto = profile.rtoInitialNanos();
  }

  /** Feeds one RTT measurement R (RFC 6298 §2.2, §2.3) and clears any backoff. */
  void sample(long rttNanos) {
    checkArgument(rttNanos >= 0, "RTT sample must be >= 0: %s", rttNanos);
    if (srtt < 0) {
      // RFC 6298 §2.2: SRTT <- R, RTTVAR <- R/2.
      srtt = rttNanos;
      rttvar = rttNanos / 2;
    } else {
      // RFC 6298 §2.3: RTTVAR <- (1 - beta) * RTTVAR + beta * |SRTT - R'|, beta = 1/4 (old SRTT).
      rttvar = (3 * rttvar + Math.abs(srtt - rttNanos)) / 4;
      // RFC 6298 §2.3: SRTT <- (1 - alpha) * SRTT + alpha * R', alpha = 1/8.
      srtt = (7 * srtt + rttNanos) / 8;
    }
    long variance = LongMath.saturatedMultiply(4L, rttvar);
    if (profile.rtoMinBoundsVariance()) {
      // Linux tcp_set_rto: RTO <- SRTT + max(4 * RTTVAR, RTO.min), then the maximum
      baseRto = clamp(LongMath.saturatedAdd(srtt, Math.max(variance, profile.rtoMinNanos())));
    } else {
      // RFC 6298 §2.2/§2.3: RTO <- SRTT + max(G, K * RTTVAR), K = 4.
      long g = profile.clockGranularityNanos();
      // RFC 6298 §2.4 (minimum) and §2.5 (maximum).
      baseRto = clamp(LongMath.saturatedAdd(srtt, Math.max(g, variance)));
    }
    // RFC 6298 §5 / Karn: a valid sample ends the backoff.
    backoffCount = 0;
  }

  /** The current RTO: the computed one doubled once per {@link #backoff}, at most the maximum. */
  long rto() {
    long maxRto = profile.rtoMaxNanos();
    long rto = baseRto;
    // RFC 6298 §5.5: each backoff doubles the RTO; §2.5: up to the maximum.
    for (int i = 0; i < backoffCount && rto < maxRto; i++) {
      rto = rto > maxRto / 2 ? maxRto : rto * 2;
    }
    return rto;
  }

  /**
   * Data transmission begins: without an RTT sample from the handshake (its SYN or SYN,ACK was
   * retransmitted, Karn's rule) the RTO becomes the fallback, 3 s, and the backoff ends (RFC 6298 §5.7).
   */
  void dataTransmissionBegins() {
    if (hasSample()) return;
    baseRto = clamp(profile.rtoFallbackNanos());
    backoffCount = 0;
  }

  /** The retransmission timer expired: back off the timer (RFC 6298 §5.5). */
  void backoff() {
    if (backoffCount < Integer.MAX_VALUE) {
      backoffCount++;
    }
  }

  /** How many times the RTO was backed off since the last sample. */
  int backoffCount() {
    return backoffCount;
  }

  /** SRTT in nanoseconds, or -1 before the first sample. */
  long srtt() {
    return srtt;
  }

  /** RTTVAR in nanoseconds, or -1 before the first sample. */
  long rttvar() {
    return rttvar;
  }

  /** True once {@link #sample} has been called. */
  boolean hasSample() {
    return srtt >= 0;
  }

  private long clamp(long rto) {
    return Math.min(profile.rtoMaxNanos(), Math.max(profile.rtoMinNanos(), rto));
  }

  @Override
  public String toString() {
    return "RttEstimator{srtt="
        + srtt
        + ", rttvar="
        + rttvar
        + ", rto="
        + rto()
        + ", backoff="
        + backoffCount
        + "}";
  }
}
