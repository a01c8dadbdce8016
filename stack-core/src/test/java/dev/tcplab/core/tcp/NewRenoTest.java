package dev.tcplab.core.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

class NewRenoTest {
  private static final int SMSS = 1460;
  private static final long RTT = 50_000_000L;

  @Test
  void initialWindowIsTenSegments() {
    NewReno cc = new NewReno(SMSS, 10);

    // RFC 6928: IW10 = 10 * 1460 = 14600 bytes; ssthresh effectively infinite.
    assertThat(cc.cwnd()).isEqualTo(14_600);
    assertThat(cc.ssthresh()).isEqualTo(Long.MAX_VALUE / 4);
    assertThat(cc.inSlowStart()).isTrue();
    assertThat(cc.name()).isEqualTo("newreno");
  }

  @Test
  void slowStartAddsAtMostOneSmssPerAck() {
    NewReno cc = new NewReno(SMSS, 10);

    cc.onAck(SMSS, 0, RTT);
    // 14600 + 1460 = 16060.
    assertThat(cc.cwnd()).isEqualTo(16_060);
    cc.onAck(2 * SMSS, 0, RTT);
    // A delayed ACK for two segments still adds only L = 1 SMSS (RFC 3465): 17520.
    assertThat(cc.cwnd()).isEqualTo(17_520);
    cc.onAck(500, 0, -1);
    // A partial segment adds what it acknowledged: 18020.
    assertThat(cc.cwnd()).isEqualTo(18_020);
    cc.onAck(0, 0, -1);
    assertThat(cc.cwnd()).isEqualTo(18_020);
  }

  @Test
  void slowStartDoublesPerRoundTrip() {
    NewReno cc = new NewReno(SMSS, 10);

    // One round trip: ten ACKs for ten segments.
    for (int i = 0; i < 10; i++) {
      cc.onAck(SMSS, i, RTT);
    }

    // 10 -> 20 segments = 29200 bytes.
    assertThat(cc.cwnd()).isEqualTo(20L * SMSS);
  }

  @Test
  void congestionAvoidanceStartsAtSsthreshAndAddsOneSmssPerWindow() {
    NewReno cc = new NewReno(SMSS, 10);
    // Timeout with 40 segments in flight: ssthresh = 20 segments = 29200, cwnd = 1 segment.
    cc.onRetransmissionTimeout(40L * SMSS, 0);
    assertThat(cc.ssthresh()).isEqualTo(29_200);

    // Slow start: 19 ACKs take cwnd from 1 to 20 segments, exactly ssthresh.
    for (int i = 0; i < 19; i++) {
      assertThat(cc.inSlowStart()).isTrue();
      cc.onAck(SMSS, 0, RTT);
    }
    assertThat(cc.cwnd()).isEqualTo(29_200);
    assertThat(cc.inSlowStart()).isFalse();

    // Congestion avoidance: 19 segments (27740 bytes) acknowledged, below cwnd = 29200: no growth.
    for (int i = 0; i < 19; i++) {
      cc.onAck(SMSS, 0, RTT);
    }
    assertThat(cc.cwnd()).isEqualTo(29_200);
    // The 20th segment brings bytes_acked to 29200 = cwnd: cwnd += SMSS = 30660.
    cc.onAck(SMSS, 0, RTT);
    assertThat(cc.cwnd()).isEqualTo(30_660);

    // The next increase needs a full new window: 21 segments (30660 bytes).
    for (int i = 0; i < 20; i++) {
      cc.onAck(SMSS, 0, RTT);
    }
    assertThat(cc.cwnd()).isEqualTo(30_660);
    cc.onAck(SMSS, 0, RTT);
    assertThat(cc.cwnd()).isEqualTo(32_120);
  }

  @Test
  void congestionAvoidanceCarriesOverExcessBytes() {
    NewReno cc = new NewReno(SMSS, 10);
    // Loss with 40 segments in flight: cwnd = ssthresh = 20 segments = 29200.
    cc.onLossDetected(40L * SMSS, 0);
    cc.onRecoveryEnd(0);

    // A stretch ACK of 25 segments (36500 bytes): one SMSS added, 7300 bytes carried over.
    cc.onAck(25L * SMSS, 0, RTT);
    assertThat(cc.cwnd()).isEqualTo(30_660);
    // 30660 - 7300 = 23360 bytes = 16 segments more until the next increase.
    for (int i = 0; i < 15; i++) {
      cc.onAck(SMSS, 0, RTT);
    }
    assertThat(cc.cwnd()).isEqualTo(30_660);
    cc.onAck(SMSS, 0, RTT);
    assertThat(cc.cwnd()).isEqualTo(32_120);
  }

  @Test
  void lossHalvesTheFlightSize() {
    NewReno cc = new NewReno(SMSS, 10);

    cc.onLossDetected(14_601, 0);

    // ssthresh = max(14601 / 2, 2 * 1460) = max(7300, 2920) = 7300; cwnd = ssthresh.
    assertThat(cc.ssthresh()).isEqualTo(7_300);
    assertThat(cc.cwnd()).isEqualTo(7_300);
    assertThat(cc.inSlowStart()).isFalse();
  }

  @Test
  void lossHalvingHasATwoSegmentFloor() {
    NewReno cc = new NewReno(SMSS, 10);

    cc.onLossDetected(3L * SMSS, 0);

    // max(4380 / 2, 2920) = max(2190, 2920) = 2920.
    assertThat(cc.ssthresh()).isEqualTo(2_920);
    assertThat(cc.cwnd()).isEqualTo(2_920);
  }

  @Test
  void lossUsesFlightSizeNotCwnd() {
    NewReno cc = new NewReno(SMSS, 10);
    for (int i = 0; i < 30; i++) {
      cc.onAck(SMSS, 0, RTT);
    }
    // cwnd = 40 segments, but the application only had 10 segments in flight.
    assertThat(cc.cwnd()).isEqualTo(58_400);

    cc.onLossDetected(10L * SMSS, 0);

    // RFC 5681 §3.1 implementation note: FlightSize / 2 = 7300, not cwnd / 2.
    assertThat(cc.ssthresh()).isEqualTo(7_300);
  }

  @Test
  void recoveryEndDeflatesToSsthresh() {
    NewReno cc = new NewReno(SMSS, 10);
    cc.onLossDetected(20L * SMSS, 0);

    cc.onRecoveryEnd(0);

    // ssthresh = 10 segments = 14600.
    assertThat(cc.cwnd()).isEqualTo(14_600);
    assertThat(cc.ssthresh()).isEqualTo(14_600);
  }

  @Test
  void timeoutCollapsesToOneSegment() {
    NewReno cc = new NewReno(SMSS, 10);
    for (int i = 0; i < 10; i++) {
      cc.onAck(SMSS, 0, RTT);
    }

    cc.onRetransmissionTimeout(20L * SMSS, 0);

    // LW = 1 SMSS; ssthresh = max(29200 / 2, 2920) = 14600.
    assertThat(cc.cwnd()).isEqualTo(1_460);
    assertThat(cc.ssthresh()).isEqualTo(14_600);
    assertThat(cc.inSlowStart()).isTrue();
  }

  @Test
  void timeoutHasATwoSegmentSsthreshFloor() {
    NewReno cc = new NewReno(SMSS, 10);

    cc.onRetransmissionTimeout(SMSS, 0);

    // max(730, 2920) = 2920.
    assertThat(cc.ssthresh()).isEqualTo(2_920);
    assertThat(cc.cwnd()).isEqualTo(1_460);
  }

  @Test
  void repeatedTimeoutsKeepSsthresh() {
    NewReno cc = new NewReno(SMSS, 10);
    cc.onRetransmissionTimeout(20L * SMSS, 0);
    assertThat(cc.ssthresh()).isEqualTo(14_600);

    // The same segment times out again with only one segment in flight: ssthresh is held.
    cc.onRetransmissionTimeout(SMSS, 1);
    assertThat(cc.ssthresh()).isEqualTo(14_600);
    assertThat(cc.cwnd()).isEqualTo(1_460);

    // After new data is acknowledged a later timeout is a new event: max(2 * 1460 / 2, 2920).
    cc.onAck(SMSS, 2, RTT);
    cc.onRetransmissionTimeout(2L * SMSS, 3);
    assertThat(cc.ssthresh()).isEqualTo(2_920);
  }

  @Test
  void idleRestartShrinksToTheInitialWindow() {
    NewReno cc = new NewReno(SMSS, 10);
    for (int i = 0; i < 20; i++) {
      cc.onAck(SMSS, 0, RTT);
    }
    assertThat(cc.cwnd()).isEqualTo(30L * SMSS);

    cc.onIdleRestart(1_000_000_000L);

    // RW = min(IW, cwnd) = 14600.
    assertThat(cc.cwnd()).isEqualTo(14_600);
  }

  @Test
  void idleRestartKeepsASmallerWindow() {
    NewReno cc = new NewReno(SMSS, 10);
    cc.onLossDetected(8L * SMSS, 0);
    assertThat(cc.cwnd()).isEqualTo(5_840);

    cc.onIdleRestart(1_000_000_000L);

    assertThat(cc.cwnd()).isEqualTo(5_840);
  }

  @Test
  void otherInitialWindows() {
    // RFC 5681 §3.1 eq. 1 for SMSS 1460 gives 3 segments = 4380.
    assertThat(new NewReno(SMSS, 3).cwnd()).isEqualTo(4_380);
    assertThat(new NewReno(536, 4).cwnd()).isEqualTo(2_144);
  }

  @Test
  void toStringShowsTheWindow() {
    NewReno cc = new NewReno(SMSS, 10);
    assertThat(cc.toString()).contains("newreno", "cwnd=14600", "ssthresh=inf");
    cc.onLossDetected(20L * SMSS, 0);
    assertThat(cc.toString()).contains("cwnd=14600", "ssthresh=14600");
  }

  @Test
  void rejectsBadArguments() {
    assertThatIllegalArgumentException().isThrownBy(() -> new NewReno(0, 10));
    assertThatIllegalArgumentException().isThrownBy(() -> new NewReno(SMSS, 0));
    NewReno cc = new NewReno(SMSS, 10);
    assertThatIllegalArgumentException().isThrownBy(() -> cc.onAck(-1, 0, RTT));
    assertThatIllegalArgumentException().isThrownBy(() -> cc.onLossDetected(-1, 0));
    assertThatIllegalArgumentException().isThrownBy(() -> cc.onRetransmissionTimeout(-1, 0));
  }
}
