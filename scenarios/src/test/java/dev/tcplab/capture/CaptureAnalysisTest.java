package dev.tcplab.capture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcplab.capture.ConnectionReport.Kind;
import dev.tcplab.capture.tls.NssKeyLog;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The verdicts on real Linux captures (../shared/captures, copied into the test resources). */
class CaptureAnalysisTest {
  @Test
  void refusedSyn() throws Exception {
    ConnectionReport r = only("refused-syn-rst.pcap");
    assertThat(r.close().kind()).isEqualTo(Kind.REFUSED);
    assertThat(r.close().resetBy()).isEqualTo(Side.SERVER);
    assertThat(r.client()).isEqualTo("127.0.0.1:47198");
    assertThat(r.server()).isEqualTo("127.0.0.1:41201");
    assertThat(r.verdict()).isEqualTo("refused: the SYN was answered by RST");
  }

  @Test
  void activeCloseEndsInTimeWaitOnTheClient() throws Exception {
    ConnectionReport r = only("active-close-time-wait.pcap");
    assertThat(r.close().kind()).isEqualTo(Kind.GRACEFUL);
    assertThat(r.close().firstBy()).isEqualTo("client");
    assertThat(r.close().timeWait()).containsExactly(Side.CLIENT);
    assertThat(r.clientBytes().sent()).isEqualTo(10);
    assertThat(r.clientBytes().acked()).isEqualTo(10);
    assertThat(r.serverBytes().sent()).isEqualTo(500);
    assertThat(r.serverBytes().acked()).isEqualTo(500);
    assertThat(r.handshake().client())
        .isEqualTo(new ConnectionReport.Options(65495, 10, true, true));
    assertThat(r.flags()).isEmpty();
    assertThat(r.verdict())
        .isEqualTo("graceful close, client closed first (FIN both ways); client ends in TIME-WAIT");
  }

  @Test
  void receiverAbortThrowsAwayTheDataInFlight() throws Exception {
    ConnectionReport r = only("receiver-abort-mid-stream.pcap");
    assertThat(r.close().kind()).isEqualTo(Kind.RESET);
    assertThat(r.close().resetBy()).isEqualTo(Side.CLIENT);
    assertThat(r.close().resetState()).isEqualTo("ESTABLISHED");
    assertThat(r.close().unackedAtReset(Side.SERVER)).isEqualTo(16384);
    assertThat(r.close().unackedAtReset(Side.CLIENT)).isZero();
    assertThat(r.serverBytes().sent()).isEqualTo(32768);
    assertThat(r.serverBytes().acked()).isEqualTo(16384);
    assertThat(r.flags()).contains("zero window at close: client (receive buffer full)");
    assertThat(r.verdict())
        .startsWith("reset by client in ESTABLISHED: data lost to RST: 16 384 bytes from server to"
            + " client");
  }

  @Test
  void bothShutdownIsAHalfClose() throws Exception {
    ConnectionReport r = only("both-shutdown.pcap");
    assertThat(r.close().kind()).isEqualTo(Kind.HALF_CLOSE);
    assertThat(r.close().firstBy()).isEqualTo("client");
    assertThat(r.verdict()).contains("server sent 4 bytes after that FIN");
    assertThat(r.clientBytes().sent()).isEqualTo(4);
    assertThat(r.serverBytes().sent()).isEqualTo(4);
  }

  @Test
  void finThenResetAfterTheClientsAlert() throws Exception {
    ConnectionReport r = only("tls12-fin-without-close-notify.pcap");
    assertThat(r.close().kind()).isEqualTo(Kind.RESET);
    assertThat(r.close().resetBy()).isEqualTo(Side.SERVER);
    assertThat(r.close().resetState()).isEqualTo("FIN-WAIT-2");
    assertThat(r.close().firstBy()).isEqualTo("server");
    assertThat(r.close().unackedAtReset(Side.CLIENT)).isEqualTo(31);
    assertThat(r.flags()).contains("RST after FIN");
  }

  @Test
  void linuxCookedV2WithIpv4AndIpv6() throws Exception {
    List<ConnectionReport> all = analyze("linux-sll2-any.pcap");
    assertThat(all).extracting(ConnectionReport::server)
        .containsExactly("127.0.0.1:47001", "[::1]:47002");
    for (ConnectionReport r : all) {
      assertThat(r.close().kind()).isEqualTo(Kind.GRACEFUL);
      assertThat(r.close().firstBy()).isEqualTo("server");
      assertThat(r.serverBytes().sent()).isEqualTo(3000);
      assertThat(r.serverBytes().acked()).isEqualTo(3000);
    }
  }

  @Test
  void pcapngWithTwoInterfaces() throws Exception {
    assertThat(analyze("two-interfaces.pcapng")).extracting(r -> r.close().kind())
        .containsExactly(Kind.REFUSED, Kind.GRACEFUL, Kind.GRACEFUL);
  }

  @Test
  void snaplenCutsTheOptionsButNotTheVerdict() throws Exception {
    // 60-byte snapshot length after a 20-byte SLL2 header: IPv4 packets keep 20 bytes of TCP (no
    // options, no payload), IPv6 ones none at all.
    List<ConnectionReport> reports = new java.util.ArrayList<>();
    CaptureAnalysis a = CaptureAnalysis.tcpOnly(reports::add);
    Captures.feed(path("sll2-snaplen60.pcap"), a, x -> {});
    ConnectionReport r = reports.get(0);
    assertThat(reports).hasSize(1);
    assertThat(r.close().kind()).isEqualTo(Kind.GRACEFUL);
    assertThat(r.serverBytes().sent()).isEqualTo(3000); // from the IP length, not the bytes kept
    assertThat(a.problemCount()).isEqualTo(10);
    assertThat(a.problems().get(0).packet()).isEqualTo(11);
  }

  @Test
  void tls12GracefulWithAndWithoutKeys() throws Exception {
    ConnectionReport with = tls("tls12-graceful.pcap", true);
    assertThat(with.close().kind()).isEqualTo(Kind.GRACEFUL);
    assertThat(with.tls().version()).isEqualTo("1.2");
    assertThat(with.tls().clientCloseNotify()).isTrue();
    assertThat(with.tls().serverCloseNotify()).isTrue();
    assertThat(with.tls().truncated()).isFalse();
    ConnectionReport without = tls("tls12-graceful.pcap", false);
    assertThat(without.tls().clientCloseNotify()).isNull();
    assertThat(without.tls().serverCloseNotify()).isNull();
    assertThat(without.tls().truncated()).isFalse();
  }

  @Test
  void tls13NeedsTheKeysToSeeCloseNotify() throws Exception {
    ConnectionReport with = tls("tls13-graceful-large.pcap", true);
    assertThat(with.tls().version()).isEqualTo("1.3");
    assertThat(with.tls().clientCloseNotify()).isTrue();
    assertThat(with.tls().serverCloseNotify()).isTrue();
    assertThat(with.serverBytes().sent()).isGreaterThan(150_000);
    ConnectionReport without = tls("tls13-graceful-large.pcap", false);
    assertThat(without.tls().clientCloseNotify()).isNull();
    assertThat(without.tls().serverCloseNotify()).isNull();
  }

  @Test
  void finWithoutCloseNotifyIsATruncation() throws Exception {
    ConnectionReport r = tls("tls12-fin-without-close-notify.pcap", true);
    assertThat(r.tls().serverCloseNotify()).isFalse();
    assertThat(r.tls().truncated()).isTrue();
    // The server's FIN came first, then its RST threw away the client's fatal alert.
    assertThat(r.tls().detail()).isEqualTo("TLS 1.2 truncated: RST from server while the"
        + " client's data was still unacknowledged; FIN from server without close_notify");
  }

  @Test
  void plainTcpHasNoTls() throws Exception {
    assertThat(Captures.analyzeTls(path("active-close-time-wait.pcap"), NssKeyLog.empty()))
        .singleElement().extracting(ConnectionReport::tls).isNull();
  }

  private static ConnectionReport tls(String resource, boolean keys) throws Exception {
    NssKeyLog log = keys ? NssKeyLog.read(path("keylog.txt")) : NssKeyLog.empty();
    List<ConnectionReport> all = Captures.analyzeTls(path(resource), log);
    assertThat(all).hasSize(1);
    return all.get(0);
  }

  static List<ConnectionReport> analyze(String resource) throws Exception {
    return Captures.analyze(Captures.resource(resource));
  }

  static ConnectionReport only(String resource) throws Exception {
    List<ConnectionReport> all = analyze(resource);
    assertThat(all).hasSize(1);
    return all.get(0);
  }

  static Path path(String resource) throws Exception {
    return Captures.resource(resource);
  }
}
