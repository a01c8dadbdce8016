package dev.tcplab.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcplab.core.tcp.ConnectionEnd;
import dev.tcplab.core.tcp.Profile;
import dev.tcplab.core.tcp.SocketError;
import dev.tcplab.core.tcp.TcpStack;
import dev.tcplab.core.wire.Segment;
import dev.tcplab.core.wire.SeqNum;
import dev.tcplab.core.wire.TcpFlags;
import dev.tcplab.sim.Middlebox.Action;
import dev.tcplab.sim.Middlebox.Match;
import dev.tcplab.sim.app.CloseMode;
import dev.tcplab.sim.app.Transfer;
import dev.tcplab.sim.trace.TraceEvent;
import dev.tcplab.sim.trace.TraceEvent.Kind;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Middlebox rules (drop, delay, rewrite; uses) and forged injections, one scenario each. */
class MiddleboxTest {
  private static final long MS = 1_000_000L;
  private static final long S = 1_000_000_000L;
  private static final LinkConfig LINK = LinkConfig.builder().delay(10 * MS).bandwidth(0).build();

  @Test
  void droppingTheThirdDataSegmentFromTheClientCostsOneRetransmission() {
    // Rule: Match.from(client).and(dataSegment(3)) + Drop loses exactly that segment.
    Transfer t = transfer(1, 50_000);
    Network net = t.network();
    Host client = net.host(Topology.CLIENT);
    up(net).middlebox().drop("drop 3rd data", Match.from(client.address()).and(Match.dataSegment(3)));

    Transfer.Result r = t.run(net);

    List<TraceEvent> drops = find(r, e -> e.kind() == Kind.DROPPED);
    assertThat(drops).singleElement()
        .satisfies(d -> assertThat(d.text()).isEqualTo("middlebox: drop 3rd data"));
    List<TraceEvent> data = find(r, e -> is(e, Kind.SENT, "client") && e.segment().payloadLength() > 0);
    TraceEvent third = data.get(2);
    assertThat(drops.get(0).packet()).isEqualTo(third.packet());
    // The same bytes go out again later, and that copy arrives.
    TraceEvent again = data.stream()
        .filter(e -> e.packet() > third.packet() && e.segment().seq() == third.segment().seq())
        .findFirst().orElseThrow(() -> new AssertionError("the dropped segment was not resent"));
    assertThat(find(r, e -> is(e, Kind.RECEIVED, "server") && e.packet() == again.packet()))
        .hasSize(1);
    assertCompletedIntact(r);
  }

  @Test
  void aDelayedSegmentArrivesLaterAndIsOvertaken() {
    // Rule: Delay holds the matching segment `nanos` longer than the link would; a REWRITTEN event says so.
    Transfer t = transfer(2, 50_000);
    Network net = t.network();
    up(net).middlebox().rule("hold 2nd data", Match.dataSegment(2), new Action.Delay(30 * MS));

    Transfer.Result r = t.run(net);

    TraceEvent held = find(r, e -> e.kind() == Kind.REWRITTEN).get(0);
    assertThat(held.text()).isEqualTo("middlebox: hold 2nd data, held 30000 us");
    List<TraceEvent> data = find(r, e -> is(e, Kind.SENT, "client") && e.segment().payloadLength() > 0);
    TraceEvent second = data.get(1);
    assertThat(held.packet()).isEqualTo(second.packet());
    TraceEvent arrived = receipt(r, second);
    assertThat(arrived.timeNanos() - second.timeNanos()).isEqualTo(10 * MS + 30 * MS);
    TraceEvent third = data.get(2);
    assertThat(receipt(r, third).timeNanos()).isLessThan(arrived.timeNanos());
    assertCompletedIntact(r);
  }

  @Test
  void aRewrittenWindowReachesTheReceiverWithAValidChecksum() {
    // Rule: Rewrite replaces the segment and recomputes the checksum, so the receiver takes it.
    Transfer t = transfer(3, 50_000);
    Network net = t.network();
    up(net).middlebox().rule("window 1234", Match.packet(3),
        new Action.Rewrite(s -> s.toBuilder().window(1234).build()));

    Transfer.Result r = t.run(net);

    TraceEvent sent = find(r, e -> is(e, Kind.SENT, "client")).get(2);
    assertThat(sent.segment().window()).isNotEqualTo(1234);
    TraceEvent rewritten = find(r, e -> e.kind() == Kind.REWRITTEN).get(0);
    assertThat(rewritten.packet()).isEqualTo(sent.packet());
    assertThat(rewritten.text()).isEqualTo("middlebox: window 1234");
    TraceEvent arrived = receipt(r, sent);
    assertThat(arrived.segment().window()).isEqualTo(1234);
    assertThat(arrived.segment())
        .isEqualTo(sent.segment().toBuilder().window(1234).build());
    assertThat(find(r, e -> e.kind() == Kind.DISCARDED)).isEmpty();
    assertCompletedIntact(r);
  }

  @Test
  void aForgedRstAtRcvNxtResetsTheServerAndTheClientLearnsOfItLater() {
    // Rule: an RST whose SEQ equals RCV.NXT is acceptable (RFC 5961 §3.2): the connection is reset.
    Forged f = forgedRst(4, 0);

    Transfer.Result r = f.run();

    assertThat(find(r, e -> e.kind() == Kind.INJECTED)).singleElement();
    assertThat(r.serverEnd()).as(r.summary()).isEqualTo(ConnectionEnd.RESET_BY_PEER);
    TraceEvent reset = find(r, e -> is(e, Kind.ENDED, "server")).get(0);
    assertThat(reset.text()).endsWith("RESET_BY_PEER");
    assertThat(reset.timeNanos()).isEqualTo(f.at + 10 * MS);
    assertThat(find(r, e -> is(e, Kind.STACK, "server") && e.text().startsWith("challenge ACK")))
        .isEmpty();
    // The server application had read everything sent so far; the client's later FIN meets a
    // host without the connection, whose RST resets the client (ECONNRESET on its next read).
    assertThat(r.server().bytesRead()).isEqualTo(f.bytes);
    assertThat(r.server().sawEof()).isFalse();
    assertThat(r.clientEnd()).as(r.summary()).isEqualTo(ConnectionEnd.RESET_BY_PEER);
    assertThat(r.client().error()).as(r.summary()).isEqualTo(SocketError.ECONNRESET.name());
    assertThat(r.finished()).isTrue();
  }

  @Test
  void aForgedRstInsideTheWindowButNotAtRcvNxtDrawsAChallengeAck() {
    // Rule: RFC 5961 §3.2: an in-window RST with SEQ != RCV.NXT is answered by a challenge ACK and
    // otherwise ignored.
    Forged f = forgedRst(5, 1000);

    Transfer.Result r = f.run();

    TraceEvent injected = find(r, e -> e.kind() == Kind.INJECTED).get(0);
    TraceEvent arrived = receipt(r, injected);
    assertThat(find(r, e -> is(e, Kind.STACK, "server") && e.text().startsWith("challenge ACK")
        && e.timeNanos() == arrived.timeNanos())).hasSize(1);
    TraceEvent challenge = find(r, e -> is(e, Kind.SENT, "server")
        && e.timeNanos() == arrived.timeNanos()).get(0);
    assertThat(challenge.segment().flags()).isEqualTo(TcpFlags.ACK);
    assertThat(challenge.segment().ack()).isEqualTo(f.rcvNxt);
    assertThat(find(r, e -> e.kind() == Kind.ENDED && e.text().endsWith("RESET_BY_PEER"))).isEmpty();
    assertCompletedIntact(r);
  }

  @Test
  void droppingEveryFinOnceStillEndsBothSidesGracefully() {
    // Rule: flags(FIN).and(firstTime()) drops each FIN's first transmission; its retransmission passes.
    Transfer t = transfer(6, 30_000);
    Network net = t.network();
    for (Link l : net.links()) {
      l.middlebox().drop("drop FIN once", Match.flags(TcpFlags.FIN).and(Match.firstTime()));
    }

    Transfer.Result r = t.run(net);

    for (String host : List.of("client", "server")) {
      List<TraceEvent> fins = find(r, e -> is(e, Kind.SENT, host) && e.segment().isFin());
      List<TraceEvent> dropped = find(r, e -> e.kind() == Kind.DROPPED
          && e.segment().isFin() && e.src().equals(fins.get(0).src()));
      assertThat(dropped).as("%s's FINs dropped", host).singleElement()
          .satisfies(d -> assertThat(d.text()).isEqualTo("middlebox: drop FIN once"))
          .satisfies(d -> assertThat(d.packet()).isEqualTo(fins.get(0).packet()));
      assertThat(fins).as("%s's FIN is sent again", host).hasSizeGreaterThanOrEqualTo(2);
      assertThat(fins.get(1).segment().seqEnd()).isEqualTo(fins.get(0).segment().seqEnd());
      assertThat(receipt(r, fins.get(1))).isNotNull();
    }
    assertCompletedIntact(r);
  }

  @Test
  void aRuleWithTwoUsesActsExactlyTwice() {
    // Rule: a rule limited to n uses acts on the first n matching packets only.
    Transfer t = transfer(7, 30_000);
    Network net = t.network();
    up(net).middlebox().rule("twice", Match.any(), new Action.Drop(), 2);

    Transfer.Result r = t.run(net);

    List<TraceEvent> drops = find(r, e -> e.kind() == Kind.DROPPED);
    assertThat(drops).hasSize(2)
        .allSatisfy(d -> assertThat(d.text()).isEqualTo("middlebox: twice"))
        .allSatisfy(d -> assertThat(d.segment().isSyn()).isTrue());
    // The client's first two SYNs are lost, the third gets through (after 1 s and 2 s of RTO).
    List<TraceEvent> syns = find(r, e -> is(e, Kind.SENT, "client") && e.segment().isSyn());
    assertThat(syns).hasSize(3);
    assertThat(syns.get(2).timeNanos()).isEqualTo(3 * S);
    assertThat(receipt(r, syns.get(2))).isNotNull();
    assertCompletedIntact(r);
  }

  // ---------------------------------------------------------------------------------------------
  // Forged RSTs

  /** A transfer with a forged RST from the client to the server, injected at {@code at}. */
  private record Forged(Transfer transfer, int bytes, long at, int rcvNxt, Segment rst) {
    Transfer.Result run() {
      Network net = transfer.network();
      Host c = net.host(Topology.CLIENT);
      Host s = net.host(Topology.SERVER);
      up(net).middlebox().inject(at, c.address(), s.address(), rst);
      return transfer.run(net);
    }
  }

  /**
   * The client sends 20 kB and stays open; at 1 s the connection is idle and a RST "from the client"
   * with SEQ = the server's RCV.NXT + {@code offset} is forged; at 2 s the client shuts down its
   * side. Ports and ISNs come from a first run with the same seed: runs are deterministic, and the
   * injection changes nothing before it happens.
   */
  private static Forged forgedRst(long seed, int offset) {
    int bytes = 20_000;
    long at = 1 * S;
    Transfer t = new Transfer(seed, LINK, Profile.LINUX, TcpStack.CongestionAlgorithm.NEWRENO, bytes,
        CloseMode.SHUTDOWN, 2 * S, CloseMode.CLOSE, -1, true, 0, 600 * S);
    Transfer.Result dry = t.run();
    assertCompletedIntact(dry);
    TraceEvent syn = find(dry, e -> is(e, Kind.SENT, "client") && e.segment().isSyn()).get(0);
    List<TraceEvent> serverAcks =
        find(dry, e -> is(e, Kind.SENT, "server") && e.timeNanos() < at && e.segment().isAck());
    int rcvNxt = serverAcks.get(serverAcks.size() - 1).segment().ack();
    assertThat(SeqNum.unsigned(rcvNxt))
        .as("RCV.NXT = ISN + 1 + bytes").isEqualTo(SeqNum.unsigned(syn.segment().seq() + 1 + bytes));
    Segment rst = Segment.builder()
        .srcPort(syn.segment().srcPort())
        .dstPort(Transfer.PORT)
        .seq(rcvNxt + offset)
        .flags(TcpFlags.RST)
        .build();
    return new Forged(t, bytes, at, rcvNxt, rst);
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private static Transfer transfer(long seed, int bytes) {
    return new Transfer(seed, LINK, Profile.LINUX, TcpStack.CongestionAlgorithm.NEWRENO, bytes,
        CloseMode.CLOSE, -1, CloseMode.CLOSE, -1, true, 0, 600 * S);
  }

  private static Link up(Network net) {
    return net.links().stream().filter(l -> l.name().equals("client->server")).findFirst()
        .orElseThrow();
  }

  private static void assertCompletedIntact(Transfer.Result r) {
    assertThat(r.finished()).as(r.summary()).isTrue();
    assertThat(r.deliveredIntact()).as(r.summary()).isTrue();
    assertThat(r.clientEnd()).as(r.summary()).isEqualTo(ConnectionEnd.CLOSED_GRACEFULLY);
    assertThat(r.serverEnd()).as(r.summary()).isEqualTo(ConnectionEnd.CLOSED_GRACEFULLY);
  }

  private static boolean is(TraceEvent e, Kind kind, String host) {
    return e.kind() == kind && e.host().equals(host);
  }

  private static List<TraceEvent> find(Transfer.Result r, Predicate<TraceEvent> p) {
    return r.network().trace().events().stream().filter(p).collect(Collectors.toList());
  }

  /** The RECEIVED event of the packet {@code sent} put on the link (exactly one). */
  private static TraceEvent receipt(Transfer.Result r, TraceEvent sent) {
    List<TraceEvent> l = find(r, e -> e.kind() == Kind.RECEIVED && e.packet() == sent.packet());
    assertThat(l).as("arrival of packet #%d", sent.packet()).hasSize(1);
    return l.get(0);
  }
}
