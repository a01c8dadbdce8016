package dev.tcplab.core.tcp;

import static dev.tcplab.core.tcp.TwoStacks.MS;
import static dev.tcplab.core.tcp.WireView.assertClosed;
import static dev.tcplab.core.tcp.WireView.errorOf;
import static dev.tcplab.core.tcp.WireView.readAvailable;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * shutdown(SHUT_RD) and SHUT_RDWR with data arriving afterwards. Linux only marks the receiving side
 * shut: the data stays readable and counts as unread at close() (RFC 1122 §4.2.2.13), and new data in
 * FIN-WAIT after SHUT_RDWR resets the connection (tcp_rcv_state_process). The textbook profile discards,
 * the 4.4BSD way.
 */
class ShutdownReadTest extends OneConnectionScenario {

  @Test
  void linux_dataAfterShutRdIsAckedAndReadable_anEmptyReadIsEndOfFile() {
    connect();
    w.mark();
    p.server().shutdownInput();
    assertThat(p.server().read(new byte[16])).as("nothing queued: EOF at once").isEqualTo(-1);
    assertThat(w.server()).as("SHUT_RD sends nothing").isEmpty();

    byte[] data = TwoStacks.data(100, 21);
    p.client().write(data);
    net.run(50 * MS);
    assertThat(w.server()).as(w.toString()).containsExactly(". 1:1(0) ack 101");
    assertThat(p.server().state()).isEqualTo(TcpState.ESTABLISHED);
    assertThat(readAvailable(p.server())).isEqualTo(data);
    assertThat(p.server().read(new byte[16])).isEqualTo(-1);
  }

  @Test
  void rfc9293_dataAfterShutRdIsAckedAndDiscarded() {
    connect(Profile.RFC9293);
    p.server().shutdownInput();
    w.mark();
    p.client().write(TwoStacks.data(100, 22));
    net.run(300 * MS);
    assertThat(w.server()).as(w.toString()).containsExactly(". 1:1(0) ack 101");
    assertThat(p.server().available()).isZero();
    assertThat(p.server().read(new byte[16])).isEqualTo(-1);
    p.server().close();
    net.run(10 * MS);
    assertThat(w.server()).as("nothing unread: a FIN").endsWith("F. 1:1(0) ack 101");
  }

  @Test
  void linux_closeWithDataUnreadAfterShutRd_sendsRst() {
    connect();
    p.server().shutdownInput();
    p.client().write(TwoStacks.data(100, 23));
    net.run(50 * MS);
    w.mark();
    // RFC 1122 §4.2.2.13: received data pending at CLOSE → RST; SHUT_RD does not change that (Linux)
    p.server().close();
    assertThat(w.server()).as(w.toString()).containsExactly("R. 1:1(0) ack 101");
    assertClosed(p.server(), ConnectionEnd.ABORTED_LOCALLY);
  }

  @Test
  void linux_dataInFinWait2AfterShutRdwr_bareRst_readerSeesEconnreset() {
    connect();
    p.server().shutdownInput();
    p.server().shutdownOutput();
    net.run(100 * MS);
    assertThat(p.server().state()).isEqualTo(TcpState.FIN_WAIT_2);
    assertThat(p.client().state()).isEqualTo(TcpState.CLOSE_WAIT);

    w.mark();
    p.client().write(TwoStacks.data(100, 24));
    net.run(50 * MS);
    // Linux: "R" with SEQ = SEG.ACK (the reply form), the connection gone at once
    assertThat(w.client()).as(w.toString()).containsExactly("P. 1:101(100) ack 2");
    assertThat(w.server()).as(w.toString()).containsExactly("R 2:2(0)");
    assertClosed(p.server(), ConnectionEnd.RESET_ON_DATA_AFTER_SHUTDOWN);
    assertThat(errorOf(() -> p.server().read(new byte[16]))).isEqualTo(SocketError.ECONNRESET);
    assertThat(p.server().read(new byte[16])).isEqualTo(-1);
    assertClosed(p.client(), ConnectionEnd.RESET_BY_PEER);
  }

  @Test
  void linux_dataInEstablishedAfterShutRdAndThenShutWr_resetsOnlyOnNewData() {
    connect();
    p.server().shutdownInput();
    p.server().shutdownOutput();
    assertThat(p.server().state()).isEqualTo(TcpState.FIN_WAIT_1);
    w.mark();
    // The peer's FIN alone is no data: the close completes normally
    p.client().close();
    net.run(100 * MS);
    assertThat(w.server()).as(w.toString()).doesNotContain("R 2:2(0)");
    assertThat(p.server().state()).isEqualTo(TcpState.TIME_WAIT);
  }
}
