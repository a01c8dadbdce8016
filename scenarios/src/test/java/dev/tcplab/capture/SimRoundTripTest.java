package dev.tcplab.capture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcplab.capture.ConnectionReport.Kind;
import dev.tcplab.core.tcp.ConnectionEnd;
import dev.tcplab.sim.LinkConfig;
import dev.tcplab.sim.LossModel;
import dev.tcplab.sim.Network;
import dev.tcplab.sim.Outputs;
import dev.tcplab.sim.app.CloseMode;
import dev.tcplab.sim.app.Transfer;
import dev.tcplab.sim.trace.TraceEvent;
import dev.tcplab.capture.tls.NssKeyLog;
import dev.tcplab.tls.RstPolicy;
import dev.tcplab.tls.scenario.TlsTransfer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Captures written by the simulator, analysed: the verdict must agree with what the simulator's
 * own trace and applications say happened.
 */
class SimRoundTripTest {
  private static final long MS = 1_000_000L;

  @TempDir Path dir;

  private record Run(Transfer.Result result, ConnectionReport report) {
    List<TraceEvent> states(String host) {
      return result.network().trace().events(TraceEvent.Kind.STATE).stream()
          .filter(e -> e.host().equals(host))
          .toList();
    }

    /** The state {@code host} left when its connection went to CLOSED. */
    String stateBeforeClosed(String host) {
      List<TraceEvent> s = states(host);
      String last = s.get(s.size() - 1).text();
      assertThat(last).contains("-> CLOSED");
      return last.substring(0, last.indexOf(" -> "));
    }

    boolean entered(String host, String state) {
      return states(host).stream().anyMatch(e -> e.text().contains("-> " + state + " "));
    }
  }

  private Run run(Transfer t) throws Exception {
    Path pcap = dir.resolve("run.pcap");
    Network net = t.network();
    Transfer.Result result;
    try (Outputs out = new Outputs().pcap(pcap)) {
      out.attach(net, net.host("client"));
      result = t.run(net);
      out.write(net);
    }
    List<ConnectionReport> reports = Captures.analyze(pcap);
    assertThat(reports).hasSize(1);
    return new Run(result, reports.get(0));
  }

  private static Transfer transfer(int bytes, CloseMode client, long clientAt, CloseMode server,
      boolean serverReads, LinkConfig link) {
    Transfer d = Transfer.defaults();
    return new Transfer(3, link, d.profile(), d.congestion(), bytes, client, clientAt, server, -1,
        serverReads, 0, d.limitNanos());
  }

  @Test
  void gracefulCloseFromTheClient() throws Exception {
    Run r = run(transfer(100_000, CloseMode.CLOSE, -1, CloseMode.CLOSE, true, LinkConfig.DEFAULT));
    assertThat(r.result.deliveredIntact()).isTrue();
    ConnectionReport c = r.report;
    assertThat(c.close().kind()).isEqualTo(Kind.GRACEFUL);
    assertThat(c.close().firstBy()).isEqualTo("client");
    assertThat(r.entered("client", "TIME-WAIT")).isTrue();
    assertThat(c.close().timeWait()).containsExactly(Side.CLIENT);
    assertThat(c.clientBytes().sent()).isEqualTo(r.result.client().bytesWritten());
    assertThat(c.clientBytes().acked()).isEqualTo(r.result.server().bytesRead());
    assertThat(c.clientBytes().retransmitted()).isZero();
    assertThat(c.handshake().captured()).isTrue();
  }

  @Test
  void lossyLinkCountsRetransmissionsAndStillClosesGracefully() throws Exception {
    LinkConfig lossy = LinkConfig.builder().loss(new LossModel.Bernoulli(0.03)).build();
    Run r = run(transfer(200_000, CloseMode.CLOSE, -1, CloseMode.CLOSE, true, lossy));
    assertThat(r.result.deliveredIntact()).isTrue();
    ConnectionReport c = r.report;
    assertThat(c.close().kind()).isEqualTo(Kind.GRACEFUL);
    long dropped = r.result.network().trace().events(TraceEvent.Kind.DROPPED).stream()
        .filter(e -> e.segment() != null && e.segment().payloadLength() > 0
            && "10.0.0.1".equals(e.src()))
        .count();
    assertThat(dropped).isPositive();
    assertThat(c.clientBytes().retransmitted()).isPositive();
    assertThat(c.clientBytes().sent()).isEqualTo(200_000);
    assertThat(c.clientBytes().acked()).isEqualTo(200_000);
  }

  @Test
  void clientAbortMidStream() throws Exception {
    Run r = run(transfer(2_000_000, CloseMode.ABORT, 100 * MS, CloseMode.CLOSE, true,
        LinkConfig.DEFAULT));
    assertThat(r.result.clientEnd()).isEqualTo(ConnectionEnd.ABORTED_LOCALLY);
    ConnectionReport c = r.report;
    assertThat(c.close().kind()).isEqualTo(Kind.RESET);
    assertThat(c.close().resetBy()).isEqualTo(Side.CLIENT);
    assertThat(c.close().resetState()).isEqualTo(r.stateBeforeClosed("client"));
    // The capture is taken at the client: when the RST left, much of what the client had sent was
    // still unacknowledged there; the server acknowledged most of it afterwards (it was in flight
    // ahead of the RST), and read what it acknowledged.
    long lost = c.clientBytes().sent() - c.clientBytes().acked();
    assertThat(c.close().unackedAtReset(Side.CLIENT)).isGreaterThan(lost);
    assertThat(c.clientBytes().acked()).isPositive();
    assertThat(r.result.server().bytesRead())
        .isBetween(c.clientBytes().acked(), c.clientBytes().sent());
    assertThat(c.verdict())
        .contains("data lost to RST: " + Verdicts.count(lost) + " from client to server ("
            + Verdicts.count(c.close().unackedAtReset(Side.CLIENT) - lost)
            + " more acknowledged after the RST)");
  }

  private ConnectionReport tls(RstPolicy policy) throws Exception {
    TlsTransfer t = TlsTransfer.ph01192(policy);
    Network net = t.network();
    Path pcap = dir.resolve("tls.pcap");
    TlsTransfer.Result r;
    try (Outputs out = new Outputs().pcap(pcap)) {
      out.attach(net, net.host("client"));
      r = t.run(net);
      out.write(net);
    }
    Path keys = dir.resolve("keys.txt");
    r.keyLog().write(keys);
    List<ConnectionReport> reports = new java.util.ArrayList<>();
    Captures.feed(pcap, CaptureAnalysis.withTls(reports::add, NssKeyLog.read(keys)), a -> {});
    assertThat(reports).hasSize(1);
    return reports.get(0);
  }

  @Test
  void ph01192ImmediateIsReportedAsTheTruncation() throws Exception {
    ConnectionReport c = tls(RstPolicy.IMMEDIATE);
    assertThat(c.close().kind()).isEqualTo(Kind.RESET);
    assertThat(c.close().resetBy()).isEqualTo(Side.SERVER);
    assertThat(c.tls().serverCloseNotify()).isFalse();
    assertThat(c.tls().truncated()).isTrue();
    assertThat(c.verdict())
        .contains("truncated: RST from server before its close_notify was delivered (the PH01192"
            + " pattern)");
  }

  @Test
  void ph01192DeferredDeliversEverythingFirst() throws Exception {
    ConnectionReport c = tls(RstPolicy.DEFER_UNTIL_DELIVERED);
    assertThat(c.close().kind()).isEqualTo(Kind.RESET);
    assertThat(c.close().resetBy()).isEqualTo(Side.SERVER);
    assertThat(c.close().unackedAtReset(Side.SERVER)).isZero();
    assertThat(c.tls().serverCloseNotify()).isTrue();
    assertThat(c.tls().clientCloseNotify()).isTrue();
    assertThat(c.tls().truncated()).isFalse();
    assertThat(c.verdict()).contains("nothing on the wire was lost");
  }

  @Test
  void serverThatNeverReadsResetsOnClose() throws Exception {
    Run r = run(transfer(50_000, CloseMode.CLOSE, -1, CloseMode.CLOSE, false, LinkConfig.DEFAULT));
    assertThat(r.result.serverEnd()).isEqualTo(ConnectionEnd.ABORTED_LOCALLY);
    ConnectionReport c = r.report;
    assertThat(c.close().kind()).isEqualTo(Kind.RESET);
    assertThat(c.close().resetBy()).isEqualTo(Side.SERVER);
    assertThat(c.close().resetState()).isEqualTo(r.stateBeforeClosed("server"));
  }
}
