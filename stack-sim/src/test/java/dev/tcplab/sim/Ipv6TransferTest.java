package dev.tcplab.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcplab.core.tcp.ConnectionEnd;
import dev.tcplab.core.tcp.TcpListener;
import dev.tcplab.core.tcp.TcpSocket;
import dev.tcplab.core.wire.IpPacket;
import dev.tcplab.core.wire.IpPacketCodec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hosts with IPv6 addresses: RFC 8200 packets on the wire, the same TCP above. */
class Ipv6TransferTest {
  @Test
  void twoIpv6HostsTransferAndCloseOverALossyLink() throws Exception {
    Network net = new Network(6);
    // RFC 8200: a 40-byte header, so the MSS on a 1500-byte MTU is 1440
    Host a = net.host("a", "2001:db8::1", b -> b.mss(1440));
    Host z = net.host("z", "2001:db8::2", b -> b.mss(1440));
    net.connect(a, z, LinkConfig.builder().loss(new LossModel.Bernoulli(0.02)).build());
    List<byte[]> captured = new ArrayList<>();
    net.capture(a, (t, h, bytes) -> captured.add(bytes));
    TcpListener l = z.stack().listen(80, 4);
    TcpSocket c = a.stack().connect(z.address(), 80);
    net.run(100_000_000L);
    TcpSocket s = l.accept();
    assertThat(s).isNotNull();
    byte[] data = new byte[50_000];
    new java.util.Random(6).nextBytes(data);
    c.write(data);
    c.close();
    java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    for (int i = 0; i < 1000 && got.size() < data.length; i++) {
      net.run(net.now() + 50_000_000L);
      int n;
      while ((n = s.read(buf)) > 0) got.write(buf, 0, n);
    }
    assertThat(got.toByteArray()).isEqualTo(data);
    s.close();
    net.run(net.now() + 120_000_000_000L);
    assertThat(c.end()).isEqualTo(ConnectionEnd.CLOSED_GRACEFULLY);
    assertThat(s.end()).isEqualTo(ConnectionEnd.CLOSED_GRACEFULLY);
    IpPacket first = IpPacketCodec.decode(captured.get(0), 0, captured.get(0).length);
    assertThat(first.version()).isEqualTo(6);
    assertThat(captured).allMatch(p -> (p[0] >> 4) == 6 && p.length <= 1500);
  }
}
