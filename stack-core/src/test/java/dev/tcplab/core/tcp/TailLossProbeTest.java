package dev.tcplab.core.tcp;

import static dev.tcplab.core.tcp.TwoStacks.CLIENT_ADDR;
import static dev.tcplab.core.tcp.TwoStacks.MS;
import static dev.tcplab.core.tcp.TwoStacks.SECOND;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tcplab.core.link.InMemoryLink;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Tail-loss probe (RFC 8985 §7; Linux tcp_schedule_loss_probe / tcp_send_loss_probe, the {@code linux}
 * profile's {@link Profile#tailLossProbe()}). Two stacks with a 10 ms RTT: SRTT 10 ms, RTO = 10 +
 * max(4 * 5, 200) = 210 ms.
 */
class TailLossProbeTest {
  private static final long RTO = 210 * MS;

  /** Drops the first {@code n} FINs the client sends. */
  private static InMemoryLink.Fault dropClientFins(int n) {
    int[] dropped = new int[1];
    return (s, d, seg, i) -> {
      if (s.equals(CLIENT_ADDR) && seg.isFin() && dropped[0] < n) {
        dropped[0]++;
        return InMemoryLink.Decision.DROP;
      }
      return InMemoryLink.Decision.DELIVER;
    };
  }

  private static List<Long> clientFinTimes(TwoStacks net) {
    List<Long> at = new ArrayList<>();
    for (InMemoryLink.WireEvent e : net.link.log()) {
      if (e.src().equals(CLIENT_ADDR) && e.segment().isFin()) at.add(e.atNanos());
    }
    return at;
  }

  private static List<Long> gaps(List<Long> at) {
    List<Long> g = new ArrayList<>();
    for (int i = 1; i < at.size(); i++) g.add(at.get(i) - at.get(i - 1));
    return g;
  }

  @Test
  void aLostFinIsProbedThenResentOnTheRtoFromTheProbeThenBackedOff() {
    TwoStacks net = new TwoStacks(Profile.LINUX);
    TwoStacks.Pair pair = net.connect();
    net.link.setFault(dropClientFins(3));
    pair.client().close();
    net.run(2 * SECOND);

    // LINUX-BEHAVIOUR.md: +213 (probe), +213 (RTO), +456 (doubled) with HZ=250 jiffies; here exact:
    // PTO = min(2 * SRTT + 200 ms, RTO left) = 210 ms; the RTO restarts from the probe, not doubled;
    // then the RTO doubles as usual.
    List<Long> fins = clientFinTimes(net);
    assertThat(fins).hasSize(4);
    assertThat(gaps(fins)).containsExactly(RTO, RTO, 2 * RTO);
    int finSeq = net.clientSent().stream().filter(s -> s.isFin()).findFirst().orElseThrow().seq();
    assertThat(net.events).filteredOn(e -> e.startsWith("TLP")).containsExactly(
        "TLP: retransmitting the last segment " + Integer.toUnsignedString(finSeq) + ":"
            + Integer.toUnsignedString(finSeq + 1) + " (FIN)");
    assertThat(net.events).filteredOn(e -> e.startsWith("RTO")).hasSize(2);
    assertThat(pair.client().state()).isEqualTo(TcpState.FIN_WAIT_2);
  }

  @Test
  void aLostFinProbeDeliveredEndsItWithoutAnRto() {
    TwoStacks net = new TwoStacks(Profile.LINUX);
    TwoStacks.Pair pair = net.connect();
    net.link.setFault(dropClientFins(1));
    pair.client().close();
    net.run(2 * SECOND);

    assertThat(gaps(clientFinTimes(net))).containsExactly(RTO);
    assertThat(net.events).noneMatch(e -> e.startsWith("RTO"));
    assertThat(pair.client().state()).isEqualTo(TcpState.FIN_WAIT_2);
  }

  @Test
  void theProbeSendsNewDataWhenThePeersWindowAllows() {
    TwoStacks net = new TwoStacks(Profile.LINUX);
    TwoStacks.Pair pair = net.connect();
    // The initial window (10 segments) is lost; the 11th waits for cwnd, not for the peer's window.
    List<Integer> firstFlight = new ArrayList<>();
    net.link.setFault((s, d, seg, i) -> {
      if (s.equals(CLIENT_ADDR) && seg.payloadLength() > 0 && firstFlight.size() < 10
          && !firstFlight.contains(seg.seq())) {
        firstFlight.add(seg.seq());
        return InMemoryLink.Decision.DROP;
      }
      return InMemoryLink.Decision.DELIVER;
    });
    long start = net.clock.nanos();
    byte[] data = TwoStacks.data(20_000, 7);
    assertThat(pair.client().write(data)).isEqualTo(data.length);
    net.run(100 * MS);

    List<InMemoryLink.WireEvent> dataSent = net.link.log().stream()
        .filter(e -> e.src().equals(CLIENT_ADDR) && e.segment().payloadLength() > 0).toList();
    assertThat(dataSent).hasSizeGreaterThan(10);
    assertThat(dataSent.subList(0, 10)).allMatch(e -> e.atNanos() == start);
    InMemoryLink.WireEvent probe = dataSent.get(10);
    // PTO = 2 * SRTT + 2 ms (more than one segment out), before the RTO
    assertThat(probe.atNanos() - start).isEqualTo(22 * MS);
    assertThat(firstFlight).doesNotContain(probe.segment().seq());
    assertThat(probe.segment().seq()).isEqualTo(dataSent.get(9).segment().seq() + 1448);
    assertThat(net.events).anyMatch(e -> e.startsWith("TLP: new data"));
    // the flight itself is still repaired by the RTO, restarted from the probe
    net.run(1 * SECOND);
    List<InMemoryLink.WireEvent> head = Transfer.transmissionsOf(net, CLIENT_ADDR, firstFlight.get(0));
    assertThat(head.get(1).atNanos() - probe.atNanos()).isEqualTo(RTO);
    net.settle(10 * SECOND);
    byte[] got = new byte[data.length];
    int n = 0;
    while (n < got.length) {
      int r = pair.server().read(got, n, got.length - n);
      if (r <= 0) break;
      n += r;
    }
    assertThat(n).isEqualTo(data.length);
    assertThat(got).isEqualTo(data);
  }

  @Test
  void noProbeWithoutSack() {
    TwoStacks net = new TwoStacks(Profile.LINUX.withOptions(true, false, true));
    TwoStacks.Pair pair = net.connect();
    net.link.setFault(dropClientFins(1));
    pair.client().close();
    net.run(2 * SECOND);

    assertThat(gaps(clientFinTimes(net))).containsExactly(RTO);
    assertThat(net.events).noneMatch(e -> e.startsWith("TLP"));
    assertThat(net.events).anyMatch(e -> e.startsWith("RTO"));
  }

  @Test
  void noProbeInTheRfc9293ProfileEvenWithSack() {
    TwoStacks net = new TwoStacks(Profile.RFC9293.withOptions(true, true, true));
    TwoStacks.Pair pair = net.connect();
    net.link.setFault(dropClientFins(1));
    pair.client().close();
    net.run(3 * SECOND);

    // RFC 6298 §2.4: RTO = max(SRTT + 4 * RTTVAR, 1 s) = 1 s
    assertThat(gaps(clientFinTimes(net))).containsExactly(1 * SECOND);
    assertThat(net.events).noneMatch(e -> e.startsWith("TLP"));
  }
}
