package dev.tcplab.core.tcp;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.List;

/**
 * The behaviour real stacks choose differently, in one named value. Each field says where its value
 * comes from. {@link #LINUX} (the default) follows Linux 6.x as seen in real captures and packetdrill
 * runs; {@link #RFC9293} is the textbook.
 *
 * @param name the profile's name
 * @param synOptions which options our SYN offers, and in which order (RFC 9293 §3.7.1 leaves it open)
 * @param offerTimestamps offer RFC 7323 timestamps in our SYN
 * @param offerSack offer RFC 2018 SACK in our SYN
 * @param offerWindowScale offer RFC 7323 window scaling in our SYN
 * @param maxWindowScaleBuffer the buffer size the window scale is chosen for: the smallest shift that lets
 *     65535 << shift cover it (Linux: tcp_rmem[2])
 * @param synWindowRoundedToMss our SYN's window is min(65535, receive buffer) rounded down to a whole
 *     number of MSS (Linux: 64240 = 44 * 1460 on Ethernet, 65495 on loopback)
 * @param initialWindowSegments the initial congestion window in segments (RFC 6928: 10)
 * @param delayedAckNanos the delayed-ACK timeout (Linux: 40 ms minimum; RFC 1122 §4.2.3.2: at most 500 ms)
 * @param quickAckSegments how many first data segments are ACKed at once (Linux quick-ACK mode: up to 16)
 * @param rtoInitialNanos RTO before the first RTT sample (RFC 6298 §2.1: 1 s)
 * @param rtoMinNanos lower bound of the RTO (Linux: 200 ms; RFC 6298 §2.4: 1 s)
 * @param rtoMaxNanos upper bound of the RTO (Linux: 120 s; RFC 6298 §2.5: at least 60 s)
 * @param clockGranularityNanos G of RFC 6298 §2 (Linux HZ=250: 4 ms)
 * @param synRetries SYN retransmissions before connect fails (Linux tcp_syn_retries, packetdrill sets 5)
 * @param dataRetries retransmissions of data or FIN before the connection is dropped (Linux tcp_retries2)
 * @param mslNanos maximum segment lifetime; TIME-WAIT lasts 2*MSL (Linux: 60 s TIME-WAIT; RFC 9293: MSL 2 min)
 * @param finWait2TimeoutNanos how long an orphaned FIN-WAIT-2 waits for the peer's FIN, 0 = forever
 *     (Linux tcp_fin_timeout 60 s; RFC 9293 has no such timer)
 * @param challengeAckIntervalNanos at most one RFC 5961 challenge ACK per this interval per connection
 *     (Linux tcp_invalid_ratelimit 500 ms)
 * @param abortRstCarriesAck an ABORT's RST is "R." with ACK = RCV.NXT (Linux) instead of a bare "R" with
 *     SEQ = SND.NXT (RFC 9293 §3.10.5)
 * @param delayAckOfFin the ACK of a peer's FIN waits for the delayed-ACK timer, so it can ride on our FIN
 *     (Linux tcp_fin enters pingpong mode, which ends quick-ACK mode: data arriving with the FIN waits
 *     too; before any data was received the timer's ato is 0 and it fires on the next tick, one {@code
 *     clockGranularityNanos}); RFC 9293 §3.10.7.4 ACKs it at once
 * @param orphanRstsLikeLinux after close(), a RST answers data in the form a reply to that segment takes
 *     ("R" with SEQ = SEG.ACK), and in FIN-WAIT-2 any in-window RST ends the connection without a
 *     challenge ACK: Linux keeps such sockets as lightweight time-wait sockets (LINUX-BEHAVIOUR.md);
 *     and after the peer's FIN a RST at RCV.NXT - 1 is accepted (Linux tcp_reset_check())
 * @param shutdownReadKeepsData shutdown(SHUT_RD) only marks the receiving side shut: data already
 *     queued and data arriving later are ACKed, stay readable and count as unread at close() (RST, RFC
 *     1122 §4.2.2.13), a read with nothing queued returns end of file at once, and new data in
 *     FIN-WAIT-1/2 after it draws a RST (Linux tcp_recvmsg, tcp_rcv_state_process); otherwise queued and
 *     later data are discarded (4.4BSD sorflush; POSIX: "further receive operations disabled")
 * @param timeWaitIsnGap the ISN of a connection reopened by a new SYN in TIME-WAIT: old SND.NXT + this
 *     gap when positive (Linux tcp_timewait_state_process: snd_nxt + 65535 + 2); 0 keeps the RFC 6528
 *     ISN and raises it to old SND.NXT + 1 only when it is not above (RFC 1122 §4.2.2.13 (1): "larger
 *     than the largest sequence number it used on the previous connection incarnation")
 * @param sackCoversFin a FIN held out of order counts in our SACK blocks (Linux tcp_data_queue_ofo: the
 *     block ends at the segment's end_seq, which counts the FIN); RFC 2018 §3 reports blocks of data only
 * @param dsack report a duplicate segment in the first SACK block of the next ACK (RFC 2883 §4; Linux
 *     tcp_dsack 1)
 * @param rtoMinBoundsVariance RTO = SRTT + max(4*RTTVAR, rtoMin) (Linux tcp_rtt_estimator keeps
 *     mdev_max at least tcp_rto_min, tcp_set_rto adds it to SRTT) instead of RFC 6298 §2.4's max(SRTT +
 *     max(G, 4*RTTVAR), rtoMin)
 * @param rtoFallbackNanos the RTO when data transmission begins without an RTT sample from the handshake
 *     (RFC 6298 §5.7 and Linux tcp_init_metrics TCP_TIMEOUT_FALLBACK: 3 s)
 * @param keepaliveIdleNanos idle time before the first keepalive probe (RFC 1122 §4.2.3.6: at least 2 h)
 * @param keepaliveIntervalNanos time between keepalive probes (Linux: 75 s)
 * @param keepaliveProbes unanswered probes before the connection is dropped (Linux: 9)
 * @param persistMaxNanos upper bound of the zero-window probe interval (Linux: 120 s)
 * @param tailLossProbe send a tail-loss probe (RFC 8985 §7) before the RTO on SACK connections: after
 *     PTO = 2*SRTT + (rtoMin with one segment out, else 2 ms), 1 s without an RTT sample, capped at the
 *     RTO, one new segment or the last one again; no backoff, the RTO restarts from the probe (Linux
 *     tcp_schedule_loss_probe / tcp_send_loss_probe, tcp_early_retrans 3 or 4; RFC 9293 has none)
 */
public record Profile(
    String name,
    SynOptionLayout synOptions,
    boolean offerTimestamps,
    boolean offerSack,
    boolean offerWindowScale,
    int maxWindowScaleBuffer,
    boolean synWindowRoundedToMss,
    int initialWindowSegments,
    long delayedAckNanos,
    int quickAckSegments,
    long rtoInitialNanos,
    long rtoMinNanos,
    long rtoMaxNanos,
    long clockGranularityNanos,
    int synRetries,
    int dataRetries,
    long mslNanos,
    long finWait2TimeoutNanos,
    long challengeAckIntervalNanos,
    boolean abortRstCarriesAck,
    boolean delayAckOfFin,
    boolean orphanRstsLikeLinux,
    boolean shutdownReadKeepsData,
    int timeWaitIsnGap,
    boolean sackCoversFin,
    boolean dsack,
    boolean rtoMinBoundsVariance,
    long rtoFallbackNanos,
    long keepaliveIdleNanos,
    long keepaliveIntervalNanos,
    int keepaliveProbes,
    long persistMaxNanos,
    boolean tailLossProbe) {

  private static final long MS = 1_000_000L;
  private static final long S = 1_000 * MS;

  /** The order in which SYN options are laid out. */
  public enum SynOptionLayout {
    /**
     * Linux tcp_options_write(): MSS, SACK_PERM, TS, NOP, WS; without timestamps MSS, NOP, NOP,
     * SACK_PERM, NOP, WS (../shared/LINUX-BEHAVIOUR.md, real captures).
     */
    LINUX,
    /** MSS only, as the RFC 9293 §3.7.1 minimum. */
    MSS_ONLY
  }

  public Profile {
    checkNotNull(name, "name");
    checkNotNull(synOptions, "synOptions");
    checkArgument(maxWindowScaleBuffer > 0, "maxWindowScaleBuffer must be positive");
    checkArgument(initialWindowSegments >= 1, "initialWindowSegments must be at least 1");
    checkArgument(rtoMinNanos > 0 && rtoMinNanos <= rtoMaxNanos, "need 0 < rtoMin <= rtoMax");
    checkArgument(
        rtoInitialNanos >= rtoMinNanos && rtoInitialNanos <= rtoMaxNanos,
        "need rtoMin <= rtoInitial <= rtoMax");
    checkArgument(synRetries >= 0 && dataRetries >= 0, "retries must not be negative");
    checkArgument(mslNanos >= 0, "MSL must not be negative");
    checkArgument(delayedAckNanos >= 0, "delayed ACK must not be negative");
    checkArgument(clockGranularityNanos >= 0, "clock granularity must not be negative");
    checkArgument(timeWaitIsnGap >= 0, "timeWaitIsnGap must not be negative");
  }

  /** Linux 6.x with the sysctls packetdrill's runner sets (../shared/LINUX-BEHAVIOUR.md). */
  public static final Profile LINUX =
      new Profile(
          "linux",
          SynOptionLayout.LINUX,
          true,
          true,
          true,
          15_728_640, // tcp_rmem[2] as packetdrill's defaults.sh sets it: wscale 8
          true,
          10, // TCP_INIT_CWND, RFC 6928
          40 * MS, // TCP_DELACK_MIN
          16, // TCP_MAX_QUICKACKS
          1 * S, // TCP_TIMEOUT_INIT
          200 * MS, // TCP_RTO_MIN
          120 * S, // TCP_RTO_MAX
          4 * MS, // one jiffy at HZ=250
          5, // tcp_syn_retries as packetdrill sets it
          15, // tcp_retries2
          30 * S, // TCP_TIMEWAIT_LEN is 60 s = 2 * 30 s
          60 * S, // tcp_fin_timeout
          500 * MS, // tcp_invalid_ratelimit
          true,
          true,
          true,
          true, // SHUT_RD: tcp_recvmsg still copies queued data
          65_535 + 2, // tcp_timewait_state_process: isn = tw_snd_nxt + 65535 + 2
          true, // tcp_sack_new_ofo_skb(sk, seq, end_seq)
          true, // tcp_dsack
          true, // tcp_set_rto: srtt + max(mdev, tcp_rto_min)
          3 * S, // TCP_TIMEOUT_FALLBACK
          7200 * S, // tcp_keepalive_time
          75 * S, // tcp_keepalive_intvl
          9, // tcp_keepalive_probes
          120 * S,
          true); // tcp_early_retrans 3 (default; packetdrill sets 4): TLP, RFC 8985 §7

  /** The textbook: RFC 9293 with RFC 6298 timers and RFC 5681's initial window. */
  public static final Profile RFC9293 =
      new Profile(
          "rfc9293",
          SynOptionLayout.MSS_ONLY,
          false,
          false,
          false,
          65_535,
          false,
          3, // RFC 5681 §3.1 IW for 1095 < SMSS <= 2190
          200 * MS, // RFC 1122 §4.2.3.2 allows up to 500 ms; 200 ms is the common choice
          0,
          1 * S, // RFC 6298 §2.1
          1 * S, // RFC 6298 §2.4
          60 * S, // RFC 6298 §2.5
          1 * MS,
          7, // RFC 1122 §4.2.3.5: SYN retransmissions for at least 3 minutes (1+2+...+60+60 s)
          15,
          120 * S, // RFC 9293 §3.4.2: MSL 2 minutes
          0,
          500 * MS,
          false,
          false,
          false,
          false, // SHUT_RD discards (4.4BSD sorflush)
          0, // RFC 6528 ISN, kept above the old SND.NXT (RFC 1122 §4.2.2.13)
          false, // RFC 2018 §3: blocks of data
          false, // RFC 2883 is an extension
          false, // RFC 6298 §2.4
          3 * S, // RFC 6298 §5.7
          7200 * S, // RFC 1122 §4.2.3.6
          75 * S,
          9,
          60 * S,
          false); // RFC 9293 has no tail-loss probe (RFC 8985 is an extension)

  /** The profiles by name. */
  public static List<Profile> all() {
    return List.of(LINUX, RFC9293);
  }

  /** The profile called {@code name}; the error lists the known names. */
  public static Profile named(String name) {
    for (Profile p : all()) {
      if (p.name.equals(name)) return p;
    }
    throw new IllegalArgumentException(
        "Unknown profile '" + name + "'; known profiles: linux, rfc9293");
  }

  /** TIME-WAIT length, 2 * MSL (RFC 9293 §3.4.2). */
  public long timeWaitNanos() {
    return 2 * mslNanos;
  }

  /** The window-scale shift we offer for a receive buffer of {@code bufferBytes} (RFC 7323 §2.3). */
  public int windowScaleFor(int bufferBytes) {
    long space = Math.max(bufferBytes, maxWindowScaleBuffer);
    int shift = 0;
    while (shift < 14 && (space >> shift) > 0xffff) shift++;
    return shift;
  }

  /** A copy with a different MSL (TIME-WAIT is 2 * MSL). */
  public Profile withMsl(long mslNanos) {
    return toBuilder().mslNanos(mslNanos).build();
  }

  /** A copy with different option offers (for tests and scripts that need a plain SYN). */
  public Profile withOptions(boolean timestamps, boolean sack, boolean windowScale) {
    return toBuilder()
        .offerTimestamps(timestamps)
        .offerSack(sack)
        .offerWindowScale(windowScale)
        .build();
  }

  /** A builder preset with this profile's values, for variants (scripts override single fields). */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.name = name;
    b.synOptions = synOptions;
    b.offerTimestamps = offerTimestamps;
    b.offerSack = offerSack;
    b.offerWindowScale = offerWindowScale;
    b.maxWindowScaleBuffer = maxWindowScaleBuffer;
    b.synWindowRoundedToMss = synWindowRoundedToMss;
    b.initialWindowSegments = initialWindowSegments;
    b.delayedAckNanos = delayedAckNanos;
    b.quickAckSegments = quickAckSegments;
    b.rtoInitialNanos = rtoInitialNanos;
    b.rtoMinNanos = rtoMinNanos;
    b.rtoMaxNanos = rtoMaxNanos;
    b.clockGranularityNanos = clockGranularityNanos;
    b.synRetries = synRetries;
    b.dataRetries = dataRetries;
    b.mslNanos = mslNanos;
    b.finWait2TimeoutNanos = finWait2TimeoutNanos;
    b.challengeAckIntervalNanos = challengeAckIntervalNanos;
    b.abortRstCarriesAck = abortRstCarriesAck;
    b.delayAckOfFin = delayAckOfFin;
    b.orphanRstsLikeLinux = orphanRstsLikeLinux;
    b.shutdownReadKeepsData = shutdownReadKeepsData;
    b.timeWaitIsnGap = timeWaitIsnGap;
    b.sackCoversFin = sackCoversFin;
    b.dsack = dsack;
    b.rtoMinBoundsVariance = rtoMinBoundsVariance;
    b.rtoFallbackNanos = rtoFallbackNanos;
    b.keepaliveIdleNanos = keepaliveIdleNanos;
    b.keepaliveIntervalNanos = keepaliveIntervalNanos;
    b.keepaliveProbes = keepaliveProbes;
    b.persistMaxNanos = persistMaxNanos;
    b.tailLossProbe = tailLossProbe;
    return b;
  }

  /** Builds a {@link Profile} variant; start from {@link #toBuilder()}. */
  public static final class Builder {
    private String name;
    private SynOptionLayout synOptions;
    private boolean offerTimestamps;
    private boolean offerSack;
    private boolean offerWindowScale;
    private int maxWindowScaleBuffer;
    private boolean synWindowRoundedToMss;
    private int initialWindowSegments;
    private long delayedAckNanos;
    private int quickAckSegments;
    private long rtoInitialNanos;
    private long rtoMinNanos;
    private long rtoMaxNanos;
    private long clockGranularityNanos;
    private int synRetries;
    private int dataRetries;
    private long mslNanos;
    private long finWait2TimeoutNanos;
    private long challengeAckIntervalNanos;
    private boolean abortRstCarriesAck;
    private boolean delayAckOfFin;
    private boolean orphanRstsLikeLinux;
    private boolean shutdownReadKeepsData;
    private int timeWaitIsnGap;
    private boolean sackCoversFin;
    private boolean dsack;
    private boolean rtoMinBoundsVariance;
    private long rtoFallbackNanos;
    private long keepaliveIdleNanos;
    private long keepaliveIntervalNanos;
    private int keepaliveProbes;
    private long persistMaxNanos;
    private boolean tailLossProbe;

    private Builder() {}

    public Builder name(String name) {
      this.name = name;
      return this;
    }

    public Builder synOptions(SynOptionLayout synOptions) {
      this.synOptions = synOptions;
      return this;
    }

    public Builder offerTimestamps(boolean offerTimestamps) {
      this.offerTimestamps = offerTimestamps;
      return this;
    }

    public Builder offerSack(boolean offerSack) {
      this.offerSack = offerSack;
      return this;
    }

    public Builder offerWindowScale(boolean offerWindowScale) {
      this.offerWindowScale = offerWindowScale;
      return this;
    }

    public Builder maxWindowScaleBuffer(int maxWindowScaleBuffer) {
      this.maxWindowScaleBuffer = maxWindowScaleBuffer;
      return this;
    }

    public Builder synWindowRoundedToMss(boolean synWindowRoundedToMss) {
      this.synWindowRoundedToMss = synWindowRoundedToMss;
      return this;
    }

    public Builder initialWindowSegments(int initialWindowSegments) {
      this.initialWindowSegments = initialWindowSegments;
      return this;
    }

    public Builder delayedAckNanos(long delayedAckNanos) {
      this.delayedAckNanos = delayedAckNanos;
      return this;
    }

    public Builder quickAckSegments(int quickAckSegments) {
      this.quickAckSegments = quickAckSegments;
      return this;
    }

    public Builder rtoInitialNanos(long rtoInitialNanos) {
      this.rtoInitialNanos = rtoInitialNanos;
      return this;
    }

    public Builder rtoMinNanos(long rtoMinNanos) {
      this.rtoMinNanos = rtoMinNanos;
      return this;
    }

    public Builder rtoMaxNanos(long rtoMaxNanos) {
      this.rtoMaxNanos = rtoMaxNanos;
      return this;
    }

    public Builder clockGranularityNanos(long clockGranularityNanos) {
      this.clockGranularityNanos = clockGranularityNanos;
      return this;
    }

    public Builder synRetries(int synRetries) {
      this.synRetries = synRetries;
      return this;
    }

    public Builder dataRetries(int dataRetries) {
      this.dataRetries = dataRetries;
      return this;
    }

    public Builder mslNanos(long mslNanos) {
      this.mslNanos = mslNanos;
      return this;
    }

    public Builder finWait2TimeoutNanos(long finWait2TimeoutNanos) {
      this.finWait2TimeoutNanos = finWait2TimeoutNanos;
      return this;
    }

    public Builder challengeAckIntervalNanos(long challengeAckIntervalNanos) {
      this.challengeAckIntervalNanos = challengeAckIntervalNanos;
      return this;
    }

    public Builder abortRstCarriesAck(boolean abortRstCarriesAck) {
      this.abortRstCarriesAck = abortRstCarriesAck;
      return this;
    }

    public Builder delayAckOfFin(boolean delayAckOfFin) {
      this.delayAckOfFin = delayAckOfFin;
      return this;
    }

    public Builder orphanRstsLikeLinux(boolean orphanRstsLikeLinux) {
      this.orphanRstsLikeLinux = orphanRstsLikeLinux;
      return this;
    }

    public Builder shutdownReadKeepsData(boolean shutdownReadKeepsData) {
      this.shutdownReadKeepsData = shutdownReadKeepsData;
      return this;
    }

    public Builder timeWaitIsnGap(int timeWaitIsnGap) {
      this.timeWaitIsnGap = timeWaitIsnGap;
      return this;
    }

    public Builder sackCoversFin(boolean sackCoversFin) {
      this.sackCoversFin = sackCoversFin;
      return this;
    }

    public Builder dsack(boolean dsack) {
      this.dsack = dsack;
      return this;
    }

    public Builder rtoMinBoundsVariance(boolean rtoMinBoundsVariance) {
      this.rtoMinBoundsVariance = rtoMinBoundsVariance;
      return this;
    }

    public Builder rtoFallbackNanos(long rtoFallbackNanos) {
      this.rtoFallbackNanos = rtoFallbackNanos;
      return this;
    }

    public Builder keepaliveIdleNanos(long keepaliveIdleNanos) {
      this.keepaliveIdleNanos = keepaliveIdleNanos;
      return this;
    }

    public Builder keepaliveIntervalNanos(long keepaliveIntervalNanos) {
      this.keepaliveIntervalNanos = keepaliveIntervalNanos;
      return this;
    }

    public Builder keepaliveProbes(int keepaliveProbes) {
      this.keepaliveProbes = keepaliveProbes;
      return this;
    }

    public Builder persistMaxNanos(long persistMaxNanos) {
      this.persistMaxNanos = persistMaxNanos;
      return this;
    }

    public Builder tailLossProbe(boolean tailLossProbe) {
      this.tailLossProbe = tailLossProbe;
      return this;
    }

    public Profile build() {
      return new Profile(
          name, synOptions, offerTimestamps, offerSack, offerWindowScale, maxWindowScaleBuffer, synWindowRoundedToMss, initialWindowSegments, delayedAckNanos, quickAckSegments, rtoInitialNanos, rtoMinNanos, rtoMaxNanos, clockGranularityNanos, synRetries, dataRetries, mslNanos, finWait2TimeoutNanos, challengeAckIntervalNanos, abortRstCarriesAck, delayAckOfFin, orphanRstsLikeLinux, shutdownReadKeepsData, timeWaitIsnGap, sackCoversFin, dsack, rtoMinBoundsVariance, rtoFallbackNanos, keepaliveIdleNanos, keepaliveIntervalNanos, keepaliveProbes, persistMaxNanos, tailLossProbe);
    }
  }
}
