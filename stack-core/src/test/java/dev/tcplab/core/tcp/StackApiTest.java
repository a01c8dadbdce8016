package dev.tcplab.core.tcp;

import static dev.tcplab.core.tcp.TwoStacks.CLIENT_ADDR;
import static dev.tcplab.core.tcp.TwoStacks.MS;
import static dev.tcplab.core.tcp.TwoStacks.SERVER_ADDR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcplab.core.time.ManualClock;
import dev.tcplab.core.wire.Segment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The host-level API: ports, listeners, backlog, determinism, bad arguments. */
class StackApiTest {
  @Test
  void ephemeralPortsAreDistinctAndInLinuxRange() {
    TwoStacks net = new TwoStacks();
    net.server.listen(80, 64);
    Set<Integer> ports = new HashSet<>();
    for (int i = 0; i < 50; i++) ports.add(net.client.connect(SERVER_ADDR, 80).id().localPort());
    assertThat(ports).hasSize(50).allMatch(p -> p >= 32768 && p <= 60999);
  }

  @Test
  void backlogFullDropsFurtherSyns() {
    TwoStacks net = new TwoStacks();
    TcpListener l = net.server.listen(80, 2);
    TcpSocket a = net.client.connect(SERVER_ADDR, 80);
    TcpSocket b = net.client.connect(SERVER_ADDR, 80);
    TcpSocket c = net.client.connect(SERVER_ADDR, 80);
    net.run(50 * MS);
    assertThat(a.state()).isEqualTo(TcpState.ESTABLISHED);
    assertThat(b.state()).isEqualTo(TcpState.ESTABLISHED);
    assertThat(c.state()).isEqualTo(TcpState.SYN_SENT); // its SYN was dropped, it will retry
    assertThat(l.pending()).isEqualTo(2);
    assertThat(net.events).anyMatch(e -> e.contains("backlog"));
    l.accept();
    net.run(1_100 * MS); // SYN retransmitted after the 1 s initial RTO finds room now
    assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
  }

  @Test
  void closingAListenerResetsUnacceptedConnectionsAndFreesThePort() {
    TwoStacks net = new TwoStacks();
    TcpListener l = net.server.listen(80, 4);
    TcpSocket c = net.client.connect(SERVER_ADDR, 80);
    net.run(50 * MS);
    l.close();
    net.run(50 * MS);
    assertThat(c.state()).isEqualTo(TcpState.CLOSED);
    assertThat(c.end()).isEqualTo(ConnectionEnd.RESET_BY_PEER);
    assertThat(net.server.listen(80, 4)).isNotNull();
  }

  @Test
  void listeningTwiceOnAPortIsEaddrinuse() {
    TwoStacks net = new TwoStacks();
    net.server.listen(80, 1);
    assertThatThrownBy(() -> net.server.listen(80, 1))
        .isInstanceOf(TcpSocketException.class)
        .satisfies(e -> assertThat(((TcpSocketException) e).error()).isEqualTo(SocketError.EADDRINUSE));
  }

  @Test
  void badArgumentsAreRefusedWithAClearMessage() {
    TwoStacks net = new TwoStacks();
    assertThatThrownBy(() -> net.server.listen(0, 1)).hasMessageContaining("Port out of range: 0");
    assertThatThrownBy(() -> net.server.listen(80, 0)).hasMessageContaining("Backlog must be positive");
    assertThatThrownBy(() -> net.client.connect(SERVER_ADDR, 70000))
        .hasMessageContaining("Remote port out of range: 70000");
    assertThatThrownBy(() -> Profile.named("bsd")).hasMessageContaining("known profiles: linux, rfc9293");
    assertThatThrownBy(() -> TcpStack.builder().build()).hasMessageContaining("address is required");
  }

  @Test
  void theSameSeedsGiveTheSameSegments() {
    assertThat(runOnce()).isEqualTo(runOnce());
  }

  private static List<String> runOnce() {
    TwoStacks net = new TwoStacks();
    TwoStacks.Pair p = net.connect();
    p.client().write(TwoStacks.data(20_000, 3));
    net.run(500 * MS);
    TwoStacks.drain(p.server());
    p.client().close();
    p.server().close();
    net.run(500 * MS);
    List<String> lines = new ArrayList<>();
    net.link.log().forEach(e -> lines.add(e.toString()));
    return lines;
  }

  @Test
  void isnsDifferPerConnectionAndPerSeed() {
    ManualClock clock = new ManualClock();
    List<Segment> out = new ArrayList<>();
    TcpStack a = TcpStack.builder().address(CLIENT_ADDR).time(clock).output((s, d, seg) -> out.add(seg))
        .random(new Random(1)).build();
    TcpStack b = TcpStack.builder().address(CLIENT_ADDR).time(clock).output((s, d, seg) -> out.add(seg))
        .random(new Random(99)).build();
    a.connect(SERVER_ADDR, 80, 40000, null);
    a.connect(SERVER_ADDR, 81, 40000, null);
    b.connect(SERVER_ADDR, 80, 40000, null);
    assertThat(out).extracting(Segment::seq).doesNotHaveDuplicates();
  }

  @Test
  void profilesChooseWindowScaleFromTheBuffer() {
    assertThat(Profile.LINUX.windowScaleFor(540_000)).isEqualTo(8); // 15 MB tcp_rmem[2]
    assertThat(Profile.RFC9293.windowScaleFor(65_535)).isZero();
    assertThat(Profile.RFC9293.windowScaleFor(1 << 20)).isEqualTo(5);
    assertThat(Profile.LINUX.timeWaitNanos()).isEqualTo(60_000 * MS);
    assertThat(Profile.RFC9293.timeWaitNanos()).isEqualTo(240_000 * MS);
  }
}
