package dev.tcplab.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcplab.core.tcp.TcpListener;
import dev.tcplab.sim.Host;
import dev.tcplab.sim.LinkConfig;
import dev.tcplab.sim.Network;
import dev.tcplab.sim.Topology;
import java.io.ByteArrayOutputStream;
import java.util.Random;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * TLS output that TCP takes only in pieces: a small send buffer under writes much larger than it, and
 * more writes while earlier ones are still held by the connection. Everything arrives, once, in
 * order.
 */
@Timeout(60)
class TlsConnectionFlushTest {
  private static final long MS = 1_000_000L;
  private static final LinkConfig LINK =
      LinkConfig.builder().delay(1 * MS).bandwidth(100_000_000L).build();
  private static final int SEND_BUFFER = 16 * 1024;

  private TlsConnection server;
  private int partialTakes;
  private int lastPending;

  @ParameterizedTest
  @EnumSource(TlsVersion.class)
  void writesBeyondTheSendBufferArriveWholeAndInOrder(TlsVersion version) {
    Network net = Topology.twoHosts(5, LINK, b -> b.sendBuffer(SEND_BUFFER).receiveBuffer(64 * 1024));
    Host clientHost = net.host(Topology.CLIENT);
    Host serverHost = net.host(Topology.SERVER);
    TcpListener listener = serverHost.stack().listen(443, 4);
    TlsConnection client = TlsConnection.client(
        clientHost.stack().connect(serverHost.address(), 443), version, 1, null,
        RstPolicy.DEFER_UNTIL_DELIVERED);
    assertThat(net.runUntil(() -> listener.pending() > 0, net.now() + 1_000 * MS)).isTrue();
    server = TlsConnection.server(listener.accept(), version, TlsIdentity.generate(2), 2, null,
        RstPolicy.DEFER_UNTIL_DELIVERED);
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    byte[] buf = new byte[1000];
    client.setListener(new TlsConnection.Listener() {
      @Override
      public void readable(TlsConnection c) {
        int n;
        while ((n = c.read(buf)) > 0) received.write(buf, 0, n);
      }
    });
    assertThat(net.runUntil(() -> client.handshakeComplete() && server.handshakeComplete(),
        net.now() + 1_000 * MS)).isTrue();

    byte[] data = new byte[1_500_000];
    new Random(8).nextBytes(data);
    // 600 000 bytes at once: TCP takes 16 KiB, the connection holds the rest
    int off = write(data, 0, 600_000);
    assertThat(server.pendingLength()).isGreaterThan(500_000);
    // small and odd-sized writes behind them, while they are held
    off = write(data, off, 1);
    off = write(data, off, 17_000);
    off = write(data, off, 3);
    // more while TCP is draining the first ones, at a few instants in between
    int[] next = {off};
    int[] done = {0};
    for (int i = 1; i <= 6; i++) {
      int size = i * 40_001;
      net.at(net.now() + i * 7 * MS, () -> {
        next[0] = write(data, next[0], size);
        done[0]++;
      });
    }
    long limit = net.now() + 600_000 * MS;
    assertThat(net.runUntil(() -> {
      observe();
      return done[0] == 6 && received.size() >= next[0];
    }, limit)).isTrue();
    // the rest in one go, then the close
    int last = next[0];
    write(data, last, data.length - last);
    server.close();
    assertThat(net.runUntil(() -> {
      observe();
      return received.size() == data.length && client.read(buf) == -1;
    }, limit)).isTrue();

    assertThat(received.toByteArray()).isEqualTo(data);
    assertThat(server.pendingLength()).isZero();
    assertThat(partialTakes).as("times TCP took part of what was held").isGreaterThan(20);
    client.close();
    net.runUntil(() -> client.socket().end() != null && server.socket().end() != null,
        net.now() + 10_000 * MS);
    assertThat(server.failure()).isNull();
    assertThat(client.failure()).isNull();
  }

  private int write(byte[] data, int off, int len) {
    assertThat(server.write(data, off, len)).isEqualTo(len);
    lastPending = server.pendingLength();
    return off + len;
  }

  /** Counts the times the held bytes shrank without running out. */
  private void observe() {
    int now = server.pendingLength();
    if (now > 0 && now < lastPending) partialTakes++;
    lastPending = now;
  }
}
