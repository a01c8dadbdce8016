package dev.tcplab.script;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The runner's own rules, on small inline scripts: how system calls block, as packetdrill runs them. */
class ScriptRunnerTest {
  private static final String ACCEPTED = String.join("\n",
      "0     socket(..., SOCK_STREAM, IPPROTO_TCP) = 3",
      "+0    setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0",
      "+0    bind(3, ..., ...) = 0",
      "+0    listen(3, 1) = 0",
      "+0    < S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>",
      "+0    > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>",
      "+.1   < . 1:1(0) ack 1 win 257",
      "+0    accept(3, ..., ...) = 4",
      "");

  private static ScriptRunner.Outcome run(String body) throws ScriptSyntaxException {
    return new ScriptRunner().run(ScriptParser.parse("inline.pkt", ACCEPTED + body));
  }

  @Test
  void aReadWithoutRangeThatBlocksFailsTheScript() throws Exception {
    // packetdrill makes the call on its main thread: the data below can never be injected
    ScriptRunner.Outcome o = run(String.join("\n",
        "+0    read(4, ..., 1000) = 100",
        "+.05  < P. 1:101(100) ack 1 win 257",
        ""));
    assertThat(o.passed()).isFalse();
    assertThat(o.failure()).contains("read() blocked").contains("it never returned")
        .contains("inline.pkt:9");
  }

  @Test
  void aBlockingReadWithItsRangePasses() throws Exception {
    ScriptRunner.Outcome o = run(String.join("\n",
        "+0...0.05 read(4, ..., 1000) = 100",
        "+.05  < P. 1:101(100) ack 1 win 257",
        "+0    > . 1:1(0) ack 101",
        ""));
    assertThat(o.passed()).as(o.failure()).isTrue();
  }

  @Test
  void aCallWithoutRangeThatReturnsLateByATimerFails() throws Exception {
    // connect() on a blocking socket waits for the SYN,ACK; only SYN retransmissions happen meanwhile
    ScriptRunner.Outcome o = new ScriptRunner().run(ScriptParser.parse("inline.pkt", String.join("\n",
        "0     socket(..., SOCK_STREAM, IPPROTO_TCP) = 3",
        "+0    connect(3, ..., ...) = 0",
        "")));
    assertThat(o.passed()).isFalse();
    assertThat(o.failure()).contains("connect() blocked");
  }

  @Test
  void afterShutRdAnEmptyReadReturnsZeroAtOnce() throws Exception {
    ScriptRunner.Outcome o = run(String.join("\n",
        "+0    shutdown(4, SHUT_RD) = 0",
        "+0    read(4, ..., 1000) = 0",
        "+0    poll([{fd=4, events=POLLIN, revents=POLLIN|POLLOUT|POLLRDHUP}], 1, 0) = 1",
        ""));
    assertThat(o.passed()).as(o.failure()).isTrue();
  }
}
