package dev.tcplab.core.tcp;

import static dev.tcplab.core.tcp.TwoStacks.MS;
import static dev.tcplab.core.tcp.TwoStacks.SECOND;
import static dev.tcplab.core.tcp.WireView.assertClosed;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tcplab.core.wire.Segment;
import org.junit.jupiter.api.Test;

class LifecycleTest {
  @Test
  void connectTransferAndCloseGracefully() {
    TwoStacks net = new TwoStacks();
    TwoStacks.Pair p = net.connect();
    assertThat(p.client().state()).isEqualTo(TcpState.ESTABLISHED);
    assertThat(p.server().state()).isEqualTo(TcpState.ESTABLISHED);

    byte[] payload = TwoStacks.data(100_000, 7);
    int off = 0;
    java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
    while (off < payload.length || got.size() < payload.length) {
      if (off < payload.length) off += p.client().write(payload, off, payload.length - off);
      net.run(MS);
      got.writeBytes(TwoStacks.drain(p.server()));
      if (net.clock.nanos() > 2000 * SECOND) throw new AssertionError(net.wire());
    }
    assertThat(got.toByteArray()).isEqualTo(payload);

    net.closeClientFirst(p); // the server reads EOF and closes: CLOSED; the client in TIME-WAIT
    net.run(61 * SECOND);
    assertClosed(p.client(), ConnectionEnd.CLOSED_GRACEFULLY);
    assertThat(p.server().end()).isEqualTo(ConnectionEnd.CLOSED_GRACEFULLY);
    Segment syn = net.clientSent().get(0);
    assertThat(syn.toString()).contains("S seq").contains("<mss 1460,sackOK,TS val");
  }
}
