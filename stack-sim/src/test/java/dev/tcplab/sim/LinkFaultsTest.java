package dev.tcplab.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import com.google.common.net.InetAddresses;
import dev.tcplab.core.tcp.ConnectionEnd;
import dev.tcplab.core.tcp.Profile;
import dev.tcplab.core.tcp.TcpStack;
import dev.tcplab.core.wire.IpPacket;
import dev.tcplab.core.wire.IpPacketCodec;
import dev.tcplab.core.wire.MalformedPacketException;
import dev.tcplab.sim.app.CloseMode;
import dev.tcplab.sim.app.Transfer;
import dev.tcplab.sim.trace.TraceEvent;
import dev.tcplab.sim.trace.TraceEvent.Kind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * One scenario per link fault: each shows the fault where it happens (the trace) and what it does to a
 * transfer from client to server.
 */
class LinkFaultsTest {
  private static final long MS = 1_000_000L;
  private static final long S = 1_000_000_000L;
  private static final String UP = "client->server";
  private static final String DOWN = "server->client";

  // ---------------------------------------------------------------------------------------------
  // Delay, bandwidth, queue, MTU

  @Test
  void propagationDelayIsExactlyTheConfiguredDelay() {
    // Rule: a packet arrives `delay` after it was sent (no bandwidth limit, so no serialisation).
    LinkConfig link = LinkConfig.builder().delay(25 * MS).bandwidth(0).build();

    Transfer.Result r = transfer(1, link, 50_000).run();

    TraceEvent synSent = first(r, e -> is(e, Kind.SENT, "client") && e.segment().isSyn());
    TraceEvent synArrived = receiptOf(r, synSent);
    assertThat(synArrived.timeNanos() - synSent.timeNanos()).isEqualTo(25 * MS);
    // The handshake takes one round trip: the client is ESTABLISHED after exactly 2 × delay.
    TraceEvent established = first(r, e -> is(e, Kind.STATE, "client")
        && e.text().startsWith("SYN-SENT -> ESTABLISHED"));
    assertThat(established.timeNanos()).isEqualTo(50 * MS);
    assertCompletedIntact(r);
  }

  @Test
  void bandwidthSpacesBackToBackPacketsByTheirSerialisationTime() {
    // Rule: a 1500-byte packet takes 1500 × 8 / 10 Mbit/s = 1.2 ms on the wire, so a burst arrives
    // 1.2 ms apart.
    LinkConfig link = LinkConfig.builder().delay(10 * MS).bandwidth(10_000_000L).build();

    Transfer.Result r = transfer(2, link, 300_000).run();

    List<TraceEvent> firstBurst = new ArrayList<>();
    long burstTime = -1;
    for (TraceEvent e : r.network().trace().events(Kind.SENT)) {
      if (!e.host().equals("client") || e.segment().payloadLength() == 0) continue;
      if (burstTime < 0) burstTime = e.timeNanos();
      if (e.timeNanos() == burstTime) firstBurst.add(e);
    }
    assertThat(firstBurst).hasSizeGreaterThanOrEqualTo(5);
    List<Long> arrivals = new ArrayList<>();
    for (TraceEvent sent : firstBurst) {
      assertThat(ipLength(sent)).isEqualTo(1500);
      arrivals.add(receiptOf(r, sent).timeNanos());
    }
    for (int i = 1; i < arrivals.size(); i++) {
      assertThat(arrivals.get(i) - arrivals.get(i - 1)).as("gap before data packet %d", i + 1)
          .isEqualTo(1_200_000L);
    }
    // On the transfer: the goodput cannot beat the link (1448 payload bytes per 1500 on the wire).
    List<TraceEvent> dataIn = r.network().trace().events(Kind.RECEIVED).stream()
        .filter(e -> e.host().equals("server") && e.segment().payloadLength() > 0)
        .collect(Collectors.toList());
    long span = dataIn.get(dataIn.size() - 1).timeNanos() - dataIn.get(0).timeNanos();
    assertThat(span).isGreaterThanOrEqualTo((dataIn.size() - 1) * 1_200_000L);
    assertCompletedIntact(r);
  }

  @Test
  void aFullDropTailQueueDropsTheBurstTailAndTcpRecovers() {
    // Rule: a packet that finds `queue` packets waiting or being serialised is dropped (drop-tail).
    LinkConfig link =
        LinkConfig.builder().delay(10 * MS).bandwidth(10_000_000L).queue(4).build();

    Transfer.Result r = transfer(3, link, 200_000).run();

    List<TraceEvent> full = drops(r, UP, "queue full (4 packets)");
    assertThat(full).isNotEmpty();
    assertThat(full).allSatisfy(e -> assertThat(e.segment()).isNotNull());
    // Each dropped packet was sent by the client and never reached the server.
    for (TraceEvent d : full) {
      assertThat(find(r, e -> is(e, Kind.RECEIVED, "server") && e.packet() == d.packet())).isEmpty();
    }
    assertCompletedIntact(r);
  }

  @Test
  void packetsLargerThanTheMtuAreDroppedUntilTheMssFits() {
    // Rule: a packet larger than the link MTU is dropped (DF is always set); an MSS of MTU - 40 fits.
    LinkConfig link = LinkConfig.builder().delay(5 * MS).mtu(1000).build();
    Transfer tooBig = new Transfer(4, link, Profile.LINUX, TcpStack.CongestionAlgorithm.NEWRENO,
        20_000, CloseMode.CLOSE, -1, CloseMode.CLOSE, -1, true, 10 * S, 200 * S);

    Transfer.Result r = tooBig.run(twoHosts(4, link, 1460));

    List<TraceEvent> mtuDrops = drops(r, UP, "1500 bytes exceed the MTU of 1000");
    assertThat(mtuDrops).isNotEmpty();
    assertThat(r.server().bytesRead()).isZero();
    assertThat(r.clientEnd()).as(r.summary()).isEqualTo(ConnectionEnd.TIMED_OUT);
    assertThat(r.deliveredIntact()).isFalse();

    // MSS 960: 948 data bytes + 12 bytes of timestamps + 20 TCP + 20 IP = exactly 1000.
    Transfer.Result fits = tooBig.run(twoHosts(4, link, 960));

    assertThat(fits.network().trace().events(Kind.DROPPED)).isEmpty();
    assertThat(fits.network().trace().events(Kind.SENT).stream().mapToInt(LinkFaultsTest::ipLength)
        .max()).hasValue(1000);
    assertCompletedIntact(fits);
  }

  // ---------------------------------------------------------------------------------------------
  // Random loss

  @Test
  void bernoulliLossDropsTheConfiguredShareOfPackets() {
    // Rule: each packet is lost independently with probability p (here 5 %), seeded.
    double p = 0.05;
    LinkConfig link = LinkConfig.builder().delay(5 * MS).loss(new LossModel.Bernoulli(p)).build();

    Transfer.Result r = transfer(5, link, 2_000_000).run();

    int offered = r.network().trace().events(Kind.SENT).size();
    int lost = drops(r, UP, "random loss").size() + drops(r, DOWN, "random loss").size();
    assertThat(offered).isGreaterThan(2000);
    double tolerance = 4 * Math.sqrt(offered * p * (1 - p)); // four standard deviations
    assertThat((double) lost).as("%d of %d lost", lost, offered)
        .isCloseTo(offered * p, offset(tolerance));
    assertCompletedIntact(r);
  }

  @Test
  void gilbertElliottLossComesInBurstsWhereBernoulliAtTheSameRateDoesNot() {
    // Rule: the Gilbert-Elliott model loses packets in runs (mean burst > 1); independent loss at the
    // same average rate gives bursts of about 1/(1-p).
    LossModel.GilbertElliott ge = new LossModel.GilbertElliott(0.02, 0.25, 0.0, 0.75);
    double badShare = ge.goodToBad() / (ge.goodToBad() + ge.badToGood());
    double average = badShare * ge.lossBad() + (1 - badShare) * ge.lossGood(); // about 5.6 %
    LinkConfig bursty = LinkConfig.builder().delay(5 * MS).loss(ge).build();
    LinkConfig independent =
        LinkConfig.builder().delay(5 * MS).loss(new LossModel.Bernoulli(average)).build();

    Transfer.Result b = transfer(6, bursty, 1_500_000).run();
    Transfer.Result i = transfer(6, independent, 1_500_000).run();

    Bursts geBursts = bursts(b);
    Bursts bernoulliBursts = bursts(i);
    assertThat(geBursts.count()).isGreaterThan(20);
    assertThat(bernoulliBursts.count()).isGreaterThan(20);
    assertThat(geBursts.mean()).as("Gilbert-Elliott %s", geBursts).isGreaterThan(1.5);
    assertThat(bernoulliBursts.mean()).as("Bernoulli %s", bernoulliBursts).isLessThan(1.2);
    assertThat(geBursts.longest()).isGreaterThan(bernoulliBursts.longest());
    assertCompletedIntact(b);
    assertCompletedIntact(i);
  }

  // ---------------------------------------------------------------------------------------------
  // Duplication, reordering, corruption

  @Test
  void duplicatedPacketsArriveTwiceAndTheReceiverKeepsOneCopy() {
    // Rule: a duplicated packet arrives twice (a new packet number for the copy); TCP delivers its
    // bytes once.
    LinkConfig link = LinkConfig.builder().delay(5 * MS).duplication(0.10).build();

    Transfer.Result r = transfer(7, link, 300_000).run();

    List<TraceEvent> dups = r.network().trace().events(Kind.DUPLICATED);
    assertThat(dups).hasSizeGreaterThan(10);
    int dataTwice = 0;
    for (TraceEvent d : dups) {
      String to = d.host().equals(UP) ? "server" : "client";
      TraceEvent copy = first(r, e -> is(e, Kind.RECEIVED, to) && e.packet() == d.packet());
      long original = Long.parseLong(d.text().replace("copy of #", ""));
      TraceEvent orig = first(r, e -> is(e, Kind.RECEIVED, to) && e.packet() == original);
      assertThat(copy.segment()).isEqualTo(orig.segment());
      if (to.equals("server") && copy.segment().payloadLength() > 0) dataTwice++;
    }
    assertThat(dataTwice).as("data segments the server received twice").isPositive();
    assertCompletedIntact(r);
  }

  @Test
  void reorderedPacketsArriveAfterLaterOnesAndAreReassembled() {
    // Rule: a reordered packet is held back by the extra delay, so packets sent after it overtake it.
    LinkConfig link = LinkConfig.builder().delay(5 * MS).reordering(0.10, 3 * MS).build();

    Transfer.Result r = transfer(8, link, 300_000).run();

    List<TraceEvent> held = r.network().trace().events(Kind.REWRITTEN);
    assertThat(held).isNotEmpty();
    assertThat(held).allSatisfy(e -> assertThat(e.text()).isEqualTo("reordered: held 3000 us"));
    Map<Long, Long> arrival = new HashMap<>();
    for (TraceEvent e : r.network().trace().events(Kind.RECEIVED)) {
      if (e.host().equals("server")) arrival.put(e.packet(), e.timeNanos());
    }
    int overtaken = 0;
    for (TraceEvent h : held) {
      if (!h.host().equals(UP) || h.segment().payloadLength() == 0) continue;
      long late = arrival.get(h.packet());
      boolean passed = arrival.entrySet().stream()
          .anyMatch(a -> a.getKey() > h.packet() && a.getValue() < late);
      if (passed) overtaken++;
    }
    assertThat(overtaken).as("held data packets overtaken by later ones").isPositive();
    assertThat(find(r, e -> is(e, Kind.STACK, "server")
        && e.text().startsWith("out-of-order data held"))).isNotEmpty();
    assertCompletedIntact(r);
  }

  @Test
  void corruptedPacketsFailTheChecksumAndAreRetransmitted() {
    // Rule: a flipped bit is caught by the receiver's checksum (IPv4 header or TCP) and the packet is
    // discarded, never handed to the stack; retransmission repairs the transfer.
    LinkConfig link = LinkConfig.builder().delay(5 * MS).corruption(0.05).build();

    Transfer.Result r = transfer(9, link, 300_000).run();

    List<TraceEvent> corrupted = r.network().trace().events(Kind.CORRUPTED);
    assertThat(corrupted).hasSizeGreaterThan(10);
    for (TraceEvent c : corrupted) {
      String to = c.host().equals(UP) ? "server" : "client";
      TraceEvent discarded = first(r, e -> e.packet() == c.packet() && e.kind() == Kind.DISCARDED);
      assertThat(discarded.host()).isEqualTo(to);
      assertThat(discarded.timeNanos()).isGreaterThan(c.timeNanos());
      assertThat(find(r, e -> e.kind() == Kind.RECEIVED && e.packet() == c.packet())).isEmpty();
      int bit = Integer.parseInt(c.text().replaceAll("^bit (\\d+) flipped$", "$1"));
      if (bit >= 8) { // beyond the version and IHL nibbles every flip is a checksum failure
        assertThat(discarded.text()).as("bit %d", bit).containsIgnoringCase("checksum");
      }
    }
    assertCompletedIntact(r);
  }

  // ---------------------------------------------------------------------------------------------
  // Through a router

  @Test
  void aChainThroughARouterDecrementsTheTtlAndPacesAtTheBottleneck() {
    // Rule: a router forwards with TTL - 1 (RFC 791) and the slower right link sets the pace.
    LinkConfig left = LinkConfig.builder().delay(5 * MS).bandwidth(100_000_000L).build();
    LinkConfig right =
        LinkConfig.builder().delay(5 * MS).bandwidth(5_000_000L).queue(100).build();
    Transfer t = transfer(10, left, 300_000);

    Map<Boolean, Set<Integer>> atServer = new HashMap<>(); // sent by server? -> TTLs seen
    Network net = Topology.chain(10, left, right);
    Host server = net.host(Topology.SERVER);
    net.capture(server, (time, h, bytes) -> atServer
        .computeIfAbsent(isFrom(bytes, server), k -> new HashSet<>()).add(ttl(bytes)));
    Transfer.Result r = t.run(net);

    assertCompletedIntact(r);
    assertThat(atServer.get(true)).as("TTL of packets the server sends").containsExactly(64);
    assertThat(atServer.get(false)).as("TTL of the client's packets at the server")
        .containsExactly(63);
    assertThat(r.network().trace().events(Kind.DROPPED)).isEmpty();

    // The same run captured at the client: its own packets leave with 64, the server's arrive with 63.
    Map<Boolean, Set<Integer>> atClient = new HashMap<>();
    Network again = Topology.chain(10, left, right);
    Host client = again.host(Topology.CLIENT);
    again.capture(client, (time, h, bytes) -> atClient
        .computeIfAbsent(isFrom(bytes, client), k -> new HashSet<>()).add(ttl(bytes)));
    assertCompletedIntact(t.run(again));
    assertThat(atClient.get(true)).containsExactly(64);
    assertThat(atClient.get(false)).containsExactly(63);

    // Full-sized data packets queued at the router leave the 5 Mbit/s link 2.4 ms apart.
    List<Long> gaps = new ArrayList<>();
    TraceEvent previous = null;
    for (TraceEvent e : r.network().trace().events(Kind.RECEIVED)) {
      if (!e.host().equals("server") || e.segment().payloadLength() == 0) continue;
      if (previous != null) gaps.add(e.timeNanos() - previous.timeNanos());
      previous = e;
    }
    assertThat(gaps).allSatisfy(g -> assertThat(g).isGreaterThanOrEqualTo(2_400_000L));
    assertThat(gaps).contains(2_400_000L);
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private static Transfer transfer(long seed, LinkConfig link, int bytes) {
    return new Transfer(seed, link, Profile.LINUX, TcpStack.CongestionAlgorithm.NEWRENO, bytes,
        CloseMode.CLOSE, -1, CloseMode.CLOSE, -1, true, 0, 600 * S);
  }

  /** Like {@link Topology#twoHosts} but with both stacks announcing {@code mss}. */
  private static Network twoHosts(long seed, LinkConfig link, int mss) {
    Network net = new Network(seed);
    Host c = net.host(Topology.CLIENT, "10.0.0.1", b -> b.mss(mss));
    Host s = net.host(Topology.SERVER, "10.0.0.2", b -> b.mss(mss));
    net.connect(c, s, link);
    return net;
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

  private static TraceEvent first(Transfer.Result r, Predicate<TraceEvent> p) {
    List<TraceEvent> l = find(r, p);
    assertThat(l).as("a matching trace event").isNotEmpty();
    return l.get(0);
  }

  /** The RECEIVED event of the packet that {@code sent} put on the link. */
  private static TraceEvent receiptOf(Transfer.Result r, TraceEvent sent) {
    return first(r, e -> e.kind() == Kind.RECEIVED && e.packet() == sent.packet());
  }

  private static List<TraceEvent> drops(Transfer.Result r, String link, String reason) {
    return find(r, e -> is(e, Kind.DROPPED, link) && e.text().equals(reason));
  }

  private static int ipLength(TraceEvent e) {
    return IpPacketCodec.encode(
        InetAddresses.forString(e.src()), InetAddresses.forString(e.dst()), 64, 0, e.segment())
        .length;
  }

  private static int ttl(byte[] ipv4) {
    return ipv4[8] & 0xff;
  }

  private static boolean isFrom(byte[] ipv4, Host host) {
    try {
      IpPacket p = IpPacketCodec.decode(ipv4, 0, ipv4.length);
      return p.header().srcAddress().equals(host.address());
    } catch (MalformedPacketException e) {
      throw new AssertionError("captured a malformed packet", e);
    }
  }

  /** Runs of consecutive random losses, per link direction, in the order packets entered the link. */
  private record Bursts(List<Integer> lengths) {
    int count() {
      return lengths.size();
    }

    double mean() {
      return lengths.stream().mapToInt(Integer::intValue).average().orElse(0);
    }

    int longest() {
      return lengths.stream().mapToInt(Integer::intValue).max().orElse(0);
    }

    @Override
    public String toString() {
      return String.format("%d bursts, mean %.2f, longest %d", count(), mean(), longest());
    }
  }

  private static Bursts bursts(Transfer.Result r) {
    List<Integer> lengths = new ArrayList<>();
    for (String[] dir : new String[][] {{"client", UP}, {"server", DOWN}}) {
      Set<Long> lost = new HashSet<>();
      for (TraceEvent d : drops(r, dir[1], "random loss")) lost.add(d.packet());
      int run = 0;
      for (TraceEvent s : r.network().trace().events(Kind.SENT)) {
        if (!s.host().equals(dir[0])) continue;
        if (lost.contains(s.packet())) {
          run++;
        } else if (run > 0) {
          lengths.add(run);
          run = 0;
        }
      }
      if (run > 0) lengths.add(run);
    }
    return new Bursts(lengths);
  }
}
