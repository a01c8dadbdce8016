package dev.tcplab.core.tcp;

import static dev.tcplab.core.tcp.TwoStacks.MS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tcplab.core.link.InMemoryLink;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * When the ACK of the peer's FIN goes out. Linux (LINUX-BEHAVIOUR.md): a FIN enters pingpong mode, so
 * the ACK waits for the delayed-ACK timer (~40 ms) and rides on our FIN when the application closes
 * promptly, even when data came with the FIN; before any data was received the timer fires on the next
 * tick (4 ms). RFC 9293 §3.10.7.4 eighth: ACK at once.
 */
class FinAckTimingTest extends OneConnectionScenario {
  private static final byte[] FIRST = TwoStacks.data(100, 41);
  private static final byte[] SECOND = TwoStacks.data(100, 42);

  /**
   * The client writes 100 bytes, 100 more (held by Nagle until the first is ACKed) and closes: the
   * second write leaves with the FIN in one segment once the first is ACKed (Linux: a quick ACK, so
   * it reaches the server 15 ms after the start).
   */
  private void clientSendsDataThenDataWithFin() {
    clientSendsDataThenDataWithFin(16 * MS);
  }

  private void clientSendsDataThenDataWithFin(long wait) {
    w.mark();
    p.client().write(FIRST);
    p.client().write(SECOND);
    p.client().close();
    net.run(wait);
    assertThat(w.client()).as(w.toString()).containsExactly("P. 1:101(100) ack 1", "FP. 101:201(100) ack 1");
    assertThat(p.server().state()).isEqualTo(TcpState.CLOSE_WAIT);
  }

  @Test
  void linux_ackOfDataWithFinIsDelayedAndRidesOnOurFin() {
    connect();
    clientSendsDataThenDataWithFin();
    assertThat(w.server()).as("quick ACK of the first data only").containsExactly(". 1:1(0) ack 101");

    // The application reads everything and closes 4 ms later: one FIN acknowledges data and FIN
    net.run(4 * MS);
    assertThat(TwoStacks.drain(p.server())).hasSize(200);
    assertThat(p.server().read(new byte[1])).isEqualTo(-1);
    p.server().close();
    net.run(100 * MS);
    assertThat(w.server()).as(w.toString()).containsExactly(". 1:1(0) ack 101", "F. 1:1(0) ack 202");
    assertThat(p.client().state()).isEqualTo(TcpState.TIME_WAIT);
  }

  @Test
  void rfc9293_ackOfDataWithFinGoesAtOnce() {
    connect(Profile.RFC9293);
    clientSendsDataThenDataWithFin(300 * MS); // no quick ACK: the first data is ACKed after 200 ms
    assertThat(w.server()).as(w.toString()).endsWith(". 1:1(0) ack 202");
  }

  @Test
  void linux_noWindowUpdateAfterThePeersFin() {
    connect();
    clientSendsDataThenDataWithFin();
    net.run(60 * MS); // the delayed ACK of data and FIN
    w.mark();
    assertThat(TwoStacks.drain(p.server())).hasSize(200);
    net.run(10 * MS);
    assertThat(w.server()).as("reading after the FIN opens no window").isEmpty();
  }

  @Test
  void linux_finWithoutAnyDataIsAckedOnTheNextTick() {
    connect();
    w.mark();
    long closedAt = net.clock.nanos();
    p.client().close();
    net.run(20 * MS);
    List<InMemoryLink.WireEvent> acks = w.serverEvents();
    assertThat(w.server()).as(w.toString()).containsExactly(". 1:1(0) ack 2");
    long finArrival = closedAt + 5 * MS; // the link's one-way delay
    assertThat(acks.get(0).atNanos() - finArrival).as("ACK delay").isBetween(1L, 4 * MS);
  }
}
