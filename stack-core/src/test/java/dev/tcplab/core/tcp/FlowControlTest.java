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
import dev.tcplab.core.wire.TcpFlags;
import dev.tcplab.core.wire.TcpOption;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Flow control and the receiver's and sender's small-segment rules: the advertised window and zero
 * window probing (RFC 9293 §3.8.6), window scaling and timestamps (RFC 7323), SACK blocks (RFC 2018),
 * Nagle (RFC 9293 §3.7.4), delayed ACKs (RFC 1122 §4.2.3.2, RFC 5681 §4.2), keepalive (RFC 1122
 * §4.2.3.6) and the user timeout (RFC 5482).
 */
class FlowControlTest {
  static final long ONE_WAY = 5 * MS;
  static final long RTT = 2 * ONE_WAY;
  static final int SMSS = 1460;

  /** A full segment's payload: the MSS less the timestamps option when it is on (RFC 6691). */
  static int fullPayload(Profile p) {
    return SMSS - (p.offerTimestamps() ? 12 : 0);
  }
  static final long LIMIT = 3_000 * SECOND;

  // -----------------------------------------------------------------------------------------------
  // Zero window and the persist timer

  static Stream<Arguments> smallReceiveBuffers() {
    return Stream.of(
        Arguments.of("rfc9293", 4 * SMSS),
        Arguments.of("linux", 4 * SMSS),
        Arguments.of("linux", 65_536));
  }

  @ParameterizedTest(name = "{0}, receive buffer {1}")
  @MethodSource("smallReceiveBuffers")
  void aFullReceiverIsProbedUntilItReadsAndThenTheTransferCompletes(String profile, int buffer) {
    Profile p = Profile.named(profile);
    TwoStacks net = withReceiveBuffer(p, buffer);
    WindowWatch watch = WindowWatch.attach(net);

    // The server application does not read for 20 minutes while the client has much more to send.
    Transfer t = serverNotReadingFor(20 * 60 * SECOND, net, TwoStacks.data(6 * buffer, 51));
    long readAt = net.clock.nanos();

    SoftAssertions soft = new SoftAssertions();
    // RFC 9293 §3.8.6: the sender never sends beyond the window the receiver offered
    soft.assertThat(watch.overruns.size()).as("client data beyond the advertised right edge, e.g. %s",
        WindowWatch.firstFew(watch.overruns)).isZero();
    // RFC 9293 §3.8.6: the receiver SHOULD NOT shrink the window (move its right edge left)
    soft.assertThat(watch.shrinks.size()).as("advertisements moving the right edge left, e.g. %s",
        WindowWatch.firstFew(watch.shrinks)).isZero();
    List<WireEvent> zeroWindow = Transfer.from(net, SERVER_ADDR).stream()
        .filter(e -> !e.segment().isSyn() && e.segment().window() == 0).toList();
    soft.assertThat(zeroWindow).as("server segments advertising window 0").isNotEmpty();
    if (!zeroWindow.isEmpty()) {
      long closedAt = zeroWindow.get(0).atNanos() + ONE_WAY; // when the client learned of it
      List<Long> probes = Transfer.from(net, CLIENT_ADDR).stream()
          .filter(e -> e.atNanos() > closedAt && e.atNanos() < readAt)
          .map(WireEvent::atNanos).toList();
      // RFC 9293 §3.8.6.1: the sender probes the zero window regularly ...
      soft.assertThat(probes).as("zero-window probes while the receiver was full").hasSizeGreaterThan(4);
      if (probes.size() > 4) {
        // ... the first one after a retransmission timeout (RFC 1122 §4.2.2.17) ...
        soft.assertThat(probes.get(0) - closedAt).as("first probe after the window closed (ns)")
            .isGreaterThanOrEqualTo(p.rtoMinNanos());
        for (int i = 2; i < 5; i++) {
          long gap = probes.get(i) - probes.get(i - 1);
          long before = probes.get(i - 1) - probes.get(i - 2);
          // ... with the interval increasing exponentially (RFC 1122 §4.2.2.17, SHOULD)
          soft.assertThat(gap).as("probe gap %d (previous %d ns)", i, before)
              .isEqualTo(Math.min(2 * before, p.persistMaxNanos()));
        }
      }
    }
    // RFC 1122 §4.2.2.17 / RFC 9293 §3.8.6.1: a connection is never dropped while probes are answered
    soft.assertThat(t.client.state()).as("client after 20 minutes of zero window")
        .isEqualTo(TcpState.ESTABLISHED);
    soft.assertThat(t.server.available()).as("bytes held for the server application").isPositive();
    soft.assertAll();

    // The application reads: a window update goes out at once and the transfer completes.
    int serverSegmentsBefore = net.serverSent().size();
    t.serverReads = true;
    t.assertCompletesExactlyAndClosesGracefully(LIMIT);
    WireEvent update = Transfer.from(net, SERVER_ADDR).get(serverSegmentsBefore);
    // RFC 9293 §3.8.6.2.2 / RFC 1122 §4.2.3.3: the window update is sent when the window opens
    assertThat(update.atNanos()).as("window update sent at the read").isEqualTo(readAt);
    assertThat(update.segment().window()).as("window update").isPositive();
  }

  @Test
  void aLostWindowUpdateIsRecoveredByTheNextZeroWindowProbe() {
    TwoStacks net = withReceiveBuffer(Profile.LINUX, 65_536);
    Transfer t = serverNotReadingFor(3 * SECOND, net, TwoStacks.data(200_000, 52));
    int update = net.serverSent().size(); // position of the server's next segment
    boolean[] dropped = {false};
    net.link.setFault(Transfer.dropFrom(SERVER_ADDR, (seg, i) -> !dropped[0] && (dropped[0] = true)));

    t.serverReads = true;
    // RFC 9293 §3.8.6.1: probing continues until the window opens, so a lost update cannot deadlock
    t.assertCompletesExactlyAndClosesGracefully(LIMIT);
    Segment lost = net.serverSent().get(update);
    assertThat(lost.window()).as("the dropped segment was the window update").isPositive();
  }

  @Test
  void aUsableWindowSmallerThanAnMssIsNotLeftUnused() {
    // 93440 bytes with window scale 8: the receiver's last usable window is a fraction of an MSS
    TwoStacks net = withReceiveBuffer(Profile.LINUX, 93_440);

    Transfer t = serverNotReadingFor(60 * SECOND, net, TwoStacks.data(400_000, 53));

    long una = Transfer.tcbField(t.client, "SND.UNA");
    long nxt = Transfer.tcbField(t.client, "SND.NXT");
    long wnd = Transfer.tcbField(t.client, "SND.WND");
    long usable = (una + wnd - nxt) & 0xffff_ffffL;
    // RFC 9293 §3.8.6.2.1 / RFC 1122 §4.2.3.4: after the override timeout the sender sends what the
    // window allows even if it is less than an MSS (Linux: tcp_write_wakeup from the probe timer);
    // otherwise the window never reaches 0 and is never probed
    assertThat(usable).as("usable send window left unused after 60 s (%s)", t.client.tcbSummary())
        .isZero();
  }

  // -----------------------------------------------------------------------------------------------
  // Window scaling and the advertised window

  @Test
  void linuxNegotiatesWindowScalingAndAdvertisesTheScaledFreeBuffer() {
    Profile p = Profile.LINUX;
    TwoStacks net = new TwoStacks(p);
    TwoStacks.Pair pair = net.connect();
    int shift = p.windowScaleFor(pair.server().receiveBufferSize());
    Segment syn = net.clientSent().get(0);
    Segment synAck = net.serverSent().get(0);
    // RFC 7323 §2.2: both SYNs carry the shift; the SYNs' own windows are never scaled
    assertThat(syn.windowScale()).as("SYN wscale").isEqualTo(shift);
    assertThat(synAck.windowScale()).as("SYN-ACK wscale").isEqualTo(shift);
    assertThat(shift).isEqualTo(8);
    assertThat(synAck.window()).as("SYN-ACK window (unscaled)").isEqualTo(44 * SMSS);

    // The client sends 10 000 bytes that the server application reads at once.
    byte[] payload = TwoStacks.data(10_000, 54);
    pair.client().write(payload);
    net.run(100 * MS);
    Transfer.assertSameBytes(TwoStacks.drain(pair.server()), payload);
    // Reading a little does not call for a window update (Linux tcp_cleanup_rbuf): the next ACK,
    // for a few more bytes, carries the window of the now empty buffer.
    pair.client().write(TwoStacks.data(100, 55));
    net.run(100 * MS);

    Segment last = net.serverSent().get(net.serverSent().size() - 1);
    long free = pair.server().receiveBufferSize() - pair.server().available();
    // RFC 7323 §2.3: SEG.WND = RCV.WND >> Rcv.Wind.Shift, RCV.WND being the free buffer
    assertThat(last.window()).as("window field of %s", last).isEqualTo((int) (free >> shift));
    // RFC 7323 §2.3: the sender shifts the field back: a window larger than 64 KiB
    assertThat(Transfer.tcbField(pair.client(), "SND.WND"))
        .isEqualTo((long) last.window() << shift).isGreaterThan(0xffff);
  }

  @Test
  void withoutReadingTheAdvertisedWindowTracksTheFreeBuffer() {
    Profile p = Profile.LINUX;
    TwoStacks net = new TwoStacks(p);
    TwoStacks.Pair pair = net.connect();
    int shift = net.serverSent().get(0).windowScale();
    int firstByte = net.clientSent().get(0).seq() + 1;
    int buffer = pair.server().receiveBufferSize();
    pair.client().write(TwoStacks.data(100_000, 55)); // the server application does not read
    net.run(SECOND);

    SoftAssertions soft = new SoftAssertions();
    for (Segment s : net.serverSent().subList(1, net.serverSent().size())) {
      long held = Integer.toUnsignedLong(s.ack() - firstByte); // received in order, not read
      long free = buffer - held;
      long advertised = (long) s.window() << shift;
      // RFC 7323 §2.3 with RFC 9293 §3.8.6.2.2: the window is the free buffer, held back by less than
      // an MSS by receiver SWS avoidance and by less than 2^shift by scaling - never more than free
      // space plus one scaling unit
      soft.assertThat(free - advertised).as("free %d - advertised %d in %s", free, advertised, s)
          .isGreaterThan(-(1L << shift)).isLessThan(SMSS + (1L << shift));
    }
    soft.assertAll();
  }

  static Stream<Arguments> rightEdgeCases() {
    return Stream.of(
        Arguments.of("linux", 540_000),
        Arguments.of("linux", 4 * SMSS),
        Arguments.of("rfc9293", 4 * SMSS));
  }

  @ParameterizedTest(name = "{0}, receive buffer {1}")
  @MethodSource("rightEdgeCases")
  void theAdvertisedRightEdgeNeverMovesLeft(String profile, int buffer) {
    TwoStacks net = withReceiveBuffer(Profile.named(profile), buffer);
    WindowWatch watch = WindowWatch.attach(net);

    serverNotReadingFor(5 * SECOND, net, TwoStacks.data(3 * buffer, 56));

    // RFC 9293 §3.8.6: the receiver SHOULD NOT shrink the window; with window scaling the field is
    // rounded down, so the edge may retract, but by less than one scale unit (RFC 7323 §2.4)
    SoftAssertions soft = new SoftAssertions();
    soft.assertThat(watch.shrinks.size()).as("advertisements moving the right edge left by a whole "
        + "scale unit or more, e.g. %s", WindowWatch.firstFew(watch.shrinks)).isZero();
    // RFC 9293 §3.8.6: data the sender put inside an offered window is accepted, never timed out
    soft.assertThat(net.events).as("events").noneMatch(e -> e.startsWith("RTO"));
    soft.assertAll();
  }

  @Test
  void theTextbookProfileSendsOnlyTheMssOption() {
    TwoStacks net = new TwoStacks(Profile.RFC9293);
    TwoStacks.Pair pair = net.connect();
    pair.client().write(TwoStacks.data(5_000, 57));
    net.run(SECOND);

    Segment syn = net.clientSent().get(0);
    Segment synAck = net.serverSent().get(0);
    // RFC 9293 §3.7.1: the MSS option in the SYN; no RFC 7323 / RFC 2018 options offered
    assertThat(syn.options()).containsExactly(new TcpOption.Mss(SMSS));
    assertThat(syn.toString()).endsWith("<mss 1460>");
    assertThat(synAck.options()).containsExactly(new TcpOption.Mss(SMSS));
    List<Segment> rest = new ArrayList<>(net.clientSent().subList(1, net.clientSent().size()));
    rest.addAll(net.serverSent().subList(1, net.serverSent().size()));
    // RFC 7323 §1.3 / RFC 2018 §2: not negotiated, so never sent
    assertThat(rest).allMatch(s -> s.options().isEmpty());
    // RFC 9293 §3.1: an unscaled 16-bit window: the whole free buffer up to 65535
    assertThat(net.serverSent()).allMatch(s -> s.window() == 65_535);
  }

  // -----------------------------------------------------------------------------------------------
  // Nagle

  @Test
  void nagleCoalescesSmallWritesWhileDataIsInFlight() {
    TwoStacks net = new TwoStacks();
    TwoStacks.Pair pair = net.connect();
    int before = net.clientSent().size();
    byte[] all = TwoStacks.data(100, 58);
    for (int i = 0; i < 10; i++) {
      pair.client().write(all, 10 * i, 10);
      net.run(MS); // all ten writes within one RTT
    }
    net.run(200 * MS);

    List<Segment> data = dataSegments(net.clientSent().subList(before, net.clientSent().size()));
    // RFC 9293 §3.7.4 / RFC 1122 §4.2.3.4: one small segment may be unacknowledged; later small writes
    // wait for its ACK and leave together
    assertThat(data).as("segments for 10 writes of 10 bytes").hasSizeLessThan(10);
    assertThat(data).extracting(Segment::payloadLength).containsExactly(10, 90);
    Transfer.assertSameBytes(TwoStacks.drain(pair.server()), all);
  }

  @Test
  void noDelaySendsEachWriteAtOnce() {
    TwoStacks net = new TwoStacks();
    TwoStacks.Pair pair = net.connect();
    pair.client().setNoDelay(true);
    int before = net.clientSent().size();
    byte[] all = TwoStacks.data(100, 59);
    List<Long> writtenAt = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      writtenAt.add(net.clock.nanos());
      pair.client().write(all, 10 * i, 10);
      net.run(MS);
    }
    net.run(200 * MS);

    List<WireEvent> data = Transfer.from(net, CLIENT_ADDR).subList(before, net.clientSent().size())
        .stream().filter(e -> e.segment().payloadLength() > 0).toList();
    // TCP_NODELAY disables the Nagle algorithm (RFC 1122 §4.2.3.4: "a TCP SHOULD ... allow disabling")
    assertThat(data).extracting(e -> e.segment().payloadLength()).containsOnly(10).hasSize(10);
    assertThat(data).extracting(WireEvent::atNanos).containsExactlyElementsOf(writtenAt);
    Transfer.assertSameBytes(TwoStacks.drain(pair.server()), all);
  }

  // -----------------------------------------------------------------------------------------------
  // Delayed ACKs

  @EachProfile
  void delayedAcksAfterQuickAckModeAndEverySecondFullSegment(Profile p) {
    TwoStacks net = new TwoStacks(p);
    TwoStacks.Pair pair = net.connect();
    pair.client().setNoDelay(true);
    int before = net.clientSent().size();
    int small = p.quickAckSegments() + 1;
    for (int i = 0; i < small; i++) {
      pair.client().write(TwoStacks.data(10, i));
      net.run(600 * MS); // longer than any delayed-ACK timer: each segment stands alone
    }
    int full = fullPayload(p);
    pair.client().write(TwoStacks.data(2 * full, 60)); // two full-sized segments at once
    net.run(600 * MS);

    List<WireEvent> data = Transfer.from(net, CLIENT_ADDR).subList(before, net.clientSent().size())
        .stream().filter(e -> e.segment().payloadLength() > 0).toList();
    assertThat(data).hasSize(small + 2);
    SoftAssertions soft = new SoftAssertions();
    for (int i = 0; i < small - 1; i++) {
      // Linux quick-ACK mode: the first segments of a connection are ACKed at once
      soft.assertThat(ackDelay(net, data.get(i))).as("ACK delay of small segment %d", i + 1).isZero();
    }
    // RFC 1122 §4.2.3.2 / RFC 5681 §4.2: a lone segment is ACKed after the delayed-ACK timeout (< 500 ms)
    soft.assertThat(ackDelay(net, data.get(small - 1))).as("ACK delay of small segment %d", small)
        .isEqualTo(p.delayedAckNanos());
    // RFC 5681 §4.2: an ACK for at least every second full-sized segment, at once
    WireEvent second = data.get(small + 1);
    soft.assertThat(second.segment().payloadLength()).isEqualTo(full);
    soft.assertThat(ackDelay(net, second)).as("ACK delay of the second full-sized segment").isZero();
    soft.assertThat(firstAckCovering(net, data.get(small)).segment().ack())
        .as("the first ACK after the pair covers both")
        .isEqualTo(second.segment().seq() + full);
    soft.assertAll();
  }

  // -----------------------------------------------------------------------------------------------
  // Keepalive and the user timeout

  @EachProfile
  void keepaliveProbesAnIdleConnectionAndTheAnswerKeepsItOpen(Profile p) {
    TwoStacks net = new TwoStacks(p);
    TwoStacks.Pair pair = net.connect();
    long heardAt = lastSentBy(net, SERVER_ADDR).atNanos() + ONE_WAY;
    Segment handshakeAck = net.clientSent().get(1);
    int before = net.clientSent().size();
    pair.client().setKeepAlive(true);

    net.run(p.keepaliveIdleNanos() + 10 * SECOND);

    List<WireEvent> probes = Transfer.from(net, CLIENT_ADDR).subList(before, net.clientSent().size());
    // RFC 1122 §4.2.3.6: after the idle interval (>= 2 h) one probe, SEG.SEQ = SND.NXT - 1, no data
    assertThat(probes).hasSize(1);
    assertThat(probes.get(0).atNanos()).isEqualTo(heardAt + p.keepaliveIdleNanos());
    assertThat(probes.get(0).segment().seq()).isEqualTo(handshakeAck.seq() - 1);
    assertThat(probes.get(0).segment().payloadLength()).isLessThanOrEqualTo(1);
    WireEvent answer = lastSentBy(net, SERVER_ADDR);
    assertThat(answer.atNanos()).as("the server answers the probe").isGreaterThan(probes.get(0).atNanos());
    assertThat(pair.client().state()).isEqualTo(TcpState.ESTABLISHED);

    // The answer restarts the idle clock: the next probe comes a full idle interval later.
    net.run(p.keepaliveIdleNanos());
    List<WireEvent> later = Transfer.from(net, CLIENT_ADDR).subList(before, net.clientSent().size());
    assertThat(later).hasSize(2);
    assertThat(later.get(1).atNanos()).isEqualTo(answer.atNanos() + ONE_WAY + p.keepaliveIdleNanos());
  }

  @EachProfile
  void keepaliveGivesUpOnAPeerThatVanished(Profile p) {
    TwoStacks net = new TwoStacks(p);
    Transfer.EndWatch ends = Transfer.EndWatch.attach(net);
    TwoStacks.Pair pair = net.connect();
    long heardAt = lastSentBy(net, SERVER_ADDR).atNanos() + ONE_WAY;
    int before = net.clientSent().size();
    net.link.setFault((s, d, seg, i) -> Decision.DROP); // the peer is gone
    pair.client().setKeepAlive(true);

    net.run(p.keepaliveIdleNanos() + (p.keepaliveProbes() + 5) * p.keepaliveIntervalNanos());

    List<Long> probes = Transfer.from(net, CLIENT_ADDR).subList(before, net.clientSent().size())
        .stream().map(WireEvent::atNanos).toList();
    // RFC 1122 §4.2.3.6: probes at the idle time, then every interval, keepaliveProbes of them
    assertThat(probes).hasSize(p.keepaliveProbes());
    for (int k = 0; k < probes.size(); k++) {
      assertThat(probes.get(k)).as("probe %d", k + 1)
          .isEqualTo(heardAt + p.keepaliveIdleNanos() + k * p.keepaliveIntervalNanos());
    }
    assertThat(pair.client().end()).isEqualTo(ConnectionEnd.TIMED_OUT);
    assertThat(ends.at(CLIENT_ADDR)).as("when keepalive gave up")
        .isEqualTo(heardAt + p.keepaliveIdleNanos() + p.keepaliveProbes() * p.keepaliveIntervalNanos());
    assertThat(errorOf(() -> pair.client().read(new byte[10]))).isEqualTo(SocketError.ETIMEDOUT);
  }

  @Test
  void theUserTimeoutEndsAConnectionWhoseDataStaysUnacknowledged() {
    TwoStacks net = new TwoStacks();
    Transfer.EndWatch ends = Transfer.EndWatch.attach(net);
    TwoStacks.Pair pair = net.connect();
    pair.client().setUserTimeout(5 * SECOND);
    net.link.setFault(Transfer.dropFrom(CLIENT_ADDR, (seg, i) -> true)); // the peer is unreachable
    long sentAt = net.clock.nanos();
    pair.client().write(TwoStacks.data(1_000, 61));

    net.run(60 * SECOND);

    // RFC 5482 §2 / RFC 9293 §3.8.3: data unacknowledged for the user timeout ends the connection
    assertThat(pair.client().end()).isEqualTo(ConnectionEnd.TIMED_OUT);
    assertThat(ends.at(CLIENT_ADDR) - sentAt).as("time from the first unacked send to the abort (ns)")
        .isBetween(5 * SECOND, 5 * SECOND + 50 * MS);
    assertThat(net.clientSent().stream().filter(s -> s.payloadLength() > 0).count())
        .as("transmissions before giving up").isGreaterThan(2);
    assertThat(errorOf(() -> pair.client().read(new byte[10]))).isEqualTo(SocketError.ETIMEDOUT);
  }

  // -----------------------------------------------------------------------------------------------
  // Timestamps, PAWS, SACK blocks

  @Test
  void everySegmentCarriesTimestampsAndEchoesThePeersTsval() {
    TwoStacks net = new TwoStacks(Profile.LINUX);
    Transfer t = Transfer.start(net, TwoStacks.data(50_000, 62));
    t.assertCompletesExactlyAndClosesGracefully(LIMIT);

    List<WireEvent> wire = net.link.log();
    Segment syn = wire.get(0).segment();
    Segment synAck = wire.get(1).segment();
    // RFC 7323 §3.2: the SYN-ACK echoes the SYN's TSval
    assertThat(synAck.timestamps().tsEcr()).isEqualTo(syn.timestamps().tsVal());
    SoftAssertions soft = new SoftAssertions();
    List<WireEvent> seen = new ArrayList<>();
    for (WireEvent e : wire) {
      Segment s = e.segment();
      if (s.isRst()) continue;
      TcpOption.Timestamps ts = s.timestamps();
      // RFC 7323 §3.2: once negotiated, TSopt MUST be sent in every non-RST segment
      soft.assertThat(ts).as("TS option in %s", s).isNotNull();
      if (ts == null) continue;
      InetAddress peer = e.src().equals(CLIENT_ADDR) ? SERVER_ADDR : CLIENT_ADDR;
      List<Integer> peerTsvals = seen.stream()
          .filter(x -> x.src().equals(peer) && x.atNanos() + ONE_WAY <= e.atNanos())
          .map(x -> x.segment().timestamps().tsVal()).toList();
      if (!(s.isSyn() && !s.isAck())) {
        // RFC 7323 §3.2/§4.3: TSecr is a TSval the peer sent and we received
        soft.assertThat(peerTsvals).as("TSecr of %s", s).contains(ts.tsEcr());
      }
      seen.stream().filter(x -> x.src().equals(e.src())).reduce((a, b) -> b).ifPresent(prev ->
          // RFC 7323 §5.4: TSval from a monotonic clock
          soft.assertThat(ts.tsVal() - prev.segment().timestamps().tsVal()).as("TSval step in %s", s)
              .isGreaterThanOrEqualTo(0));
      seen.add(e);
    }
    soft.assertAll();
  }

  @Test
  void pawsDropsASegmentWithAnOldTimestampAndAcknowledgesIt() {
    TwoStacks net = new TwoStacks(Profile.LINUX);
    TwoStacks.Pair pair = net.connect();
    pair.client().write(TwoStacks.data(1_000, 63));
    net.run(100 * MS);
    assertThat(TwoStacks.drain(pair.server())).hasSize(1_000);
    Segment last = net.clientSent().stream().filter(s -> s.payloadLength() > 0)
        .reduce((a, b) -> b).orElseThrow();
    int next = last.seq() + last.payloadLength();
    TcpOption.Timestamps recent = last.timestamps();
    byte[] extra = TwoStacks.data(100, 64);
    Segment old = last.toBuilder().seq(next).payload(extra)
        .options(TcpOption.Nop.INSTANCE, TcpOption.Nop.INSTANCE,
            new TcpOption.Timestamps(recent.tsVal() - 10_000, recent.tsEcr()))
        .build();
    int serverSegments = net.serverSent().size();

    net.link.send(CLIENT_ADDR, SERVER_ADDR, old); // a 10-second-old duplicate from the past
    net.run(100 * MS);

    // RFC 7323 §5.3 R1: TSval < TS.Recent: the segment is not acceptable; send an ACK and drop it
    assertThat(pair.server().available()).as("bytes delivered from the old segment").isZero();
    assertThat(net.events).contains("PAWS: old timestamp, segment dropped");
    List<Segment> answers = net.serverSent().subList(serverSegments, net.serverSent().size());
    assertThat(answers).as("the server's answer").hasSize(1);
    assertThat(answers.get(0).ack()).as("ACK of the answer (RCV.NXT unchanged)").isEqualTo(next);

    // The same bytes with a current timestamp are accepted.
    Segment fresh = old.toBuilder()
        .options(TcpOption.Nop.INSTANCE, TcpOption.Nop.INSTANCE,
            new TcpOption.Timestamps(recent.tsVal() + 1, recent.tsEcr()))
        .build();
    net.link.send(CLIENT_ADDR, SERVER_ADDR, fresh);
    net.run(100 * MS);
    Transfer.assertSameBytes(TwoStacks.drain(pair.server()), extra);
  }

  @Test
  void theReceiverReportsDataAboveAHoleInSackBlocks() {
    TwoStacks net = new TwoStacks(Profile.LINUX);
    TwoStacks.Pair pair = net.connect();
    int firstByte = net.clientSent().get(0).seq() + 1;
    int full = fullPayload(Profile.LINUX);
    int hole = firstByte + 4 * full; // the fifth of ten segments
    int holeEnd = hole + full;
    boolean[] dropped = {false};
    net.link.setFault(Transfer.dropFrom(CLIENT_ADDR,
        (seg, i) -> seg.seq() == hole && seg.payloadLength() > 0 && !dropped[0] && (dropped[0] = true)));
    byte[] payload = TwoStacks.data(10 * full, 65); // the initial window: ten segments in one flight
    pair.client().write(payload);

    net.run(SECOND);

    List<Segment> dupAcks = net.serverSent().stream()
        .filter(s -> s.ack() == hole && !s.isSyn()).skip(1).toList(); // skip the ACK up to the hole
    // RFC 2018 §4: each ACK for data above the hole reports it; the first block holds the latest arrival
    assertThat(dupAcks).as("duplicate ACKs for the 5 segments above the hole").hasSize(5);
    for (int k = 0; k < dupAcks.size(); k++) {
      assertThat(dupAcks.get(k).sackBlocks()).as("SACK blocks of duplicate ACK %d", k + 1)
          .first().isEqualTo(new TcpOption.Block(holeEnd, holeEnd + (k + 1) * full));
    }
    Segment afterRepair = net.serverSent().get(net.serverSent().size() - 1);
    // RFC 2018 §4: once the hole is filled the ACK covers everything and no SACK blocks remain
    assertThat(afterRepair.ack()).isEqualTo(firstByte + payload.length);
    assertThat(afterRepair.sackBlocks()).isEmpty();
    Transfer.assertSameBytes(TwoStacks.drain(pair.server()), payload);
  }

  // -----------------------------------------------------------------------------------------------
  // Helpers

  /** Two stacks with {@code profile} and a receive buffer of {@code bytes}. */
  static TwoStacks withReceiveBuffer(Profile profile, int bytes) {
    return new TwoStacks(profile, ONE_WAY, b -> b.receiveBuffer(bytes));
  }

  /**
   * The transfer of {@code payload} on {@code net}, run for {@code nanos} with a server application that
   * does not read (it may start again by setting {@link Transfer#serverReads}).
   */
  static Transfer serverNotReadingFor(long nanos, TwoStacks net, byte[] payload) {
    Transfer t = Transfer.start(net, payload);
    t.serverReads = false;
    t.runUntil(() -> false, nanos);
    return t;
  }

  static List<Segment> dataSegments(List<Segment> segments) {
    return segments.stream().filter(s -> s.payloadLength() > 0).toList();
  }

  static WireEvent lastSentBy(TwoStacks net, InetAddress src) {
    List<WireEvent> l = Transfer.from(net, src);
    return l.get(l.size() - 1);
  }

  /** The first server segment sent after {@code data} whose ACK covers it. */
  static WireEvent firstAckCovering(TwoStacks net, WireEvent data) {
    int end = data.segment().seq() + data.segment().payloadLength();
    return Transfer.from(net, SERVER_ADDR).stream()
        .filter(e -> e.atNanos() >= data.atNanos() && e.segment().isAck()
            && SeqNum.geq(e.segment().ack(), end))
        .findFirst().orElseThrow(() -> new AssertionError("no ACK for " + data + "\n" + net.wire()));
  }

  /** How long after its arrival a client data segment was acknowledged. */
  static long ackDelay(TwoStacks net, WireEvent data) {
    return firstAckCovering(net, data).atNanos() - (data.atNanos() + ONE_WAY);
  }

  /**
   * Watches the server's advertised right edge (SEG.ACK + SEG.WND << shift): whether it ever moves left,
   * and whether the client ever sends data beyond the edge it has been told.
   */
  static final class WindowWatch {
    final List<String> shrinks = new ArrayList<>();
    final List<String> overruns = new ArrayList<>();
    private int shift;
    private boolean haveAdvertised;
    private int advertisedEdge;
    private boolean clientKnows;
    private int knownEdge;

    static WindowWatch attach(TwoStacks net) {
      WindowWatch w = new WindowWatch();
      net.server.addObserver(new TcpObserver() {
        @Override
        public void segmentSent(InetAddress src, InetAddress dst, Segment seg) {
          w.advertised(seg);
        }
      });
      net.client.addObserver(new TcpObserver() {
        @Override
        public void segmentReceived(InetAddress src, InetAddress dst, Segment seg) {
          w.learned(seg);
        }

        @Override
        public void segmentSent(InetAddress src, InetAddress dst, Segment seg) {
          w.clientSent(seg);
        }
      });
      return w;
    }

    static String firstFew(List<String> l) {
      return l.subList(0, Math.min(3, l.size())).toString();
    }

    private int edge(Segment seg) {
      // RFC 7323 §2.2: the window of a SYN is never scaled
      return seg.ack() + (int) (seg.isSyn() ? seg.window() : (long) seg.window() << shift);
    }

    void advertised(Segment seg) {
      if (!seg.isAck() || seg.isRst()) return;
      if (seg.isSyn()) shift = Math.max(0, seg.windowScale());
      int e = edge(seg);
      if (haveAdvertised && SeqNum.diff(advertisedEdge, e) >= (1 << shift)) {
        shrinks.add(seg + ": right edge " + SeqNum.unsigned(e) + " < earlier "
            + SeqNum.unsigned(advertisedEdge));
      }
      advertisedEdge = haveAdvertised ? SeqNum.max(advertisedEdge, e) : e;
      haveAdvertised = true;
    }

    void learned(Segment seg) {
      if (!seg.isAck() || seg.isRst()) return;
      int e = edge(seg);
      knownEdge = clientKnows ? SeqNum.max(knownEdge, e) : e;
      clientKnows = true;
    }

    void clientSent(Segment seg) {
      if (seg.payloadLength() == 0 || !clientKnows) return;
      if (SeqNum.gt(seg.seq() + seg.payloadLength(), knownEdge)) {
        overruns.add(seg + " beyond the right edge " + SeqNum.unsigned(knownEdge));
      }
    }
  }
}
