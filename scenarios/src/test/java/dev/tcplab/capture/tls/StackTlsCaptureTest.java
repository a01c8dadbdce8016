package dev.tcplab.capture.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcplab.sim.LinkConfig;
import dev.tcplab.sim.LossModel;
import dev.tcplab.sim.Network;
import dev.tcplab.sim.Outputs;
import dev.tcplab.sim.Topology;
import dev.tcplab.tls.RstPolicy;
import dev.tcplab.tls.TlsVersion;
import dev.tcplab.tls.scenario.ServerEnding;
import dev.tcplab.tls.scenario.TlsTransfer;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Captures of our own stack-tls over the simulated network (pcap on the client's host, raw IP,
 * NSS key log from the run): the observer must see the PH01192 difference — the server's
 * close_notify present under DEFER_UNTIL_DELIVERED, absent under IMMEDIATE — and the other
 * endings.
 */
@Timeout(120)
class StackTlsCaptureTest {
  private static final long MS = 1_000_000L;
  private static final LinkConfig LOSSY = LinkConfig.builder().delay(10 * MS).bandwidth(10_000_000L)
      .loss(new LossModel.Bernoulli(0.02)).reordering(0.05, 3 * MS).build();

  @TempDir Path dir;

  private record Observed(TlsSummary withKeys, TlsSummary withoutKeys, TlsTransfer.Result run) {}

  private Observed run(TlsTransfer t) throws IOException {
    Network net = t.network();
    Path pcap = dir.resolve("run.pcap");
    TlsTransfer.Result r;
    try (Outputs out = new Outputs().pcap(pcap)) {
      out.attach(net, net.host(Topology.CLIENT));
      r = t.run(net);
      assertThat(r.finished()).as(r.outcome()).isTrue();
      out.write(net);
    }
    Path keyFile = dir.resolve("keys.txt");
    r.keyLog().write(keyFile);
    PcapStreams ps = PcapStreams.read(pcap);
    TlsSummary with = ps.feed(new TlsStreamObserver(NssKeyLog.read(keyFile))).summary();
    TlsSummary without = ps.feed(new TlsStreamObserver(NssKeyLog.empty())).summary();
    return new Observed(with, without, r);
  }

  private static String suiteOf(TlsVersion v) {
    return v == TlsVersion.TLS_1_3 ? "TLS_AES_128_GCM_SHA256"
        : "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
  }

  @ParameterizedTest
  @EnumSource(TlsVersion.class)
  void ph01192ImmediateRstLosesTheServersCloseNotify(TlsVersion v) throws IOException {
    Observed o = run(TlsTransfer.ph01192(RstPolicy.IMMEDIATE).withVersion(v));
    TlsSummary s = o.withKeys();
    assertThat(s.version()).isEqualTo(v.display());
    assertThat(s.cipherSuite()).isEqualTo(suiteOf(v));
    assertThat(s.decrypted()).isTrue();
    assertThat(s.serverCloseNotify()).as(s.notes().toString()).isFalse();
    assertThat(s.clientCloseNotify()).isFalse(); // the client saw EOF without one and closed TCP
    assertThat(s.notes()).anyMatch(n -> n.startsWith("server's stream ends inside a record"));
    if (v == TlsVersion.TLS_1_2) {
      assertThat(o.withoutKeys().serverCloseNotify()).isFalse(); // no alert record at all
    } else {
      assertThat(o.withoutKeys().serverCloseNotify()).isNull();
    }
  }

  @ParameterizedTest
  @EnumSource(TlsVersion.class)
  void ph01192DeferredRstDeliversTheServersCloseNotify(TlsVersion v) throws IOException {
    Observed o = run(TlsTransfer.ph01192(RstPolicy.DEFER_UNTIL_DELIVERED).withVersion(v));
    TlsSummary s = o.withKeys();
    assertThat(s.serverCloseNotify()).as(s.notes().toString()).isTrue();
    assertThat(s.clientCloseNotify()).isTrue(); // the client answers with its own
    assertThat(s.serverCloseNotifyEnd()).isGreaterThan(150_000);
    assertThat(s.notes()).isEmpty();
    assertThat(o.withoutKeys().serverCloseNotify()).isNull();
    assertThat(o.withoutKeys().clientCloseNotify()).isNull();
  }

  @ParameterizedTest
  @EnumSource(TlsVersion.class)
  void gracefulCloseOverALossyLink(TlsVersion v) throws IOException {
    TlsTransfer t = new TlsTransfer(7, LOSSY, v, RstPolicy.DEFER_UNTIL_DELIVERED,
        ServerEnding.CLOSE, 150_000, 540_000, 600_000 * MS);
    TlsSummary s = run(t).withKeys();
    assertThat(s.serverCloseNotify()).as(s.notes().toString()).isTrue();
    assertThat(s.clientCloseNotify()).isTrue();
    assertThat(s.notes()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(TlsVersion.class)
  void finWithoutCloseNotify(TlsVersion v) throws IOException {
    TlsTransfer t = TlsTransfer.ph01192(RstPolicy.DEFER_UNTIL_DELIVERED).withVersion(v);
    t = new TlsTransfer(t.seed(), t.link(), v, t.policy(), ServerEnding.FIN_WITHOUT_CLOSE_NOTIFY,
        t.responseBytes(), t.clientReceiveBuffer(), t.limitNanos());
    TlsSummary s = run(t).withKeys();
    assertThat(s.serverCloseNotify()).as(s.notes().toString()).isFalse();
    assertThat(s.alerts(Direction.SERVER_TO_CLIENT)).isEmpty();
    assertThat(s.notes()).isEmpty();
  }
}
