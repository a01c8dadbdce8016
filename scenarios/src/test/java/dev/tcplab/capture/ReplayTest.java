package dev.tcplab.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcplab.core.tcp.Profile;
import dev.tcplab.script.ScriptRunner;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ReplayTest {
  private static Replay recorded(String resource, int connection) throws Exception {
    Replay replay = new Replay(connection);
    Captures.feed(Captures.resource(resource), CaptureAnalysis.tcpOnly(r -> {}), replay::attach);
    return replay;
  }

  private static ScriptRunner.Outcome run(String resource, Side side) throws Exception {
    return recorded(resource, 0)
        .run(side, resource, Profile.LINUX, ScriptRunner.DEFAULT_TOLERANCE_NANOS);
  }

  @Test
  void scriptOfTheServerSide() throws Exception {
    String script = recorded("active-close-time-wait.pcap", 0)
        .script(Side.SERVER, "active-close-time-wait.pcap");
    assertThat(script).contains(
        "0     socket(..., SOCK_STREAM, IPPROTO_TCP) = 3",
        "+0    listen(3, 1) = 0",
        "< S 0:0(0) win 65495 <mss 65495,sackOK,TS val 4135374761 ecr 0,nop,wscale 10>",
        "> S. 0:0(0) ack 1 <mss 65495,sackOK,TS val 1945954871 ecr 4135374761,nop,wscale 10>",
        "+0    accept(3, ..., ...) = 4",
        "< P. 1:11(10) ack 1 win 64",
        // the ACK leaves as the data arrives; the application reads, then answers
        "+.000006 > . 1:1(0) ack 11 <nop,nop,TS val 1945954871 ecr 4135374761>\n"
            + "+.000048 read(4, ..., 10) = 10\n"
            + "+0    write(4, ..., 500) = 500\n"
            + "+0    > P. 1:501(500) ack 11",
        "< F. 11:11(0) ack 501 win 64",
        "+.000035 close(4) = 0",
        "> F. 501:501(0) ack 12");
  }

  @Test
  void scriptOfTheClientSideConnects() throws Exception {
    String script = recorded("both-shutdown.pcap", 0).script(Side.CLIENT, "both-shutdown.pcap");
    assertThat(script).contains(
        "+0    connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)",
        "> S 0:0(0) <mss 65495,sackOK,TS val 872863393 ecr 0,nop,wscale 10>",
        // the server sends data after the client's FIN: the client half-closed
        "shutdown(3, SHUT_WR) = 0",
        "+.000005 read(3, ..., 4) = 4\n+0    < F. 5:5(0) ack 6 win 64");
  }

  @Test
  void linuxGracefulCloseReplaysOnTheServerSide() throws Exception {
    ScriptRunner.Outcome o = run("active-close-time-wait.pcap", Side.SERVER);
    assertThat(o.passed()).as(o.failure() + "\n" + String.join("\n", o.log())).isTrue();
  }

  @Test
  void linuxHalfCloseReplaysOnTheClientSide() throws Exception {
    ScriptRunner.Outcome o = run("both-shutdown.pcap", Side.CLIENT);
    assertThat(o.passed()).as(o.failure() + "\n" + String.join("\n", o.log())).isTrue();
  }

  @Test
  void refusedConnectionOnTheClientSide() throws Exception {
    ScriptRunner.Outcome o = run("refused-syn-rst.pcap", Side.CLIENT);
    assertThat(o.passed()).as(o.failure() + "\n" + String.join("\n", o.log())).isTrue();
  }

  @Test
  void aDifferenceIsReportedWithTheLine() throws Exception {
    // The recorded client never read the second 16 KiB (window 0, then SO_LINGER 0): replay reads
    // as data arrives, so the stack acknowledges what the recorded client did not.
    ScriptRunner.Outcome o = run("receiver-abort-mid-stream.pcap", Side.CLIENT);
    assertThat(o.passed()).isFalse();
    assertThat(o.failure()).contains("(replay):").contains("expected");
  }

  @Test
  void noSuchConnection() throws Exception {
    Replay r = recorded("refused-syn-rst.pcap", 7);
    assertThatThrownBy(() -> r.script(Side.CLIENT, "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the capture has no connection #7");
  }
}
