package dev.tcplab.capture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcplab.core.wire.IpPacketCodec;
import dev.tcplab.core.wire.Ipv4Header;
import dev.tcplab.core.wire.Segment;
import dev.tcplab.core.wire.TcpFlags;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The analysis holds the open connections and a bounded number of ended ones, whatever the file. */
class MemoryBoundTest {
  private static final int CLIENT = Ipv4Header.parse("10.0.0.1");
  private static final int SERVER = Ipv4Header.parse("10.0.0.2");

  private long packet;

  private void send(CaptureAnalysis a, boolean fromClient, int port, int flags, int seq, int ack) {
    Segment s = Segment.builder()
        .srcPort(fromClient ? port : 80)
        .dstPort(fromClient ? 80 : port)
        .seq(seq)
        .ack(ack)
        .flags(flags)
        .window(1000)
        .build();
    byte[] p = IpPacketCodec.encodeIpv4(fromClient ? CLIENT : SERVER, fromClient ? SERVER : CLIENT,
        64, 0, s);
    packet++;
    a.packet(packet, packet * 1_000L, p, 0, p.length); // 1 µs apart: no time-based linger expiry
  }

  @Test
  void endedConnectionsAreReportedOnceTooManyWait() {
    List<ConnectionReport> reports = new ArrayList<>();
    CaptureAnalysis a = CaptureAnalysis.tcpOnly(reports::add);
    int held = 0;
    int connections = 5000;
    for (int i = 0; i < connections; i++) {
      int port = 10_000 + i;
      send(a, true, port, TcpFlags.SYN, 100, 0);
      send(a, false, port, TcpFlags.RST | TcpFlags.ACK, 0, 101); // refused: ended at once
      held = Math.max(held, a.openConnections());
    }
    assertThat(held).isEqualTo(CaptureAnalysis.MAX_LINGERING);
    assertThat(reports).hasSize(connections - CaptureAnalysis.MAX_LINGERING);
    assertThat(reports.get(0).number()).isEqualTo(1);
    // A late RST for the first connection, long reported: counted, not a new connection.
    send(a, false, 10_000, TcpFlags.RST | TcpFlags.ACK, 0, 101);
    assertThat(a.latePackets()).isEqualTo(1);
    a.finish();
    assertThat(reports).hasSize(connections).allMatch(r -> r.close().kind()
        == ConnectionReport.Kind.REFUSED);
    assertThat(a.connections()).isEqualTo(connections);
  }
}
