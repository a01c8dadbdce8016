package dev.tcplab.core.tcp;

import static dev.tcplab.core.tcp.TwoStacks.CLIENT_ADDR;
import static dev.tcplab.core.tcp.TwoStacks.MS;
import static dev.tcplab.core.tcp.TwoStacks.SECOND;
import static dev.tcplab.core.tcp.TwoStacks.SERVER_ADDR;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tcplab.core.link.InMemoryLink;
import dev.tcplab.core.wire.Segment;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * RFC 6298 §5.7 / Linux TCP_TIMEOUT_FALLBACK: a handshake without an RTT sample starts data with RTO 3 s.
 * On Linux a tail-loss probe comes first (RFC 8985 §7.2: PTO 1 s without an RTT sample, Linux
 * TCP_TIMEOUT_INIT); the RTO then runs from the probe.
 */
class RtoFallbackTest {

  @Test
  void aLostSynAckLeavesNoSample_theLostFinIsResentThreeSecondsLater() {
    TwoStacks net = new TwoStacks();
    boolean[] droppedSynAck = new boolean[1];
    int[] droppedFins = new int[1];
    net.link.setFault((s, d, seg, i) -> {
      if (s.equals(SERVER_ADDR) && seg.isSyn() && !droppedSynAck[0]) {
        droppedSynAck[0] = true;
        return InMemoryLink.Decision.DROP;
      }
      // the FIN and its tail-loss probe are lost
      if (s.equals(CLIENT_ADDR) && seg.isFin() && droppedFins[0] < 2) {
        droppedFins[0]++;
        return InMemoryLink.Decision.DROP;
      }
      return InMemoryLink.Decision.DELIVER;
    });
    TcpListener l = net.server.listen(80, 1);
    TcpSocket client = net.client.connect(SERVER_ADDR, 80);
    net.run(1_500 * MS); // the SYN is resent after 1 s; Karn: no sample on either side
    assertThat(client.state()).isEqualTo(TcpState.ESTABLISHED);
    assertThat(l.accept()).isNotNull();

    client.close();
    long closedAt = net.clock.nanos();
    net.run(5 * SECOND);
    List<InMemoryLink.WireEvent> fins =
        net.link.log().stream().filter(e -> e.src().equals(CLIENT_ADDR) && e.segment().isFin()).toList();
    assertThat(fins).hasSizeGreaterThanOrEqualTo(3);
    assertThat(fins.get(0).atNanos()).isEqualTo(closedAt);
    assertThat(fins.get(1).atNanos() - closedAt).as("PTO of the FIN").isEqualTo(1 * SECOND);
    assertThat(fins.get(2).atNanos() - fins.get(1).atNanos()).as("RTO of the FIN, from the probe")
        .isEqualTo(3 * SECOND);
    assertThat(fins.get(2).segment()).extracting(Segment::isFin).isEqualTo(true);
  }
}
