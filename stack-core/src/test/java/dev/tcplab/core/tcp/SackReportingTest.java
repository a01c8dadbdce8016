package dev.tcplab.core.tcp;

import static dev.tcplab.core.tcp.TwoStacks.CLIENT_ADDR;
import static dev.tcplab.core.tcp.TwoStacks.MS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tcplab.core.link.InMemoryLink;
import dev.tcplab.core.wire.Segment;
import dev.tcplab.core.wire.SeqNum;
import dev.tcplab.core.wire.TcpOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What our SACK blocks say about an out-of-order FIN and about duplicates. Linux counts a FIN held out
 * of order in its block (tcp_data_queue_ofo uses the segment's end_seq) and reports a duplicate in a
 * D-SACK block (RFC 2883 §4, tcp_dsack).
 */
class SackReportingTest extends OneConnectionScenario {

  /** The SACK blocks of each segment the server sent since the mark, relative to the client's ISN. */
  private List<List<String>> serverSackBlocks() {
    List<List<String>> l = new ArrayList<>();
    for (InMemoryLink.WireEvent e : w.serverEvents()) {
      Segment s = e.segment();
      List<String> blocks = new ArrayList<>();
      for (TcpOption.Block b : s.sackBlocks()) {
        blocks.add(SeqNum.unsigned(b.left() - w.clientIss) + ":" + SeqNum.unsigned(b.right() - w.clientIss));
      }
      l.add(blocks);
    }
    return l;
  }

  /** The client (Nagle off) sends 1:101, 101:201, 201:301 and its FIN; 101:201 is lost once. */
  private void clientSendsThreeSegmentsAndFinSecondLost() {
    p.client().setNoDelay(true);
    net.link.setFault(Transfer.dropFrom(CLIENT_ADDR,
        (seg, i) -> seg.seq() == w.clientSeq(101) && seg.payloadLength() > 0 && !dropped[0]
            && (dropped[0] = true)));
    w.mark();
    for (int i = 0; i < 3; i++) p.client().write(TwoStacks.data(100, 50 + i));
    p.client().close();
    net.run(20 * MS);
  }

  private final boolean[] dropped = new boolean[1];

  @Test
  void linux_theSackBlockOfDataAndAnOutOfOrderFinCoversTheFin() {
    connect();
    clientSendsThreeSegmentsAndFinSecondLost();
    assertThat(w.client()).as(w.toString())
        .startsWith("P. 1:101(100) ack 1", "P. 101:201(100) ack 1 [DROP]", "P. 201:301(100) ack 1",
            "F. 301:301(0) ack 1");
    // The ACKs of the out-of-order data, then of the FIN: 201:301, then 201:302
    assertThat(serverSackBlocks()).as(w.toString()).contains(List.of("201:301"), List.of("201:302"));
    net.run(2_000 * MS); // the hole is filled by a retransmission
    assertThat(p.server().state()).isEqualTo(TcpState.CLOSE_WAIT);
    assertThat(TwoStacks.drain(p.server())).hasSize(300);
  }

  @Test
  void linux_aDuplicateSegmentIsReportedInADsackBlock() {
    connect();
    net.link.setFault((s, d, seg, i) -> s.equals(CLIENT_ADDR) && seg.payloadLength() > 0
        ? InMemoryLink.Decision.DUPLICATE : InMemoryLink.Decision.DELIVER);
    w.mark();
    p.client().write(TwoStacks.data(100, 60));
    net.run(20 * MS);
    // RFC 2883 §4: the ACK of the second copy names it in its first SACK block, once
    assertThat(serverSackBlocks()).as(w.toString()).containsExactly(List.of(), List.of("1:101"));
  }

  @Test
  void rfc9293WithSack_noDsackAndTheFinIsNotInTheBlock() {
    connect(Profile.RFC9293.withOptions(false, true, false));
    clientSendsThreeSegmentsAndFinSecondLost();
    assertThat(serverSackBlocks()).as(w.toString())
        .contains(List.of("201:301")).doesNotContain(List.of("201:302"));
  }
}
