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

/** RFC 6298 §5.7 / Linux TCP_TIMEOUT_FALLBACK: a handshake without an RTT sample starts data with RTO 3 s. */
class RtoFallbackTest {

  @Test
  void aLostSynAckLeavesNoSample_theLostFinIsResentThreeSecondsLater() {
    TwoStacks net = new TwoStacks();
    boolean[] droppedSynAck = new boolean[1];
    boolean[] droppedFin = new boolean[1];
    net.link.setFault((s, d, seg, i) -> {
      if (s.equals(SERVER_ADDR) && seg.isSyn() && !droppedSynAck[0]) {
        droppedSynAck[0] = true;
        return InMemoryLink.Decision.DROP;
      }
      if (s.equals(CLIENT_ADDR) && seg.isFin() && !droppedFin[0]) {
        droppedFin[0] = true;
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
    assertThat(fins).hasSizeGreaterThanOrEqualTo(2);
    assertThat(fins.get(0).atNanos()).isEqualTo(closedAt);
    assertThat(fins.get(1).atNanos() - closedAt).as("RTO of the FIN").isEqualTo(3 * SECOND);
    assertThat(fins.get(1).segment()).extracting(Segment::isFin).isEqualTo(true);
  }
}
