package dev.tcplab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a user meets it: exit codes, messages, files. */
class TcpLabCliTest {
  record Run(int code, String out, String err) {}

  static Run tcplab(String... args) {  // also used by LadderInBrowserTest
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = TcpLab.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void unknownOptionsAreUsageErrorsWithExitCode2() {
    Run r = tcplab("sim", "--bogus");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("Unknown option: '--bogus'").contains("Usage: tcplab sim");
    assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  void badValuesSayWhatWasExpected() {
    assertThat(tcplab("sim", "--loss", "200%").err()).contains("'200%' is above 100%");
    assertThat(tcplab("sim", "--delay", "10parsecs").err()).contains("unknown time unit 'parsecs'");
    assertThat(tcplab("sim", "--bandwidth", "fast").err()).contains("'fast' is not a bit rate");
    assertThat(tcplab("sim", "--client-close", "slam").err())
        .contains("'slam' is not a way to close: use close, shutdown, abort, linger0 or none");
    assertThat(tcplab("sim", "--profile", "bsd").err()).contains("known profiles: linux, rfc9293");
    assertThat(tcplab("sim", "--ladder", "x.pdf").err()).contains("--ladder").contains(".pdf");
    assertThat(tcplab("sim", "--burst-loss", "1%,2%").err()).contains("four probabilities");
    assertThat(tcplab("sim", "--mtu", "20").err()).contains("MTU must be in [68, 65535]");
    assertThat(tcplab("sim", "--mtu", "20").code()).isEqualTo(2);
  }

  @Test
  void simPrintsAVerdictAndWritesTheFilesAskedFor(@TempDir Path dir) throws Exception {
    Path pcap = dir.resolve("run.pcap");
    Path ladder = dir.resolve("run.svg");
    Path json = dir.resolve("run.jsonl");
    Run r = tcplab("sim", "--bytes", "30k", "--loss", "2%", "--seed", "3", "--pcap", pcap.toString(),
        "--ladder", ladder.toString(), "--json", json.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("client: wrote 30000 of 30000 bytes, ended CLOSED_GRACEFULLY")
        .contains("server: read 30000 bytes and EOF, ended CLOSED_GRACEFULLY")
        .contains("verdict: every byte arrived intact")
        .contains("wrote " + pcap);
    assertThat(Files.size(pcap)).isGreaterThan(24);
    assertThat(Files.readString(ladder)).startsWith("<?xml").contains("<svg");
    assertThat(Files.readAllLines(json)).allMatch(l -> l.startsWith("{\"t\":"));
  }

  @Test
  void anAbortLosesDataAndTheVerdictSaysSo() {
    Run r = tcplab("sim", "--bytes", "200k", "--bandwidth", "10Mbit", "--client-close", "abort");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("ended ABORTED_LOCALLY").contains("ended RESET_BY_PEER")
        .contains("data lost:");
  }

  @Test
  void theDemoWritesPcapTraceAndDiagramAndShowsTheLadder(@TempDir Path dir) throws Exception {
    Run r = tcplab("demo", "--out", dir.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("random loss").contains("[ESTABLISHED -> FIN-WAIT-1")
        .contains("verdict: every byte arrived intact");
    for (String f : new String[] {"demo.pcap", "demo.trace.txt", "demo.trace.jsonl", "demo.ladder.html"}) {
      assertThat(dir.resolve(f)).isNotEmptyFile();
    }
    assertThat(Files.readString(dir.resolve("demo.trace.txt"))).contains("DROPPED");
    // The same run twice: the same output, byte for byte
    Path again = dir.resolve("again");
    tcplab("demo", "--out", again.toString());
    assertThat(Files.readAllBytes(again.resolve("demo.pcap")))
        .isEqualTo(Files.readAllBytes(dir.resolve("demo.pcap")));
    assertThat(Files.readString(again.resolve("demo.ladder.html")))
        .isEqualTo(Files.readString(dir.resolve("demo.ladder.html")));
  }

  @Test
  void thePh01192DemoShowsBothPoliciesInOneLineEach(@TempDir Path dir) throws Exception {
    Run r = tcplab("demo", "ph01192", "--out", dir.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .containsPattern("IMMEDIATE: client read \\d+ of 150000 bytes and no close_notify")
        .contains("DEFER_UNTIL_DELIVERED: client read every byte (150000 of 150000) and the close_notify")
        .contains("-Y tls.alert_message");
    for (String f : new String[] {"ph01192-immediate.pcap", "ph01192-immediate.keys",
        "ph01192-defer.pcap", "ph01192-defer.keys"}) {
      assertThat(dir.resolve(f)).isNotEmptyFile();
    }
  }

  @Test
  void simRunsTheTlsExperimentWithAPolicy(@TempDir Path dir) {
    Run r = tcplab("sim", "--tls", "1.2", "--rst-policy", "immediate", "--bytes", "100k",
        "--keylog", dir.resolve("k.keys").toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("IMMEDIATE: client read").contains("no close_notify");
    assertThat(dir.resolve("k.keys")).content().contains("CLIENT_RANDOM");
    assertThat(tcplab("sim", "--tls", "1.4").err()).contains("--tls");
    assertThat(tcplab("sim", "--tls", "1.3", "--rst-policy", "later").err())
        .contains("'later' is not an RST policy");
    assertThat(tcplab("demo", "nonsense").err()).contains("unknown demo 'nonsense'");
  }

  @Test
  void runPassesAScriptAndFailsABrokenOneWithTheLineNamed(@TempDir Path dir) throws Exception {
    Path good = Path.of("scripts/passive-close-server-first.pkt");
    Run ok = tcplab("run", good.toString(), "--ladder", dir.resolve("l.html").toString(),
        "--pcap", dir.resolve("p.pcap").toString());
    assertThat(ok.code()).as(ok.out() + ok.err()).isZero();
    assertThat(ok.out()).contains("PASS").contains("1 passed, 0 failed");
    assertThat(dir.resolve("l.html")).isNotEmptyFile();
    assertThat(dir.resolve("p.pcap")).isNotEmptyFile();

    Path bad = dir.resolve("bad.pkt");
    Files.writeString(bad, Files.readString(good).replace("> F. 1:1(0) ack 1\n", "> F. 1:1(0) ack 7\n"));
    Run r = tcplab("run", bad.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).contains("FAIL " + bad + ":14: expected F. 1:1(0) ack 7 but the stack sent F.")
        .contains("0 passed, 1 failed");

    Path broken = dir.resolve("broken.pkt");
    Files.writeString(broken, "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 < S 0:0(0) wiin 100\n");
    Run b = tcplab("run", broken.toString());
    assertThat(b.code()).isEqualTo(1);
    assertThat(b.out()).contains(broken + ":2:");
    assertThat(tcplab("run", dir.resolve("missing.pkt").toString()).out()).contains("no such file");
  }

  @Test
  void explainNarratesTheRunWithTheRfcArcs() {
    Run r = tcplab("explain", "scripts/passive-close-server-first.pkt");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("RFC 9293 arc: rcv FIN / snd ACK").contains("F. 1:1(0) ack 1");
  }

  @Test
  void helpListsTheCommands() {
    Run r = tcplab("--help");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("demo").contains("sim");
  }
}
