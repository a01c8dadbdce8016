package dev.tcplab.core.tcp;

import static dev.tcplab.core.tcp.TwoStacks.CLIENT_ADDR;
import static dev.tcplab.core.tcp.TwoStacks.MS;
import static dev.tcplab.core.tcp.TwoStacks.SECOND;
import static dev.tcplab.core.tcp.TwoStacks.SERVER_ADDR;
import static dev.tcplab.core.tcp.WireView.errorOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tcplab.core.link.InMemoryLink;
import dev.tcplab.core.link.InMemoryLink.Decision;
import dev.tcplab.core.link.InMemoryLink.WireEvent;
import dev.tcplab.core.wire.Segment;
import dev.tcplab.core.wire.SeqNum;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Loss, duplication and reordering on the link, and how the stack recovers: retransmission timeout
 * with backoff (RFC 6298), fast retransmit and NewReno recovery (RFC 5681, RFC 6582), SACK-based
 * recovery (RFC 2018, RFC 6675), and the retry limits of RFC 9293 §3.8.3 / RFC 1122 §4.2.3.5.
 */
class LossRecoveryTest {
  static final long ONE_WAY = 5 * MS;
  static final long RTT = 2 * ONE_WAY;
  static final int SMSS = 1460;
  static final long LIMIT = 3_000 * SECOND;
  static final int SWEEP_BYTES = 60_000;
  static final int BIG = 200_000;

  // -----------------------------------------------------------------------------------------------
  // (a) Every single segment of a transfer, in either direction, lost once.

  /** One case per segment of a loss-free run of the scenario, per profile and direction. */
  static Stream<Arguments> everySegmentOfACleanRun() {
    List<Arguments> cases = new ArrayList<>();
    for (Profile p : Profile.all()) {
      TwoStacks net = new TwoStacks(p);
      Transfer t = Transfer.start(net, TwoStacks.data(SWEEP_BYTES, 11));
      if (!t.runToCompletion(LIMIT)) throw new AssertionError("clean run failed\n" + t.diagnosis());
      for (String side : List.of("client", "server")) {
        List<WireEvent> sent = Transfer.from(net, side.equals("client") ? CLIENT_ADDR : SERVER_ADDR);
        int firstData = -1;
        int lastData = -1;
        for (int i = 0; i < sent.size(); i++) {
          if (sent.get(i).segment().payloadLength() > 0) {
            if (firstData < 0) firstData = i;
            lastData = i;
          }
        }
        for (int i = 0; i < sent.size(); i++) {
          Segment s = sent.get(i).segment();
          String what;
          if (s.isSyn()) {
            what = s.isAck() ? "SYN-ACK" : "SYN";
          } else if (s.isFin()) {
            what = s.payloadLength() > 0 ? "last data with FIN" : "FIN";
          } else if (i == firstData) {
            what = "first data";
          } else if (i == lastData) {
            what = "last data";
          } else if (s.payloadLength() > 0) {
            what = "data";
          } else if (i == sent.size() - 1) {
            what = "final ACK";
          } else if (side.equals("client") && firstData > i) {
            what = "handshake ACK";
          } else {
            what = "ACK";
          }
          cases.add(Arguments.of(p.name(), side, i + 1, what));
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}: {1} segment #{2} ({3}) lost once")
  @MethodSource("everySegmentOfACleanRun")
  void transferSurvivesTheLossOfAnySingleSegment(String profile, String side, int index, String what) {
    TwoStacks net = new TwoStacks(Profile.named(profile));
    InetAddress src = side.equals("client") ? CLIENT_ADDR : SERVER_ADDR;
    // RFC 9293 §3.8.1/§3.8.3: every loss - SYN, SYN-ACK, data, FIN or last ACK - is repaired by retransmission
    net.link.setFault(Transfer.dropFrom(src, (seg, i) -> i == index));
    Transfer t = Transfer.start(net, TwoStacks.data(SWEEP_BYTES, 11));

    t.assertCompletesExactlyAndClosesGracefully(LIMIT);

    assertThat(net.link.log()).filteredOn(e -> e.action() == InMemoryLink.Action.DROP)
        .as("the segment that was dropped").hasSize(1)
        .allSatisfy(e -> assertThat(e.src()).isEqualTo(src));
  }

  // -----------------------------------------------------------------------------------------------
  // (b) + (e) Seeded random loss both ways, both congestion controllers.

  static Stream<Arguments> seededLoss() {
    List<Arguments> cases = new ArrayList<>();
    for (int seed = 1; seed <= 20; seed++) {
      int percent = 1 + (seed - 1) % 10;
      String profile = seed % 2 == 1 ? "linux" : "rfc9293";
      for (TcpStack.CongestionAlgorithm cc : TcpStack.CongestionAlgorithm.values()) {
        cases.add(Arguments.of(seed, percent, cc, profile));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "seed {0}: {1}% loss both ways, {2}, {3}")
  @MethodSource("seededLoss")
  void transferCompletesUnderRandomLoss(
      int seed, int percent, TcpStack.CongestionAlgorithm cc, String profile) {
    TwoStacks net = new TwoStacks(Profile.named(profile), ONE_WAY, b -> b.congestionControl(cc));
    Random loss = new Random(seed);
    // RFC 9293 §3.8.1: a reliable byte stream whatever the network loses
    net.link.setFault((s, d, seg, i) ->
        loss.nextDouble() * 100 < percent ? Decision.DROP : Decision.DELIVER);
    Transfer t = Transfer.start(net, TwoStacks.data(BIG, seed));

    t.assertCompletesExactlyAndClosesGracefully(LIMIT);
  }

  // -----------------------------------------------------------------------------------------------
  // (c) Duplication and reordering.

  @EachProfile
  void duplicatedSegmentsAreDeliveredOnce(Profile p) {
    TwoStacks net = new TwoStacks(p);
    // RFC 9293 §3.4: duplicates are recognised by sequence number and delivered once
    net.link.setFault((s, d, seg, i) -> i % 4 == 0 ? Decision.DUPLICATE : Decision.DELIVER);
    Transfer t = Transfer.start(net, TwoStacks.data(BIG, 21));

    t.assertCompletesExactlyAndClosesGracefully(LIMIT);
    assertThat(net.link.log()).anyMatch(e -> e.action() == InMemoryLink.Action.DUPLICATE);
  }

  @EachProfile
  void reorderedSegmentsAreDeliveredInOrder(Profile p) {
    TwoStacks net = new TwoStacks(p);
    // RFC 9293 §3.10.7.4 seventh: out-of-order segments are held and delivered in sequence
    net.link.setFault((s, d, seg, i) -> i % 5 == 0 ? Decision.delay(3 * ONE_WAY) : Decision.DELIVER);
    Transfer t = Transfer.start(net, TwoStacks.data(BIG, 22));

    t.assertCompletesExactlyAndClosesGracefully(LIMIT);
    assertThat(net.events).anyMatch(e -> e.startsWith("out-of-order data held"));
  }

  @EachProfile
  void duplicationReorderingAndLossTogether(Profile p) {
    TwoStacks net = new TwoStacks(p);
    Random loss = new Random(99);
    // RFC 9293 §3.8.1: the stream survives any mix of loss, duplication and reordering
    net.link.setFault((s, d, seg, i) -> {
      if (loss.nextInt(100) < 3) return Decision.DROP;
      if (i % 7 == 0) return Decision.DUPLICATE;
      if (i % 5 == 0) return Decision.delay(3 * ONE_WAY);
      return Decision.DELIVER;
    });
    Transfer t = Transfer.start(net, TwoStacks.data(BIG, 23));

    t.assertCompletesExactlyAndClosesGracefully(LIMIT);
  }

  // -----------------------------------------------------------------------------------------------
  // (d) Fast retransmit: SACK recovery (LINUX) and NewReno (RFC9293, no SACK).

  @EachProfile
  void aSingleLossInALongWindowIsRepairedByFastRetransmit(Profile p) {
    byte[] payload = TwoStacks.data(BIG, 31);
    List<Integer> burst = firstBurstOfAtLeast(p, payload, 20);
    int lost = burst.get(2); // the third segment of a burst of 20 or more: many follow it in the flight

    TwoStacks net = new TwoStacks(p);
    ClientLog log = ClientLog.attach(net);
    assertCompletesLosingFirstTransmissionOf(net, payload, Set.of(lost));

    List<WireEvent> tx = Transfer.transmissionsOf(net, CLIENT_ADDR, lost);
    SoftAssertions soft = new SoftAssertions();
    soft.assertThat(tx).as("transmissions of the lost segment").hasSize(2);
    if (tx.size() >= 2) {
      long repairedAfter = tx.get(1).atNanos() - tx.get(0).atNanos();
      // RFC 5681 §3.2: the duplicate ACKs trigger the retransmission about one RTT later, long before an RTO
      soft.assertThat(repairedAfter).as("retransmission delay (ns)")
          .isLessThan(3 * RTT).isLessThan(p.rtoMinNanos());
    }
    // RFC 5681 §3.2 step 2 / RFC 6582 §3.2 step 2 / RFC 6675 §5 step (4.3): resent on the third duplicate ACK
    soft.assertThat(log.duplicateAcksBeforeRetransmissionOf(lost))
        .as("duplicate ACKs received before the retransmission went out")
        .isEqualTo(TcpConnection.DUP_THRESH);
    soft.assertThat(net.events).as("events").anyMatch(e -> e.startsWith("fast retransmit"));
    soft.assertThat(net.events).as("events").noneMatch(e -> e.startsWith("RTO"));
    // RFC 6675 §5 / RFC 6582 §3.2: only the lost segment is resent, nothing that arrived
    soft.assertThat(retransmittedSeqs(net)).as("segments sent more than once").containsExactly(lost);
    List<Segment> dupAcks = net.serverSent().stream()
        .filter(s -> s.ack() == lost && s.payloadLength() == 0 && !s.isSyn() && !s.isFin())
        .skip(1) // the first ACK up to the hole moved SND.UNA: not a duplicate
        .toList();
    if (p.offerSack()) {
      // RFC 2018 §4: the ACKs for data above the hole carry SACK blocks
      soft.assertThat(dupAcks).as("duplicate ACKs").isNotEmpty()
          .allMatch(s -> !s.sackBlocks().isEmpty());
    } else {
      // RFC 2018 §2: no SACK unless both ends sent SACK-permitted
      soft.assertThat(net.serverSent()).allMatch(s -> s.sackBlocks().isEmpty());
      soft.assertThat(net.events).as("events").anyMatch(e -> e.startsWith("recovery ended"));
    }
    soft.assertAll();
  }

  @EachProfile
  void severalLossesInOneWindowAreRepairedWithoutATimeout(Profile p) {
    byte[] payload = TwoStacks.data(BIG, 32);
    List<Integer> burst = firstBurstOfAtLeast(p, payload, 20);
    // holes at the 2nd, 4th and 6th segment of one long flight
    Set<Integer> lost = Set.of(burst.get(1), burst.get(3), burst.get(5));

    TwoStacks net = new TwoStacks(p);
    assertCompletesLosingFirstTransmissionOf(net, payload, lost);

    SoftAssertions soft = new SoftAssertions();
    // RFC 6675 §5 (SACK) / RFC 6582 §3.2 step 4 (partial ACKs): all holes repaired in one recovery, no RTO
    soft.assertThat(net.events).as("events").noneMatch(e -> e.startsWith("RTO"));
    soft.assertThat(retransmittedSeqs(net)).as("segments sent more than once")
        .containsExactlyInAnyOrderElementsOf(lost);
    soft.assertAll();
  }

  // -----------------------------------------------------------------------------------------------
  // (f) Retransmission timeout, backoff, and giving up.

  @EachProfile
  void aWholeLostFlightWaitsForTheRetransmissionTimeout(Profile p) {
    byte[] payload = TwoStacks.data(20 * SMSS, 41);
    List<Integer> flight = firstBurstOfAtLeast(p, payload, 1); // the initial window

    TwoStacks net = new TwoStacks(p);
    assertCompletesLosingFirstTransmissionOf(net, payload, Set.copyOf(flight));

    List<WireEvent> head = Transfer.transmissionsOf(net, CLIENT_ADDR, flight.get(0));
    assertThat(head).as("transmissions of the first segment of the lost flight").hasSizeGreaterThan(1);
    long flightAt = head.get(0).atNanos();
    long timerFrom = flightAt;
    if (p.tailLossProbe()) {
      // RFC 8985 §7, Linux tcp_send_loss_probe: PTO = 2*SRTT + 2 ms after the flight, one new segment
      // (the window allows it); it is no timeout, and the RTO restarts from it (tcp_rearm_rto).
      // Without RACK the probe's SACK does not mark the flight lost, so the RTO still repairs it.
      long probeAt = net.link.log().stream()
          .filter(e -> e.src().equals(CLIENT_ADDR) && e.segment().payloadLength() > 0
              && !flight.contains(e.segment().seq()) && e.atNanos() > flightAt)
          .findFirst().orElseThrow().atNanos();
      assertThat(probeAt - flightAt).as("PTO after the flight (ns)").isBetween(2 * MS, 3 * RTT);
      assertThat(net.events).anyMatch(e -> e.startsWith("TLP: new data"));
      timerFrom = probeAt;
    }
    long waited = head.get(1).atNanos() - timerFrom;
    // RFC 6298 §5.1/§2.4: nothing comes back, so the timer (at least RTO.min) decides the resend
    assertThat(waited).as("wait before the first retransmission (ns)")
        .isBetween(p.rtoMinNanos(), p.rtoMinNanos() + RTT);
    assertThat(net.events).anyMatch(e -> e.startsWith("RTO"));
    if (p.quickAckSegments() >= flight.size()) {
      // RFC 5681 §3.1: after the timeout cwnd = 1 SMSS and grows by slow start (1, 2, 4, 8 ... per RTT),
      // so the lost flight is resent within about log2(flight)+1 RTTs, not one segment per RTT
      long last = flight.stream()
          .mapToLong(seq -> Transfer.transmissionsOf(net, CLIENT_ADDR, seq).get(1).atNanos())
          .max().orElseThrow();
      int rounds = 32 - Integer.numberOfLeadingZeros(flight.size()); // ceil(log2(n + 1))
      assertThat(last - head.get(1).atNanos())
          .as("time to resend the whole flight of %d after the RTO (ns); RTT %d ns", flight.size(), RTT)
          .isLessThanOrEqualTo(rounds * RTT);
    }
  }

  @EachProfile
  void unansweredRetransmissionsBackOffExponentiallyThenTheConnectionTimesOut(Profile p) {
    TwoStacks net = new TwoStacks(p);
    Transfer.EndWatch ends = Transfer.EndWatch.attach(net);
    TwoStacks.Pair pair = net.connect();
    // the peer becomes unreachable for data: every segment carrying data or FIN is lost
    net.link.setFault(Transfer.dropFrom(CLIENT_ADDR, (seg, i) -> seg.seqLength() > 0));
    pair.client().write(TwoStacks.data(4 * SMSS, 42));
    int head = net.clientSent().stream().filter(s -> s.payloadLength() > 0).findFirst()
        .orElseThrow().seq();

    net.settle(3_600 * SECOND);

    List<Long> at = Transfer.transmissionsOf(net, CLIENT_ADDR, head).stream()
        .map(WireEvent::atNanos).toList();
    List<Long> gaps = new ArrayList<>();
    for (int i = 1; i < at.size(); i++) gaps.add(at.get(i) - at.get(i - 1));
    // RFC 9293 §3.8.3 / RFC 1122 §4.2.3.5: give up after R2, here the profile's dataRetries
    assertThat(at).as("transmissions of the head segment").hasSize(1 + p.dataRetries());
    // With a tail-loss probe (RFC 8985 §7, Linux) a probe goes first, after the PTO
    // (2*SRTT + 2 ms with four segments out); it is no timeout: the RTO runs from the probe, not doubled,
    // and the probe does not count against the retries.
    boolean tlp = p.tailLossProbe();
    long rto = tlp ? gaps.get(1) / 2 : gaps.get(0);
    assertThat(rto).as("first RTO (ns)").isGreaterThanOrEqualTo(p.rtoMinNanos()); // RFC 6298 §2.4
    if (tlp) {
      assertThat(gaps.get(0) - rto).as("PTO (ns)").isBetween(2 * MS, 3 * RTT);
      // one probe per tail (here the 48 bytes Nagle held back, sent whatever Nagle says)
      assertThat(net.events).filteredOn(e -> e.startsWith("TLP")).hasSize(1);
    } else {
      assertThat(net.events).noneMatch(e -> e.startsWith("TLP"));
    }
    // RFC 6298 §5.5: the RTO doubles on each expiry: 1x, 2x, 4x ...
    assertThat(gaps.get(1)).as("second gap").isEqualTo(2 * rto);
    assertThat(gaps.get(2)).as("third gap").isEqualTo(4 * rto);
    for (int i = tlp ? 2 : 1; i < gaps.size(); i++) {
      // RFC 6298 §5.5 and §2.5: ... up to the maximum RTO
      assertThat(gaps.get(i)).as("gap %d", i)
          .isEqualTo(Math.min(2 * gaps.get(i - 1), p.rtoMaxNanos()));
    }
    long lastWait = Math.min(2 * gaps.get(gaps.size() - 1), p.rtoMaxNanos());
    assertThat(pair.client().state()).isEqualTo(TcpState.CLOSED);
    assertThat(pair.client().end()).isEqualTo(ConnectionEnd.TIMED_OUT);
    assertThat(ends.at(CLIENT_ADDR)).as("when the client gave up (ns)")
        .isEqualTo(at.get(at.size() - 1) + lastWait);
    // RFC 9293 §3.10.8 / RFC 1122 §4.2.3.5: the application learns of the timeout
    assertThat(errorOf(() -> pair.client().read(new byte[10]))).isEqualTo(SocketError.ETIMEDOUT);
  }

  @EachProfile
  void unansweredSynsBackOffThenConnectTimesOut(Profile p) {
    TwoStacks net = new TwoStacks(p);
    Transfer.EndWatch ends = Transfer.EndWatch.attach(net);
    net.server.listen(80, 16);
    net.link.setFault(Transfer.dropFrom(CLIENT_ADDR, (seg, i) -> seg.isSyn()));
    TcpSocket c = net.client.connect(SERVER_ADDR, 80);

    net.settle(3_600 * SECOND);

    List<Long> at = Transfer.from(net, CLIENT_ADDR).stream().filter(e -> e.segment().isSyn())
        .map(WireEvent::atNanos).toList();
    // RFC 9293 §3.8.3: the SYN is retried synRetries times, then the open fails
    assertThat(at).as("SYN transmissions").hasSize(1 + p.synRetries());
    for (int i = 1; i < at.size(); i++) {
      // RFC 6298 §2.1 and §5.5: 1 s, then doubling: 1 s, 2 s, 4 s ... up to the maximum RTO
      assertThat(at.get(i) - at.get(i - 1)).as("gap before SYN retransmission %d", i)
          .isEqualTo(Math.min(p.rtoInitialNanos() << (i - 1), p.rtoMaxNanos()));
    }
    assertThat(c.state()).isEqualTo(TcpState.CLOSED);
    assertThat(c.end()).isEqualTo(ConnectionEnd.TIMED_OUT);
    assertThat(ends.at(CLIENT_ADDR)).as("when connect gave up (ns)")
        .isEqualTo(at.get(at.size() - 1)
            + Math.min(p.rtoInitialNanos() << p.synRetries(), p.rtoMaxNanos()));
    // RFC 1122 §4.2.3.5: an open is retried for at least 3 minutes before it fails (textbook
    // profile; Linux's 5 retries as packetdrill sets them give up after 63 s)
    if (p == Profile.RFC9293) {
      assertThat(ends.at(CLIENT_ADDR) - at.get(0)).isGreaterThanOrEqualTo(180 * SECOND);
    }
    assertThat(errorOf(() -> c.read(new byte[10]))).isEqualTo(SocketError.ETIMEDOUT);
  }

  // -----------------------------------------------------------------------------------------------
  // Helpers

  /**
   * The sequence numbers of the first burst of at least {@code size} new data segments the client sends
   * at one instant in a loss-free run of the scenario (runs are deterministic, so a lossy run sends the
   * same burst up to the first loss).
   */
  static List<Integer> firstBurstOfAtLeast(Profile p, byte[] payload, int size) {
    TwoStacks net = new TwoStacks(p);
    Transfer t = Transfer.start(net, payload);
    if (!t.runToCompletion(LIMIT)) throw new AssertionError("clean run failed\n" + t.diagnosis());
    List<Integer> burst = new ArrayList<>();
    long burstAt = -1;
    for (WireEvent e : Transfer.from(net, CLIENT_ADDR)) {
      if (e.segment().payloadLength() == 0) continue;
      if (e.atNanos() != burstAt) {
        if (burst.size() >= size) return burst;
        burst = new ArrayList<>();
        burstAt = e.atNanos();
      }
      burst.add(e.segment().seq());
    }
    if (burst.size() >= size) return burst;
    throw new AssertionError("no burst of " + size + " segments in a clean run");
  }

  /**
   * The scenario on {@code net} with the first transmission of each client data segment starting at one
   * of {@code seqs} lost: it still delivers {@code payload} exactly and closes gracefully.
   */
  static void assertCompletesLosingFirstTransmissionOf(TwoStacks net, byte[] payload, Set<Integer> seqs) {
    net.link.setFault(dropFirstTransmissionOf(seqs));
    Transfer.start(net, payload).assertCompletesExactlyAndClosesGracefully(LIMIT);
  }

  /** Drops the first transmission of each client data segment starting at one of {@code seqs}. */
  static InMemoryLink.Fault dropFirstTransmissionOf(Set<Integer> seqs) {
    Set<Integer> seen = new HashSet<>();
    return (s, d, seg, i) ->
        s.equals(CLIENT_ADDR) && seg.payloadLength() > 0 && seqs.contains(seg.seq()) && seen.add(seg.seq())
            ? Decision.DROP
            : Decision.DELIVER;
  }

  /** Start sequence numbers of client data segments sent more than once. */
  static List<Integer> retransmittedSeqs(TwoStacks net) {
    Map<Integer, Integer> count = new HashMap<>();
    List<Integer> order = new ArrayList<>();
    for (Segment s : net.clientSent()) {
      if (s.payloadLength() == 0) continue;
      if (count.merge(s.seq(), 1, Integer::sum) == 2) order.add(s.seq());
    }
    return order;
  }

  /** What the client stack sent and received, in the order it happened. */
  static final class ClientLog implements TcpObserver {
    record Entry(boolean sent, Segment segment) {}

    final List<Entry> entries = new ArrayList<>();

    static ClientLog attach(TwoStacks net) {
      ClientLog l = new ClientLog();
      net.client.addObserver(l);
      return l;
    }

    @Override
    public void segmentSent(InetAddress src, InetAddress dst, Segment segment) {
      entries.add(new Entry(true, segment));
    }

    @Override
    public void segmentReceived(InetAddress src, InetAddress dst, Segment segment) {
      entries.add(new Entry(false, segment));
    }

    /**
     * RFC 5681 §2 duplicate ACKs for {@code seq} (pure ACKs that do not move SND.UNA) that reached the
     * client between the first and the second transmission of the segment at {@code seq}; -1 when it
     * was never resent.
     */
    int duplicateAcksBeforeRetransmissionOf(int seq) {
      int sends = 0;
      int dups = 0;
      boolean haveAck = false;
      int highestAck = 0;
      for (Entry e : entries) {
        Segment s = e.segment();
        if (e.sent()) {
          if (s.seq() == seq && s.payloadLength() > 0 && ++sends == 2) return dups;
          continue;
        }
        if (!s.isAck()) continue;
        if (sends == 1 && haveAck && s.ack() == seq && highestAck == seq && s.payloadLength() == 0
            && !s.isSyn() && !s.isFin()) {
          dups++;
        }
        highestAck = haveAck ? SeqNum.max(highestAck, s.ack()) : s.ack();
        haveAck = true;
      }
      return -1;
    }
  }
}
